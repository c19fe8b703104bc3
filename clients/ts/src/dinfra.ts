// The DINFRA suite on a node: dry-run-then-send calls to any message of the
// four contracts, typed wrappers for the main paths, and queries.

import '@polkadot/api-augment';
import type { ApiPromise } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import type { Codec } from '@polkadot/types/types';
import { advanceTo, bestNumber, connectApi, dispatchErrorName, freeBalance, submit, type Included, type Signer } from './chain.js';
import { checkText, plain, toBalance, toHash32, toPositiveBalance, toUint, validateAddress, type Amount, type Plain } from './codec.js';
import { bundleCodeHash, CONTRACT_NAMES, loadDeployment, type ContractName, type LoadedDeployment } from './deployment.js';
import { CallFailed } from './errors.js';
import { unwrapReply } from './reply.js';
import { decodeEvents, eventNamed, type ContractEvent, type ContractsByAddress } from './events.js';
import type { Attribute, Descriptor, Details, Offer, OfferTermsInput, RequirementsInput, SubscriptionPage } from './types.js';

export interface Weight {
  refTime: bigint;
  proofSize: bigint;
}

/** What a dry run found: the message's `Ok` value, the gas it needs and the
 * storage deposit it charges (negative: refunds). */
export interface DryRun {
  value: Plain;
  codec: Codec;
  gasRequired: Weight;
  storageDeposit: bigint;
}

/** A contract call in a block. */
export interface TxResult extends Included {
  contract: ContractName;
  message: string;
  dryRun: DryRun;
  gasLimit: Weight;
  storageDepositLimit: bigint;
  /** Storage deposit the signer paid (negative: was refunded), from
   * `contracts.StorageDepositTransferredAndHeld/Released`. */
  storageDeposit: bigint;
  /** Every event the four contracts emitted during the call, in order. */
  events: ContractEvent[];
}

export interface ConnectOptions {
  /** Repository root the deployment's bundle paths are relative to. */
  root?: string;
  /** Milliseconds to wait for the node. */
  timeoutMs?: number;
  /** Refuse a chain whose contracts' code differs from the bundles (default true). */
  checkCode?: boolean;
}

export interface SendOptions {
  /** Value transferred with a payable message. */
  value?: Amount;
  /** Percent added to the dry run's gas and storage deposit (default 25). */
  margin?: number;
}

/** Longest text fields, in bytes (contracts/src/types.rs). */
const MAX_NAME = 32;
const MAX_ENDPOINT = 128;
const MAX_ATTRIBUTES = 16;
const MAX_REQUIREMENT_ENTRIES = 8;

export class Dinfra {
  readonly contracts: Record<ContractName, ContractPromise>;
  readonly #byAddress: ContractsByAddress = new Map();

  private constructor(
    readonly api: ApiPromise,
    readonly loaded: LoadedDeployment,
  ) {
    this.contracts = {} as Record<ContractName, ContractPromise>;
    for (const name of CONTRACT_NAMES) {
      const { address } = loaded.deployment.contracts[name];
      this.contracts[name] = new ContractPromise(api, loaded.abis[name], address);
      this.#byAddress.set(this.contracts[name].address.toString(), { name, abi: loaded.abis[name] });
    }
  }

  /** Connects to `url` and checks that the deployment is on that chain:
   * same genesis, a contract at each address, running the bundle's code. */
  static async connect(url: string, deployment: string | LoadedDeployment, options: ConnectOptions = {}): Promise<Dinfra> {
    const loaded = typeof deployment === 'string' ? loadDeployment(deployment, options.root) : deployment;
    const api = await connectApi(url, options.timeoutMs);
    try {
      await checkChain(api, loaded, options.checkCode ?? true);
    } catch (error) {
      await api.disconnect();
      throw error;
    }
    return new Dinfra(api, loaded);
  }

  async disconnect(): Promise<void> {
    await this.api.disconnect();
  }

  address(contract: ContractName): string {
    return this.contracts[contract].address.toString();
  }

  // ---- any message ---------------------------------------------------------

  /** Runs `message` as `origin` without sending it. Throws `ContractError`
   * when it returns `Err`, `CallFailed` when it cannot run. */
  async dryRun(contract: ContractName, message: string, args: unknown[], origin: string, value: Amount = 0): Promise<DryRun> {
    const c = this.contracts[contract];
    const meta = c.abi.findMessage(message);
    const amount = toBalance(value, `${message} value`);
    if (amount > 0n && !meta.isPayable) throw new TypeError(`${contract}.${message} is not payable`);
    if (args.length !== meta.args.length) {
      throw new TypeError(`${contract}.${message} takes ${meta.args.length} arguments (${meta.args.map((a) => a.name).join(', ')}), got ${args.length}`);
    }
    const maxBlock = this.api.consts.system.blockWeights.maxBlock;
    const gasLimit = this.api.registry.createType('WeightV2', { refTime: maxBlock.refTime, proofSize: maxBlock.proofSize });
    const outcome = await c.query[meta.method]!(origin, { gasLimit, storageDepositLimit: null, value: amount }, ...args);
    const debug = outcome.debugMessage.toString();
    if (outcome.result.isErr) {
      throw new CallFailed(contract, message, dispatchErrorName(this.api, outcome.result.asErr), debug);
    }
    const ok = unwrapReply(contract, message, outcome.output, debug);
    if (outcome.result.asOk.flags.isRevert) throw new CallFailed(contract, message, 'reverted', debug);
    const deposit = outcome.storageDeposit;
    return {
      value: plain(ok),
      codec: ok,
      gasRequired: { refTime: BigInt(outcome.gasRequired.refTime.toString()), proofSize: BigInt(outcome.gasRequired.proofSize.toString()) },
      storageDeposit: deposit.isCharge ? BigInt(deposit.asCharge.toString()) : -BigInt(deposit.asRefund.toString()),
    };
  }

  /** A read-only message's `Ok` value (as plain JavaScript). */
  async query<T = Plain>(contract: ContractName, message: string, args: unknown[] = [], origin = this.loaded.deployment.deployer): Promise<T> {
    return (await this.dryRun(contract, message, args, origin)).value as T;
  }

  /** Dry-runs `message` as the signer, then sends it with the gas and
   * storage deposit the dry run needed plus `margin` percent. A dry run that
   * returns `Err` throws `ContractError` and nothing is sent. */
  async send(signer: Signer, contract: ContractName, message: string, args: unknown[], options: SendOptions = {}): Promise<TxResult> {
    const margin = options.margin ?? 25;
    if (!Number.isInteger(margin) || margin < 0 || margin > 1000) throw new RangeError(`margin must be 0..1000 percent, got ${margin}`);
    const value = toBalance(options.value ?? 0, `${message} value`);
    const dryRun = await this.dryRun(contract, message, args, signer.address, value);
    const withMargin = (x: bigint): bigint => x + (x * BigInt(margin)) / 100n;
    const max = this.maxExtrinsicWeight();
    const gasLimit = {
      refTime: min(withMargin(dryRun.gasRequired.refTime), max.refTime),
      proofSize: min(withMargin(dryRun.gasRequired.proofSize), max.proofSize),
    };
    const storageDepositLimit = dryRun.storageDeposit > 0n ? withMargin(dryRun.storageDeposit) : 0n;
    const c = this.contracts[contract];
    const tx = c.tx[c.abi.findMessage(message).method]!(
      { gasLimit: this.api.registry.createType('WeightV2', gasLimit), storageDepositLimit, value },
      ...args,
    );
    let included: Included;
    try {
      included = await submit(this.api, tx, signer, `${contract}.${message}`);
    } catch (error) {
      if (error instanceof CallFailed) throw new CallFailed(contract, message, error.reason);
      throw error;
    }
    const storageDeposit = storageDepositOf(included.records, signer.address);
    return { ...included, contract, message, dryRun, gasLimit, storageDepositLimit, storageDeposit, events: this.decodeEvents(included.records) };
  }

  /** The contract events among `records` (a tx's or a block's), decoded with
   * the ABI of whichever of the four contracts emitted each. */
  decodeEvents(records: Included['records']): ContractEvent[] {
    return decodeEvents(records, this.#byAddress);
  }

  // ---- registry ------------------------------------------------------------

  /** Registers a deployment type (anyone may); returns its id. */
  async registerType(signer: Signer, name: string, schemaHash: string | Uint8Array): Promise<TxResult & { typeId: number }> {
    const tx = await this.send(signer, 'registry', 'register_type', [checkText(name, MAX_NAME, 'type name'), toHash32(schemaHash, 'schema hash')]);
    return { ...tx, typeId: eventNamed(tx.events, 'TypeRegistered', 'registry').args['typeId'] as number };
  }

  async typeIdByName(name: string): Promise<number | null> {
    return this.query<number | null>('registry', 'type_id_by_name', [checkText(name, MAX_NAME, 'type name')]);
  }

  /** Registers the signer as a provider, bonding `bond` (≥ the registry's minimum bond). */
  async registerProvider(signer: Signer, p: { name: string; endpoint: string; attributes?: Attribute[]; bond: Amount }): Promise<TxResult> {
    const args = [checkText(p.name, MAX_NAME, 'provider name'), checkText(p.endpoint, MAX_ENDPOINT, 'endpoint'), attributes(p.attributes ?? [], MAX_ATTRIBUTES, 'attributes')];
    return this.send(signer, 'registry', 'register_provider', args, { value: toPositiveBalance(p.bond, 'bond') });
  }

  /** Publishes an offer of the signer for `typeId`; returns its id. */
  async publishOffer(signer: Signer, typeId: number, terms: OfferTermsInput): Promise<TxResult & { offerId: bigint }> {
    const encoded = {
      pricePerBlock: toPositiveBalance(terms.pricePerBlock, 'price per block'),
      capacity: toUint(terms.capacity, 32, 'capacity'),
      minDuration: toUint(terms.minDuration, 32, 'min duration'),
      noticeBlocks: toUint(terms.noticeBlocks, 32, 'notice blocks'),
      pricing: terms.pricing ?? 'Fixed',
    };
    if (encoded.pricing !== 'Fixed' && encoded.pricing !== 'Dynamic') throw new TypeError(`pricing must be Fixed or Dynamic, got ${String(encoded.pricing)}`);
    const tx = await this.send(signer, 'registry', 'publish_offer', [toUint(typeId, 32, 'type id'), encoded]);
    return { ...tx, offerId: eventNamed(tx.events, 'OfferPublished', 'registry').args['offerId'] as bigint };
  }

  async withdrawOffer(signer: Signer, offerId: bigint | number): Promise<TxResult> {
    return this.send(signer, 'registry', 'withdraw_offer', [toUint(offerId, 64, 'offer id')]);
  }

  async offer(offerId: bigint | number): Promise<Offer | null> {
    return this.query<Offer | null>('registry', 'offer', [toUint(offerId, 64, 'offer id')]);
  }

  // ---- subscription ----------------------------------------------------------

  /** The consumer subscribes: an award picks an offer, `deposit` goes into
   * escrow. Returns the subscription id and the award. */
  async create(
    signer: Signer,
    s: { typeId: number; descriptor: Descriptor; requirements: RequirementsInput; deposit: Amount },
  ): Promise<TxResult & { id: bigint; provider: string; ratePerBlock: bigint }> {
    const descriptor = { hash: toHash32(s.descriptor.hash, 'descriptor hash'), uri: checkText(s.descriptor.uri, MAX_ENDPOINT, 'descriptor uri') };
    const args = [toUint(s.typeId, 32, 'type id'), descriptor, requirements(s.requirements)];
    const tx = await this.send(signer, 'subscription', 'create', args, { value: toPositiveBalance(s.deposit, 'deposit') });
    const awarded = eventNamed(tx.events, 'Awarded', 'subscription').args;
    return { ...tx, id: awarded['id'] as bigint, provider: awarded['provider'] as string, ratePerBlock: awarded['ratePerBlock'] as bigint };
  }

  /** The provider declares the deployment ready: billing starts. */
  async markReady(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'mark_ready', [toUint(id, 64, 'subscription id')]);
  }

  /** The provider is paid what it earned; returns the amount. */
  async claim(signer: Signer, id: bigint | number): Promise<TxResult & { amount: bigint }> {
    const tx = await this.send(signer, 'subscription', 'claim', [toUint(id, 64, 'subscription id')]);
    return { ...tx, amount: eventNamed(tx.events, 'Claimed', 'subscription').args['amount'] as bigint };
  }

  /** Adds `amount` to a subscription's escrow (anyone may). */
  async topUp(signer: Signer, id: bigint | number, amount: Amount): Promise<TxResult> {
    return this.send(signer, 'subscription', 'top_up', [toUint(id, 64, 'subscription id')], { value: toPositiveBalance(amount, 'top-up') });
  }

  /** The consumer cancels (before ready: closed and refunded at once). */
  async cancel(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'cancel', [toUint(id, 64, 'subscription id')]);
  }

  /** Closes an ended or exhausted subscription (anyone may). */
  async settle(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'settle', [toUint(id, 64, 'subscription id')]);
  }

  /** The subscription and its stream's live figures, null if unknown. */
  async details(id: bigint | number): Promise<Details | null> {
    return this.query<Details | null>('subscription', 'details', [toUint(id, 64, 'subscription id')]);
  }

  /** A consumer's subscriptions, oldest first, from `cursor` (limit 1..=100). */
  async subscriptionsOfConsumer(consumer: string, cursor = 0, limit = 100): Promise<SubscriptionPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`limit must be 1..100, got ${limit}`);
    const [total, entries] = await this.query<[number, [bigint, SubscriptionPage['entries'][number]['subscription']][]]>(
      'subscription',
      'subscriptions_of_consumer',
      [validateAddress(consumer, 'consumer'), toUint(cursor, 32, 'cursor'), limit],
    );
    return { total, entries: entries.map(([id, subscription]) => ({ id, subscription })) };
  }

  async subscriptionCount(): Promise<bigint> {
    return this.query<bigint>('subscription', 'subscription_count');
  }

  // ---- escrow and chain ------------------------------------------------------

  /** Σ held over all streams. */
  async totalHeld(): Promise<bigint> {
    return this.query<bigint>('escrow', 'total_held');
  }

  async freeBalance(address: string): Promise<bigint> {
    return freeBalance(this.api, validateAddress(address, 'account'));
  }

  async bestNumber(): Promise<number> {
    return bestNumber(this.api);
  }

  /** Sends remarks signed by `signer` until the best block is ≥ `target`. */
  async advanceTo(target: number, signer: Signer): Promise<{ reached: number; remarks: number }> {
    return advanceTo(this.api, target, signer);
  }

  private maxExtrinsicWeight(): Weight {
    const weights = this.api.consts.system.blockWeights;
    const perExtrinsic = weights.perClass.normal.maxExtrinsic;
    const w = perExtrinsic.isSome ? perExtrinsic.unwrap() : weights.maxBlock;
    return { refTime: BigInt(w.refTime.toString()), proofSize: BigInt(w.proofSize.toString()) };
  }
}

async function checkChain(api: ApiPromise, loaded: LoadedDeployment, checkCode: boolean): Promise<void> {
  const { deployment, path } = loaded;
  const genesis = api.genesisHash.toHex();
  if (genesis.toLowerCase() !== deployment.genesis_hash.toLowerCase()) {
    throw new Error(
      `${path} was deployed on chain ${deployment.genesis_hash}, but the node is chain ${genesis} ` +
        '(a dev node started with temporary state is a new chain each time: deploy again)',
    );
  }
  for (const name of CONTRACT_NAMES) {
    const { address } = deployment.contracts[name];
    const info = await api.query.contracts.contractInfoOf(address);
    if (info.isNone) throw new Error(`no contract at the ${name} address ${address} of ${path}`);
    const onChain = info.unwrap().codeHash.toHex().toLowerCase();
    const bundle = bundleCodeHash(loaded.abis[name]);
    if (checkCode && bundle && bundle !== onChain) {
      throw new Error(`the ${name} contract runs code ${onChain}, but its bundle ${deployment.contracts[name].bundle} is code ${bundle}: rebuild or redeploy`);
    }
  }
}

/** Net storage deposit `account` paid in `records`. */
function storageDepositOf(records: Included['records'], account: string): bigint {
  const who = validateAddress(account, 'signer');
  let net = 0n;
  for (const { event } of records) {
    if (event.section !== 'contracts' || event.data.length !== 3) continue;
    const [from, to, amount] = event.data.map(String);
    if (event.method === 'StorageDepositTransferredAndHeld' && validateAddress(from!, 'from') === who) net += BigInt(amount!);
    if (event.method === 'StorageDepositTransferredAndReleased' && validateAddress(to!, 'to') === who) net -= BigInt(amount!);
  }
  return net;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function attributes(list: Attribute[], max: number, what: string): Attribute[] {
  if (!Array.isArray(list) || list.length > max) throw new RangeError(`${what}: at most ${max} attributes`);
  return list.map((a, i) => ({ key: checkText(a.key, MAX_NAME, `${what}[${i}].key`), value: checkText(a.value, MAX_NAME, `${what}[${i}].value`) }));
}

function accounts(list: string[] | undefined, what: string): string[] {
  const out = (list ?? []).map((a, i) => validateAddress(a, `${what}[${i}]`));
  if (out.length > MAX_REQUIREMENT_ENTRIES) throw new RangeError(`${what}: at most ${MAX_REQUIREMENT_ENTRIES} entries`);
  return out;
}

/** Requirements with every list filled in, checked. */
export function requirements(r: RequirementsInput): Record<string, unknown> {
  const preferredProviders = accounts(r.preferredProviders, 'preferredProviders');
  if (r.preferredOnly && preferredProviders.length === 0) throw new TypeError('preferredOnly needs at least one preferred provider');
  return {
    maxPricePerBlock: toPositiveBalance(r.maxPricePerBlock, 'maxPricePerBlock'),
    requiredAttributes: attributes(r.requiredAttributes ?? [], MAX_REQUIREMENT_ENTRIES, 'requiredAttributes'),
    excludedAttributes: attributes(r.excludedAttributes ?? [], MAX_REQUIREMENT_ENTRIES, 'excludedAttributes'),
    preferredProviders,
    preferredOnly: r.preferredOnly ?? false,
    excludedProviders: accounts(r.excludedProviders, 'excludedProviders'),
    trustedAttestors: accounts(r.trustedAttestors, 'trustedAttestors'),
    minDuration: toUint(r.minDuration ?? 0, 32, 'minDuration'),
  };
}
