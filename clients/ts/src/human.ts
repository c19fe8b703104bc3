// What a person reads: amounts in the chain's token (its decimals and
// symbol), and blocks with the time they are expected at. Shared by the
// console, the command line and the demo, so they all say the same date
// for the same block. No Node built-ins: the browser build uses it.
import type { ApiPromise } from '@polkadot/api';

/** The chain's token: `decimals` places, named `symbol`. */
export interface Token {
  decimals: number;
  symbol: string;
}

/** The chain's own token as its properties declare it (a chain that
 * declares none: 0 decimals, symbol `UNIT` — said so by `declared: false`). */
export function chainToken(api: ApiPromise): Token & { declared: boolean } {
  const decimals = api.registry.chainDecimals[0];
  const symbol = api.registry.chainTokens[0];
  const declared = api.registry.getChainProperties()?.tokenDecimals.isSome ?? false;
  return { decimals: declared ? (decimals ?? 0) : 0, symbol: symbol ?? 'UNIT', declared };
}

/** `value` (in the chain's smallest unit) as `1,234.5 DOT`: grouped whole
 * part, the fraction without trailing zeros, at most `maxFraction` places
 * (truncated toward zero, marked with `…` when digits were cut). */
export function formatAmount(value: bigint, token: Token, maxFraction = token.decimals): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(token.decimals);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let fraction = token.decimals > 0 ? (abs % unit).toString().padStart(token.decimals, '0') : '';
  let cut = false;
  if (fraction.length > maxFraction) {
    cut = /[1-9]/.test(fraction.slice(maxFraction));
    fraction = fraction.slice(0, maxFraction);
  }
  fraction = fraction.replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}${cut ? '…' : ''} ${token.symbol}`;
}

/** An amount a person typed (`12.5`, `1,000`, `0.000001 DOT`) in the
 * smallest unit. Refuses anything else with a message that says why: more
 * decimals than the token has, a negative or malformed number, another
 * token's symbol. */
export function parseAmount(text: string, token: Token): bigint {
  const trimmed = text.trim();
  const match = /^([0-9][0-9,_]*)(?:\.([0-9]+))?(?:\s+([A-Za-z][A-Za-z0-9-]*))?$/.exec(trimmed);
  if (!match) {
    throw new RangeError(`"${text}" is not an amount (write e.g. 12.5 or 12.5 ${token.symbol})`);
  }
  const [, whole, fraction = '', symbol] = match;
  if (symbol !== undefined && symbol.toUpperCase() !== token.symbol.toUpperCase()) {
    throw new RangeError(`"${text}" is in ${symbol}, this chain's token is ${token.symbol}`);
  }
  if (fraction.length > token.decimals) {
    throw new RangeError(`"${text}" has ${fraction.length} decimals; ${token.symbol} has ${token.decimals}`);
  }
  const digits = whole!.replace(/[,_]/g, '');
  return BigInt(digits) * 10n ** BigInt(token.decimals) + BigInt(fraction.padEnd(token.decimals, '0') || '0');
}

/** Blocks faster than this are no chain's pace: a runtime declaring less
 * (substrate-contracts-node's dev chain: a 1 ms minimum period) seals a
 * block per transaction. */
const FASTEST_REAL_BLOCK_MS = 1_000;

/** How fast the chain makes blocks: the target the runtime declares (Aura's
 * slot, BABE's expected block time, or twice Timestamp's minimum period),
 * else `null` — an instant-seal dev chain makes a block per transaction and
 * no date can be promised for a block. */
export function blockTimeMs(api: ApiPromise): number | null {
  const consts = api.consts as Record<string, Record<string, { toString(): string } | undefined> | undefined>;
  const declared = (value: { toString(): string } | undefined, factor = 1) => (value === undefined ? 0 : factor * Number(value.toString()));
  return blockTimeFrom([
    declared(consts['aura']?.['slotDuration']),
    declared(consts['babe']?.['expectedBlockTime']),
    declared(consts['timestamp']?.['minimumPeriod'], 2),
  ]);
}

/** The first declared block time that is a real chain's pace, else `null`. */
export function blockTimeFrom(declared: number[]): number | null {
  return declared.find((ms) => ms >= FASTEST_REAL_BLOCK_MS) ?? null;
}

/** Where the chain is: a block and the time it was made at (its
 * `timestamp.now`), and the block time. */
export interface ChainClock {
  block: number;
  /** Milliseconds since the epoch, from the block's timestamp. */
  at: number;
  msPerBlock: number | null;
}

/** The clock of the chain's best block. */
export async function chainClock(api: ApiPromise): Promise<ChainClock> {
  const header = await api.rpc.chain.getHeader();
  const at = await api.query.timestamp.now.at(header.hash);
  return { block: header.number.toNumber(), at: Number(at.toString()), msPerBlock: blockTimeMs(api) };
}

/** When `block` is expected (ms since the epoch), or `null` without a
 * regular block time. A past block's estimate is as good as the chain's
 * pace was. */
export function estimateBlockTime(block: number, clock: ChainClock): number | null {
  if (clock.msPerBlock === null) return null;
  return clock.at + (block - clock.block) * clock.msPerBlock;
}

/** `block 205 (≈ Fri 2026-12-11 14:00 UTC, in 2 d 3 h)`; without a block
 * time, `block 205 (in 12 blocks; this chain has no regular block time)`. */
export function formatBlock(block: number, clock: ChainClock): string {
  const estimate = estimateBlockTime(block, clock);
  const ahead = block - clock.block;
  if (estimate === null) {
    const blocks = (n: number) => `${n} block${n === 1 ? '' : 's'}`;
    const when = ahead > 0 ? `in ${blocks(ahead)}` : ahead === 0 ? 'now' : `${blocks(-ahead)} ago`;
    return `block ${block} (${when}; this chain has no regular block time)`;
  }
  const relative = ahead === 0 ? 'now' : ahead > 0 ? `in ${duration(estimate - clock.at)}` : `${duration(clock.at - estimate)} ago`;
  return `block ${block} (≈ ${formatDate(estimate)}, ${relative})`;
}

/** `Fri 2026-12-11 14:00 UTC`: unambiguous in any locale. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day} ${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `2 d 3 h`, `3 h 5 min`, `40 s`: the two largest units. */
export function duration(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1_000, 's']];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [size, name] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.length ? parts.join(' ') : '0 s';
}

/** The block by which `deposit more` must have been paid in so a stream at
 * `rate` per block lasts until `targetMs` — used by "extend to date": how
 * much to top up so the money runs out no earlier than `targetMs`. */
export function topUpUntil(targetMs: number, clock: ChainClock, runsOutAt: number, rate: bigint): { block: number; amount: bigint } {
  if (clock.msPerBlock === null) {
    throw new RangeError('this chain has no regular block time: give an amount, not a date');
  }
  const block = clock.block + Math.ceil((targetMs - clock.at) / clock.msPerBlock);
  const missing = Math.max(0, block - runsOutAt);
  return { block, amount: BigInt(missing) * rate };
}

/** Bytes as `0x…` hex (hashes are never shown as lists of numbers). */
export function hex(bytes: Uint8Array | number[]): string {
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Why a subscription closed (or billing ends), in words — the same
 * sentence in the console, the command line and the demo. */
export function closeReasonText(reason: string): string {
  return CLOSE_REASONS[reason] ?? reason.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

const CLOSE_REASONS: Record<string, string> = {
  ConsumerCancelled: 'the consumer cancelled',
  ProviderExited: 'the provider left (exit, after its notice)',
  FundsExhausted: 'the deposit ran out',
  ReadyTimeout: 'the provider did not mark it ready before its deadline; the deposit was refunded',
  Declined: 'the provider declined it and no other offer fit; the deposit was refunded',
  Reclaimed: "the consumer reclaimed the stream after the escrow's controller changed",
};
