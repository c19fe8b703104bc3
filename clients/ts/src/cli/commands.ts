// The commands of `dinfra`, over a `Chain` (the client's `Dinfra` on a node
// in main.ts, a fake in the tests): every value a person gives is read and
// checked here — amounts in the chain's token (parseAmount), addresses,
// dates — before anything is signed, and every amount and block a person
// reads goes through human.ts (formatAmount, formatBlock), the same
// functions the console uses, so both say the same date for a block.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Signer } from '../chain.js';
import { toHash32, validateAddress } from '../codec.js';
import { checkDescriptor } from '../descriptor.js';
import { ContractError } from '../errors.js';
import { closeReasonText, duration, estimateBlockTime, formatAmount, formatBlock, parseAmount, topUpUntil, type ChainClock, type Token } from '../human.js';
import type { Attribute, Descriptor, DeploymentType, Details, Offer, RequirementsInput } from '../types.js';
import { flag, has, UsageError, type Parsed } from './args.js';

/** A provider as the registry records it (the fields the CLI shows). */
export interface ProviderRecord {
  name: string;
  endpoint: string;
  attributes: Attribute[];
  status: string | { [variant: string]: unknown };
}

export interface CreateInput {
  typeId: number;
  descriptor: Descriptor;
  requirements: RequirementsInput;
  deposit: bigint;
  offerId: bigint | null;
}

/** What the commands need of the chain. */
export interface Chain {
  token: Token;
  clock(): Promise<ChainClock>;
  types(): Promise<{ typeId: number; type: DeploymentType }[]>;
  deploymentType(typeId: number): Promise<DeploymentType | null>;
  typeIdByName(name: string): Promise<number | null>;
  /** The offers of a type that can be awarded now. */
  offersOfType(typeId: number): Promise<{ offerId: bigint; offer: Offer }[]>;
  offer(offerId: bigint): Promise<Offer | null>;
  provider(account: string): Promise<ProviderRecord | null>;
  details(id: bigint): Promise<Details | null>;
  /** Runs `create` as `signer` without sending it: the id it would get. Throws `ContractError` on a refusal. */
  dryCreate(signer: Signer, s: CreateInput): Promise<bigint>;
  create(signer: Signer, s: CreateInput): Promise<{ id: bigint; provider: string; offerId: bigint; ratePerBlock: bigint; readyDeadline: number; blockNumber: number }>;
  topUp(signer: Signer, id: bigint, amount: bigint): Promise<{ blockNumber: number }>;
  cancel(signer: Signer, id: bigint): Promise<{ blockNumber: number }>;
  /** Calls `onBlock` for each new best block until the returned function is called. */
  newBlocks(onBlock: (block: number) => void): Promise<() => void>;
}

export interface Context {
  chain: Chain;
  /** The signing account of --suri / --key-file (refused when neither was given). */
  signer(): Promise<Signer>;
  /** A line for the person (or, with --json, one JSON document). */
  out(line: string): void;
  json: boolean;
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Runs a watch hook; resolves with its exit status. */
  runHook(command: string, env: Record<string, string>): Promise<number>;
}

/** Exit status of `watch` when the funds run low and there is no hook. */
export const LOW_FUNDS = 3;

// ---- reading input -----------------------------------------------------------

const U64_MAX = (1n << 64n) - 1n;

/** A subscription or offer id: a u64 in decimal. */
export function parseId(text: string, what: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${what} must be a whole number, got "${text}"`);
  const id = BigInt(text);
  if (id > U64_MAX) throw new UsageError(`${what} ${text} is too large (at most ${U64_MAX})`);
  return id;
}

/** A count of blocks: a u32 in decimal. */
export function parseBlocks(text: string, what: string, { positive = false } = {}): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${what} must be a whole number of blocks, got "${text}"`);
  const n = Number(text);
  if (n > 0xffff_ffff) throw new UsageError(`${what} ${text} is too large (at most ${0xffff_ffff} blocks)`);
  if (positive && n === 0) throw new UsageError(`${what} must be above 0`);
  return n;
}

/** An amount a person typed, in the chain's token; refused with the reason. */
export function readAmount(text: string, token: Token, what: string, { positive = true } = {}): bigint {
  let amount: bigint;
  try {
    amount = parseAmount(text, token);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
  if (positive && amount === 0n) throw new UsageError(`${what} must be above 0`);
  if (amount >= 1n << 128n) throw new UsageError(`${what} ${text} is too large`);
  return amount;
}

export function readAddress(text: string, what: string): string {
  try {
    return validateAddress(text, what);
  } catch {
    throw new UsageError(`${what} "${text}" is not an account address (SS58, e.g. 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY)`);
  }
}

/** `key=value`, each 1..=32 bytes. */
export function readAttribute(text: string, what: string): Attribute {
  const eq = text.indexOf('=');
  const key = eq === -1 ? '' : text.slice(0, eq);
  const value = eq === -1 ? '' : text.slice(eq + 1);
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (!key || !value || bytes(key) > 32 || bytes(value) > 32) {
    throw new UsageError(`${what} "${text}" is not key=value (each 1 to 32 bytes), e.g. region=eu-west`);
  }
  return { key, value };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO-8601 date or date and time; UTC unless it names a zone. */
export function parseDate(text: string, what = '--until'): number {
  const match = ISO_DATE.exec(text.trim());
  if (!match) throw new UsageError(`${what} "${text}" is not an ISO-8601 date (2026-12-31, 2026-12-31T18:00, 2026-12-31T18:00+01:00)`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
  let iso = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  iso += zone === undefined || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(iso);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (Number.isNaN(ms) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new UsageError(`${what} "${text}" is not a valid date`);
  }
  return ms;
}

/** A type given by id or by name. */
async function readType(chain: Chain, text: string): Promise<{ typeId: number; type: DeploymentType }> {
  let typeId: number | null;
  if (/^[0-9]+$/.test(text)) {
    typeId = Number(text);
    if (typeId > 0xffff_ffff) throw new UsageError(`--type ${text} is too large`);
  } else {
    if (new TextEncoder().encode(text).length > 32) throw new UsageError(`--type "${text}" is neither an id nor a type name (at most 32 bytes)`);
    typeId = await chain.typeIdByName(text);
    if (typeId === null) throw new UsageError(`no deployment type is named "${text}" (dinfra market lists them)`);
  }
  const type = await chain.deploymentType(typeId);
  if (!type) throw new UsageError(`there is no deployment type ${typeId} (dinfra market lists them)`);
  return { typeId, type };
}

// ---- showing -----------------------------------------------------------------

/** `100 blocks (≈ 10 min)`, or just the blocks without a block time. */
export function formatBlocks(blocks: number, clock: ChainClock): string {
  const unit = blocks === 1 ? 'block' : 'blocks';
  return clock.msPerBlock === null ? `${blocks} ${unit}` : `${blocks} ${unit} (≈ ${duration(blocks * clock.msPerBlock)})`;
}

function isoAt(block: number, clock: ChainClock): string | null {
  const ms = estimateBlockTime(block, clock);
  return ms === null ? null : new Date(ms).toISOString();
}

function attributesText(list: Attribute[]): string {
  return list.length ? list.map((a) => `${a.key}=${a.value}`).join(', ') : 'none';
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

function bar(used: bigint, total: bigint, width = 20): string {
  const filled = total === 0n ? 0 : Number((used * BigInt(width)) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

// ---- market --------------------------------------------------------------------

export async function market(ctx: Context, args: Parsed): Promise<number> {
  const { chain } = ctx;
  const only = flag(args, 'type');
  const types = only !== undefined ? [await readType(chain, only)] : await chain.types();
  const clock = await chain.clock();
  const providers = new Map<string, ProviderRecord | null>();
  const report = [];
  for (const { typeId, type } of types) {
    const offers = [];
    for (const { offerId, offer } of await chain.offersOfType(typeId)) {
      if (!providers.has(offer.provider)) providers.set(offer.provider, await chain.provider(offer.provider));
      offers.push({ offerId, offer, provider: providers.get(offer.provider) ?? null });
    }
    report.push({ typeId, type, offers });
  }
  if (ctx.json) {
    ctx.out(jsonText({
      block: clock.block,
      token: ctx.chain.token,
      types: report.map(({ typeId, type, offers }) => ({
        typeId,
        name: type.name,
        schemaHash: type.schemaHash,
        registeredBy: type.registeredBy,
        offers: offers.map(({ offerId, offer, provider }) => ({
          offerId: offerId.toString(),
          provider: offer.provider,
          providerName: provider?.name ?? null,
          endpoint: provider?.endpoint ?? null,
          attributes: provider?.attributes ?? [],
          pricePerBlock: offer.pricePerBlock.toString(),
          pricing: offer.pricing,
          capacity: offer.capacity,
          reserved: offer.reserved,
          minDuration: offer.minDuration,
          noticeBlocks: offer.noticeBlocks,
          cancelFee: offer.cancelFee.toString(),
        })),
      })),
    }));
    return 0;
  }
  const token = ctx.chain.token;
  if (report.length === 0) ctx.out('no deployment type is registered');
  for (const { typeId, type, offers } of report) {
    ctx.out(`type ${typeId} ${type.name} (schema ${type.schemaHash}): ${offers.length ? `${offers.length} offer${offers.length === 1 ? '' : 's'}` : 'no offer can be awarded now'}`);
    for (const { offerId, offer, provider } of offers) {
      const perDay = clock.msPerBlock === null ? '' : `, ≈ ${formatAmount((offer.pricePerBlock * BigInt(Math.round(86_400_000 / clock.msPerBlock))), token, 4)} a day`;
      ctx.out(`  offer ${offerId}: ${formatAmount(offer.pricePerBlock, token)} per block${perDay}, ${offer.pricing} price`);
      ctx.out(`    capacity ${offer.capacity} (${offer.reserved} taken), minimum ${formatBlocks(offer.minDuration, clock)}, notice ${formatBlocks(offer.noticeBlocks, clock)}${offer.cancelFee > 0n ? `, cancel fee ${formatAmount(offer.cancelFee, token)}` : ''}`);
      ctx.out(`    provider ${offer.provider}${provider ? ` "${provider.name}" ${provider.endpoint}` : ' (not registered)'}`);
      if (provider) ctx.out(`    attributes (self-declared): ${attributesText(provider.attributes)}`);
    }
  }
  return 0;
}

// ---- subscribe -------------------------------------------------------------------

/** The descriptor argument: a file (its hash, published at --descriptor-uri
 * or file://<path>) or a URI (http(s) fetched and hashed; ipfs with --descriptor-hash). */
async function readDescriptor(args: Parsed, typeName: string): Promise<{ descriptor: Descriptor; checked: string }> {
  const given = flag(args, 'descriptor');
  if (given === undefined) throw new UsageError('--descriptor is required (a file, or the URI the provider fetches it from)');
  const uriOverride = flag(args, 'descriptor-uri');
  const hashFlag = flag(args, 'descriptor-hash');
  let bytes: Uint8Array | null = null;
  let uri: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    if (uriOverride !== undefined) throw new UsageError('--descriptor-uri goes with a descriptor file, not a URI');
    uri = given;
    if (/^https?:\/\//.test(given)) {
      let response: Response;
      try {
        response = await fetch(given);
      } catch (error) {
        throw new UsageError(`could not fetch the descriptor at ${given}: ${(error as Error).message}`);
      }
      if (!response.ok) throw new UsageError(`could not fetch the descriptor at ${given}: HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } else if (given.startsWith('file://')) {
      bytes = readDescriptorFile(new URL(given).pathname);
    } else if (hashFlag === undefined) {
      throw new UsageError(`the descriptor at ${given} cannot be read from here: give its blake2-256 with --descriptor-hash, or the file`);
    }
  } else {
    bytes = readDescriptorFile(given);
    uri = uriOverride ?? `file://${resolve(given)}`;
  }
  if (!['https://', 'http://', 'ipfs://', 'file://'].some((s) => uri.startsWith(s))) throw new UsageError(`the descriptor URI ${uri} must start with https://, http://, ipfs:// or file://`);
  if (new TextEncoder().encode(uri).length > 128) throw new UsageError(`the descriptor URI ${uri} is longer than 128 bytes`);
  let hash: string;
  if (bytes !== null) {
    hash = blake2AsHex(bytes);
    if (hashFlag !== undefined && hashFlag.toLowerCase() !== hash) throw new UsageError(`--descriptor-hash ${hashFlag} is not the descriptor's (${hash})`);
  } else {
    try {
      hash = toHash32(hashFlag!, '--descriptor-hash');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let checked = 'not checked (no schema: give --schema FILE)';
  const schemaPath = flag(args, 'schema') ?? findSchema(typeName);
  if (schemaPath !== undefined && bytes !== null) {
    if (!existsSync(schemaPath)) throw new UsageError(`--schema ${schemaPath} does not exist`);
    const check = checkDescriptor(readFileSync(schemaPath, 'utf8'), bytes);
    if (!check.valid) {
      throw new UsageError(`the descriptor does not follow ${schemaPath}: ${check.violations.map((v) => `at ${v.pointer || '/'}: ${v.message}`).join('; ')} — every provider would decline it`);
    }
    checked = `valid against ${schemaPath}`;
  } else if (bytes === null) {
    checked = 'not checked (not readable from here)';
  }
  return { descriptor: { hash, uri }, checked };
}

function readDescriptorFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`the descriptor file ${path} does not exist`);
  return new Uint8Array(readFileSync(path));
}

/** The catalogue's schema of a type, `types/<name>/schema.json` in the
 * current directory or one above it (a checkout of the repository). */
function findSchema(typeName: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(typeName)) return undefined;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'types', typeName, 'schema.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function subscribe(ctx: Context, args: Parsed): Promise<number> {
  const { chain } = ctx;
  const token = chain.token;
  const typeText = flag(args, 'type');
  if (typeText === undefined) throw new UsageError('--type is required (dinfra market lists the types)');
  const byOffer = has(args, 'offer');
  if (has(args, 'deposit') === has(args, 'for-blocks')) throw new UsageError('give exactly one of --deposit AMOUNT and --for-blocks N');
  // Everything the person typed, read before the chain is asked anything.
  const offerId = byOffer ? parseId(flag(args, 'offer')!, '--offer') : null;
  const maxPriceText = flag(args, 'max-price');
  let maxPrice = maxPriceText === undefined ? null : readAmount(maxPriceText, token, '--max-price');
  const requiredAttributes = (args.flags.get('require') ?? []).map((t) => readAttribute(t, '--require'));
  const excludedAttributes = (args.flags.get('exclude') ?? []).map((t) => readAttribute(t, '--exclude'));
  const preferredProviders = (args.flags.get('prefer') ?? []).map((t) => readAddress(t, '--prefer'));
  for (const [list, name] of [[requiredAttributes, '--require'], [excludedAttributes, '--exclude'], [preferredProviders, '--prefer']] as const) {
    if (list.length > 8) throw new UsageError(`${name}: at most 8`);
  }
  let minDuration = has(args, 'min-duration') ? parseBlocks(flag(args, 'min-duration')!, '--min-duration') : null;
  const depositText = flag(args, 'deposit');
  let deposit = depositText === undefined ? null : readAmount(depositText, token, '--deposit');
  const forBlocks = has(args, 'for-blocks') ? parseBlocks(flag(args, 'for-blocks')!, '--for-blocks', { positive: true }) : null;
  if (!byOffer && maxPrice === null) throw new UsageError('--max-price is required when the award picks the offer (or name one with --offer)');

  const { typeId, type } = await readType(chain, typeText);
  let offer: Offer | null = null;
  if (offerId !== null) {
    offer = await chain.offer(offerId);
    if (!offer || offer.withdrawn) throw new UsageError(`there is no live offer ${offerId}`);
    if (offer.typeId !== typeId) throw new UsageError(`offer ${offerId} is for type ${offer.typeId}, not ${typeId}`);
    maxPrice ??= offer.pricePerBlock;
  }
  const rate = offer?.pricePerBlock ?? maxPrice!;
  if (forBlocks !== null) deposit = rate * BigInt(forBlocks);
  // Without --min-duration: the blocks paid for, else the named offer's minimum.
  minDuration ??= forBlocks ?? offer?.minDuration ?? 0;
  const { descriptor, checked } = await readDescriptor(args, type.name);
  const signer = await ctx.signer();
  const input: CreateInput = {
    typeId,
    descriptor,
    requirements: { maxPricePerBlock: maxPrice!, requiredAttributes, excludedAttributes, preferredProviders, minDuration },
    deposit: deposit!,
    offerId,
  };
  const clock = await chain.clock();
  const say = (line: string) => !ctx.json && ctx.out(line);
  say(`subscribing to type ${typeId} ${type.name} as ${signer.address}`);
  say(`  ${offerId !== null ? `offer ${offerId}` : 'the offer the award picks'}, at most ${formatAmount(maxPrice!, token)} per block, committing to ${formatBlocks(minDuration, clock)}`);
  say(`  deposit ${formatAmount(deposit!, token)}${forBlocks !== null ? ` (${formatBlocks(forBlocks, clock)} at ${formatAmount(rate, token)} per block)` : ''}`);
  say(`  descriptor ${descriptor.uri} (${descriptor.hash}), ${checked}`);
  const id = await chain.dryCreate(signer, input);
  say(`dry run: accepted; it would be subscription ${id}`);
  if (has(args, 'dry-run')) {
    if (ctx.json) ctx.out(jsonText({ dryRun: true, id: id.toString(), typeId, offerId: offerId?.toString() ?? null, deposit: deposit!.toString(), maxPricePerBlock: maxPrice!.toString(), descriptor }));
    return 0;
  }
  const created = await chain.create(signer, input);
  const after = await chain.clock();
  const lasts = Number(deposit! / created.ratePerBlock);
  if (ctx.json) {
    ctx.out(jsonText({
      id: created.id.toString(),
      block: created.blockNumber,
      provider: created.provider,
      offerId: created.offerId.toString(),
      ratePerBlock: created.ratePerBlock.toString(),
      deposit: deposit!.toString(),
      readyDeadline: created.readyDeadline,
      readyDeadlineAt: isoAt(created.readyDeadline, after),
      descriptor,
    }));
    return 0;
  }
  ctx.out(`subscription ${created.id} created in block ${created.blockNumber}`);
  ctx.out(`  provider ${created.provider}, offer ${created.offerId}, ${formatAmount(created.ratePerBlock, token)} per block`);
  ctx.out(`  the provider must mark it ready by ${formatBlock(created.readyDeadline, after)}; billing starts then`);
  ctx.out(`  the deposit lasts ${formatBlocks(lasts, after)} from ready`);
  ctx.out(`  dinfra status ${created.id} follows it`);
  return 0;
}

// ---- status --------------------------------------------------------------------

/** When the money stops flowing: the depletion block, the end block, or — before
 * ready — how many blocks the deposit lasts once billing starts. */
export interface RunsOut {
  kind: 'depletion' | 'end' | 'unstarted';
  /** The block (for `unstarted`: the current block plus what the deposit lasts). */
  block: number;
  /** Blocks of money left from `clock.block` (0 when past). */
  blocksLeft: number;
}

export function runsOut(d: Details, clock: ChainClock): RunsOut | null {
  const { subscription: s, figures: f } = d;
  if (s.closed !== null || s.phase === 'Closed') return null;
  if (f.depletionBlock !== null) return { kind: 'depletion', block: f.depletionBlock, blocksLeft: Math.max(0, f.depletionBlock - clock.block) };
  const end = s.end?.[0] ?? f.end;
  if (end !== null) return { kind: 'end', block: end, blocksLeft: Math.max(0, end - clock.block) };
  if (f.start === null && s.ratePerBlock > 0n) {
    const lasts = Number(f.held / s.ratePerBlock);
    return { kind: 'unstarted', block: clock.block + lasts, blocksLeft: lasts };
  }
  return null;
}

/** Hours of money left (estimated), null without a block time or a stream. */
export function hoursLeft(r: RunsOut | null, clock: ChainClock): number | null {
  if (r === null || clock.msPerBlock === null) return null;
  return (r.blocksLeft * clock.msPerBlock) / 3_600_000;
}

/** `status` as one JSON object: stable keys, amounts as strings in the smallest unit. */
export function statusJson(id: bigint, d: Details, clock: ChainClock, token: Token): Record<string, unknown> {
  const { subscription: s, figures: f } = d;
  const r = runsOut(d, clock);
  const end = s.end ? { block: s.end[0], reason: s.end[1], reasonText: closeReasonText(s.end[1]), at: isoAt(s.end[0], clock) } : null;
  return {
    id: id.toString(),
    block: clock.block,
    blockTimeMs: clock.msPerBlock,
    token: { symbol: token.symbol, decimals: token.decimals },
    phase: s.phase,
    closeReason: s.closed,
    closeReasonText: s.closed ? closeReasonText(s.closed) : null,
    consumer: s.consumer,
    provider: s.provider,
    typeId: s.typeId,
    offerId: s.offerId.toString(),
    pricing: s.pricing,
    ratePerBlock: s.ratePerBlock.toString(),
    awardedAt: s.awardedAt,
    readyDeadline: s.readyDeadline,
    readyAt: s.readyAt,
    end,
    depletionBlock: f.depletionBlock,
    runsOut: r ? { kind: r.kind, block: r.block, at: isoAt(r.block, clock), blocksLeft: r.blocksLeft, hoursLeft: hoursLeft(r, clock) } : null,
    streamStatus: f.status,
    deposited: f.deposited.toString(),
    used: f.accrued.toString(),
    left: f.refundable.toString(),
    held: f.held.toString(),
    withdrawn: f.withdrawn.toString(),
    withdrawable: f.withdrawable.toString(),
    refundable: f.refundable.toString(),
    refunded: f.refunded.toString(),
    priceChange: s.priceChange ? { rate: s.priceChange.rate.toString(), effectiveAt: s.priceChange.effectiveAt, needsConsent: s.priceChange.needsConsent } : null,
    access: d.access?.uris ?? [],
  };
}

/** `status` for a person: one fact a line. */
export function statusLines(id: bigint, d: Details, clock: ChainClock, token: Token): string[] {
  const { subscription: s, figures: f } = d;
  const amount = (x: bigint) => formatAmount(x, token);
  const r = runsOut(d, clock);
  const lines = [`subscription ${id}: ${s.phase}${s.closed ? ` — ${closeReasonText(s.closed)}` : ''} (at block ${clock.block})`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(13)}${text}`);
  row('provider', `${s.provider} (offer ${s.offerId}, type ${s.typeId})`);
  row('rate', `${amount(s.ratePerBlock)} per block, ${s.pricing} price`);
  if (s.priceChange) {
    row('new price', `${amount(s.priceChange.rate)} per block from ${formatBlock(s.priceChange.effectiveAt, clock)}${s.priceChange.needsConsent ? ', if you accept it' : ''}`);
  }
  if (s.readyAt !== null) row('ready', formatBlock(s.readyAt, clock));
  else if (s.closed === null) row('ready by', `${formatBlock(s.readyDeadline, clock)} (not ready yet; billing starts when it is)`);
  if (s.end) row(s.closed ? 'ended' : 'ends', `${formatBlock(s.end[0], clock)} — ${closeReasonText(s.end[1])}`);
  if (r?.kind === 'depletion') row('runs out', `${formatBlock(r.block, clock)} — the deposit is used up then`);
  if (r?.kind === 'unstarted') row('lasts', `${formatBlocks(r.blocksLeft, clock)} from ready`);
  if (s.closed === null && s.end === null && r?.kind !== 'depletion' && r?.kind !== 'unstarted') row('runs out', 'never at this rate');
  row('money', `${bar(f.accrued, f.accrued + f.refundable)} used ${amount(f.accrued)}, left ${amount(f.refundable)} (deposited ${amount(f.deposited)})`);
  row('withdrawable', `${amount(f.withdrawable)} (the provider's to claim)`);
  row(s.closed ? 'refunded' : 'refundable', s.closed ? amount(f.refunded) : `${amount(f.refundable)} (yours if it closed now)`);
  const uris = d.access?.uris ?? [];
  row('access', uris.length ? uris.join(', ') : s.readyAt === null ? 'none yet (published when the provider marks it ready)' : 'none published');
  return lines;
}

async function readDetails(chain: Chain, id: bigint): Promise<Details> {
  const d = await chain.details(id);
  if (!d) throw new UsageError(`there is no subscription ${id}`);
  return d;
}

export async function status(ctx: Context, args: Parsed): Promise<number> {
  const id = parseId(args.positionals[0]!, 'the subscription id');
  const d = await readDetails(ctx.chain, id);
  const clock = await ctx.chain.clock();
  if (ctx.json) ctx.out(jsonText(statusJson(id, d, clock, ctx.chain.token)));
  else for (const line of statusLines(id, d, clock, ctx.chain.token)) ctx.out(line);
  return 0;
}

// ---- top-up -------------------------------------------------------------------

export async function topUp(ctx: Context, args: Parsed): Promise<number> {
  const { chain } = ctx;
  const token = chain.token;
  const id = parseId(args.positionals[0]!, 'the subscription id');
  if (has(args, 'amount') === has(args, 'until')) throw new UsageError('give exactly one of --amount X and --until DATE');
  const amountText = flag(args, 'amount');
  let amount = amountText === undefined ? null : readAmount(amountText, token, '--amount');
  const untilText = flag(args, 'until');
  const target = untilText === undefined ? null : parseDate(untilText);
  if (target !== null && target <= ctx.now()) throw new UsageError(`--until ${untilText} is in the past`);
  const d = await readDetails(chain, id);
  if (d.subscription.closed !== null) throw new UsageError(`subscription ${id} is closed (${closeReasonText(d.subscription.closed)}): nothing to top up`);
  const clock = await chain.clock();
  if (target !== null) {
    if (clock.msPerBlock === null) throw new UsageError('this chain has no regular block time: a date cannot be turned into blocks; give --amount');
    if (target <= clock.at) throw new UsageError(`--until ${untilText} is before the chain's last block`);
    const r = runsOut(d, clock);
    const end = d.subscription.end;
    const plan = topUpUntil(target, clock, r?.block ?? clock.block, d.subscription.ratePerBlock);
    if (end && plan.block > end[0]) {
      throw new UsageError(`billing ends at ${formatBlock(end[0], clock)} (${closeReasonText(end[1])}): money for after it would only be refunded`);
    }
    if (plan.amount === 0n) {
      const line = `subscription ${id} is funded until ${r ? formatBlock(r.block, clock) : 'its end'}, past ${untilText}: nothing to send`;
      ctx.out(ctx.json ? jsonText({ id: id.toString(), sent: false, amount: '0', untilBlock: plan.block }) : line);
      return 0;
    }
    amount = plan.amount;
    if (!ctx.json) ctx.out(`to last until ${formatBlock(plan.block, clock)}: ${formatAmount(amount, token)} (${formatBlocks(plan.block - (r?.block ?? clock.block), clock)} at ${formatAmount(d.subscription.ratePerBlock, token)} per block)`);
  }
  const signer = await ctx.signer();
  const tx = await chain.topUp(signer, id, amount!);
  const after = await readDetails(chain, id);
  const now = await chain.clock();
  const r = runsOut(after, now);
  if (ctx.json) {
    ctx.out(jsonText({ id: id.toString(), sent: true, amount: amount!.toString(), block: tx.blockNumber, status: statusJson(id, after, now, token) }));
    return 0;
  }
  ctx.out(`topped up subscription ${id} with ${formatAmount(amount!, token)} in block ${tx.blockNumber}`);
  if (r?.kind === 'depletion') ctx.out(`  the money now runs out at ${formatBlock(r.block, now)}`);
  else if (r?.kind === 'end') ctx.out(`  funded to its end at ${formatBlock(r.block, now)}`);
  else if (r?.kind === 'unstarted') ctx.out(`  the deposit now lasts ${formatBlocks(r.blocksLeft, now)} from ready`);
  return 0;
}

// ---- cancel ---------------------------------------------------------------------

export async function cancel(ctx: Context, args: Parsed): Promise<number> {
  const { chain } = ctx;
  const id = parseId(args.positionals[0]!, 'the subscription id');
  const before = await readDetails(chain, id);
  if (before.subscription.closed !== null) throw new UsageError(`subscription ${id} is already closed (${closeReasonText(before.subscription.closed)})`);
  const signer = await ctx.signer();
  const tx = await chain.cancel(signer, id);
  const d = await readDetails(chain, id);
  const clock = await chain.clock();
  const s = d.subscription;
  if (ctx.json) {
    ctx.out(jsonText({ id: id.toString(), block: tx.blockNumber, billingEnds: s.end ? { block: s.end[0], at: isoAt(s.end[0], clock) } : null, status: statusJson(id, d, clock, chain.token) }));
    return 0;
  }
  ctx.out(`cancelled subscription ${id} in block ${tx.blockNumber}`);
  if (s.closed !== null) {
    ctx.out(`  closed at once (not ready yet): ${formatAmount(d.figures.refunded, chain.token)} refunded`);
  } else if (s.end) {
    ctx.out(`  billing ends at ${formatBlock(s.end[0], clock)}; what is left then is refunded`);
    ctx.out(`  (the consumer notice and the minimum duration run first)`);
  }
  return 0;
}

// ---- watch ----------------------------------------------------------------------

/** What a watch hook gets in its environment. */
export function hookEnv(id: bigint, d: Details, clock: ChainClock, token: Token): Record<string, string> {
  const r = runsOut(d, clock);
  const hours = hoursLeft(r, clock);
  const at = r ? isoAt(r.block, clock) : null;
  return {
    DINFRA_ID: id.toString(),
    DINFRA_PHASE: d.subscription.phase,
    DINFRA_BLOCK: String(clock.block),
    DINFRA_RUNS_OUT_BLOCK: r ? String(r.block) : '',
    DINFRA_RUNS_OUT_AT: at ?? '',
    DINFRA_BLOCKS_LEFT: r ? String(r.blocksLeft) : '',
    DINFRA_HOURS_LEFT: hours === null ? '' : hours.toFixed(2),
    DINFRA_LEFT: d.figures.refundable.toString(),
    DINFRA_LEFT_TEXT: formatAmount(d.figures.refundable, token),
    DINFRA_RATE: d.subscription.ratePerBlock.toString(),
    DINFRA_STATUS_JSON: JSON.stringify(statusJson(id, d, clock, token)),
  };
}

export async function watch(ctx: Context, args: Parsed): Promise<number> {
  const { chain } = ctx;
  const token = chain.token;
  const id = parseId(args.positionals[0]!, 'the subscription id');
  if (has(args, 'warn-hours') === has(args, 'warn-blocks')) throw new UsageError('give exactly one of --warn-hours H and --warn-blocks N');
  let warnHours: number | null = null;
  let warnBlocks: number | null = null;
  if (has(args, 'warn-hours')) {
    const text = flag(args, 'warn-hours')!;
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || Number(text) <= 0) throw new UsageError(`--warn-hours must be a positive number of hours, got "${text}"`);
    warnHours = Number(text);
  } else {
    warnBlocks = parseBlocks(flag(args, 'warn-blocks')!, '--warn-blocks', { positive: true });
  }
  const hook = flag(args, 'hook');
  await readDetails(chain, id);
  const first = await chain.clock();
  if (warnHours !== null && first.msPerBlock === null) throw new UsageError('this chain has no regular block time: hours cannot be estimated; give --warn-blocks');
  const threshold = warnHours !== null ? `${warnHours} h` : `${warnBlocks} blocks`;
  if (!ctx.json) ctx.out(`watching subscription ${id}: warns when fewer than ${threshold} of funds are left${hook ? `, runs: ${hook}` : ', then exits 3'}; exits 0 when it closes`);

  let fired = false;
  let last = '';
  /** One look at the subscription: the exit status when the watch is over. */
  const look = async (): Promise<number | null> => {
    const d = await readDetails(chain, id);
    const clock = await chain.clock();
    const s = d.subscription;
    if (s.closed !== null) {
      if (ctx.json) ctx.out(JSON.stringify({ event: 'closed', ...statusJson(id, d, clock, token) }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
      else ctx.out(`block ${clock.block}: subscription ${id} closed — ${closeReasonText(s.closed)}; refunded ${formatAmount(d.figures.refunded, token)}`);
      return 0;
    }
    if (s.end && clock.block >= s.end[0]) {
      // Billing is over: what is left is the consumer's; settle (anyone) closes it.
      if (ctx.json) ctx.out(JSON.stringify({ event: 'ended', ...statusJson(id, d, clock, token) }));
      else ctx.out(`block ${clock.block}: billing of subscription ${id} ended at block ${s.end[0]} — ${closeReasonText(s.end[1])}; ${formatAmount(d.figures.refundable, token)} comes back when it is settled`);
      return 0;
    }
    const r = runsOut(d, clock);
    // Low only when the money (not an agreed end) stops the service.
    const draining = r !== null && r.kind !== 'end';
    const hours = hoursLeft(r, clock);
    const low = draining && (warnHours !== null ? hours !== null && hours < warnHours : r!.blocksLeft < warnBlocks!);
    const state = `${s.phase}|${r?.block}|${low}`;
    if (state !== last) {
      last = state;
      if (ctx.json) {
        ctx.out(JSON.stringify({ event: low ? 'low' : 'block', ...statusJson(id, d, clock, token) }));
      } else {
        const where = r === null ? 'no end in sight' : r.kind === 'depletion' ? `money runs out at ${formatBlock(r.block, clock)}` : r.kind === 'end' ? `billing ends at ${formatBlock(r.block, clock)}` : `not ready yet; the deposit lasts ${formatBlocks(r.blocksLeft, clock)}`;
        ctx.out(`block ${clock.block}: ${s.phase}, ${where}, ${formatAmount(d.figures.refundable, token)} left${low ? ` — LOW (under ${threshold})` : ''}`);
      }
    }
    if (!low) {
      fired = false;
      return null;
    }
    if (!hook) {
      if (!ctx.json) ctx.out(`funds low: top up with dinfra top-up ${id} --amount X or --until DATE`);
      return LOW_FUNDS;
    }
    if (!fired) {
      fired = true;
      const code = await ctx.runHook(hook, hookEnv(id, d, clock, token));
      if (code !== 0 && !ctx.json) ctx.out(`the hook exited with status ${code}`);
    }
    return null;
  };

  const done = await look();
  if (done !== null) return done;
  return new Promise<number>((resolveWatch, rejectWatch) => {
    let queue = Promise.resolve();
    let finished = false;
    let stop: (() => void) | null = null;
    const finish = (result: () => void) => {
      if (finished) return;
      finished = true;
      stop?.();
      result();
    };
    chain
      .newBlocks(() => {
        queue = queue.then(async () => {
          if (finished) return;
          try {
            const code = await look();
            if (code !== null) finish(() => resolveWatch(code));
          } catch (error) {
            finish(() => rejectWatch(error));
          }
        });
      })
      .then((unsubscribe) => {
        stop = unsubscribe;
        if (finished) unsubscribe();
      }, rejectWatch);
  });
}

// ---- dispatch ---------------------------------------------------------------------

export const RUN: Record<string, (ctx: Context, args: Parsed) => Promise<number>> = {
  market,
  subscribe,
  status,
  'top-up': topUp,
  cancel,
  watch,
};

/** A refusal in words: the contract's error explained, or the input's problem. */
export function describeError(error: unknown): string {
  if (error instanceof ContractError) {
    return `refused by the ${error.contract} contract (${error.error}): ${error.explanation || 'no explanation known'} Nothing was sent.`;
  }
  return (error as Error)?.message ?? String(error);
}
