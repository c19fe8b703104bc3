// The DINFRA suite on a node: dry-run-then-send calls to any message of the
// four contracts, typed wrappers for the main paths, and queries.

import '@polkadot/api-augment';
import type { ApiPromise } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import { blake2AsU8a } from '@polkadot/util-crypto';
import type { Codec } from '@polkadot/types/types';
import { advanceTo, bestNumber, connectApi, dispatchErrorName, freeBalance, submit, type Included, type Signer } from './chain.js';
import { checkText, plain, toBalance, toHash32, toPositiveBalance, toUint, validateAddress, type Amount, type Plain } from './codec.js';
import { bundleCodeHash, CONTRACT_NAMES, type ContractLabel, type ContractName, type Deployment, type LoadedDeployment } from './deployment.js';
import { CallFailed } from './errors.js';
import { unwrapReply } from './reply.js';
import { decodeEvents, eventNamed, eventsNamed, type ContractEvent, type ContractsByAddress } from './events.js';
import { checkGovernance, encodeChange, GovernanceRefused, scheduledChange, type GovernanceReport } from './governance.js';
import type {
  Attribute,
  Change,
  DeploymentType,
  Descriptor,
  Details,
  Offer,
  OfferTermsInput,
  RegistryParameters,
  RequirementsInput,
  ScheduledChange,
  Strategy,
  SubscriptionPage,
  SubscriptionParameters,
} from './types.js';

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

/** A contract outside the four that a `Dinfra` calls as it calls them, with
 * the same dry run, gas, deposit and error decoding: a pool (`Pool`). */
export interface CallTarget {
  name: ContractLabel;
  contract: ContractPromise;
}

/** A contract call in a block. */
export interface TxResult extends Included {
  contract: ContractLabel;
  message: string;
  dryRun: DryRun;
  gasLimit: Weight;
  storageDepositLimit: bigint;
  /** Storage deposit the signer paid (negative: was refunded), from
   * `contracts.StorageDepositTransferredAndHeld/Released`. */
  storageDeposit: bigint;
  /** Every event the four contracts (and the targets `watch`ed) emitted
   * during the call, in order. */
  events: ContractEvent[];
}

export interface ConnectOptions {
  /** Milliseconds to wait for the node. */
  timeoutMs?: number;
  /** Refuse a chain whose contracts' code differs from the bundles (default true). */
  checkCode?: boolean;
  /** Refuse a deployment whose subscription consumer notice is more than
   * half of any contract's governance delay (default true; `GovernanceRefused`). */
  checkGovernance?: boolean;
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
/** An offer's cancel fee is at most this many blocks of its price. */
const MAX_CANCEL_FEE_BLOCKS = 100n;
/** Longest term (and governance delay), in blocks: 10 years of 6 s blocks. */
const MAX_TERM_BLOCKS = 52_560_000;
/** An award compares MIN_AWARD_WINDOW..=MAX_PAGE fitting offers (found among MAX_PAGE index positions). */
const MIN_AWARD_WINDOW = 17;
const MAX_PAGE = 100;

/** A claim takes at most this many subscriptions (`dinfra::types::MAX_BATCH`,
 * the escrow's and the subscription contract's batch limit). */
export const MAX_CLAIM_BATCH = 50;

/** What a claim paid: the total, and each subscription's share
 * (`[subscription id, amount]`, those that paid nothing left out). */
export interface ClaimResult extends TxResult {
  amount: bigint;
  claims: [bigint, bigint][];
}

/** What `scheduleChange` did: applied at once (a first wiring, a longer
 * delay) or pending until `eta`. */
export interface ScheduledResult {
  id: number;
  applied: boolean;
  /** The block from which anyone may apply it (the block it was sent in, if applied). */
  eta: number;
}

export class Dinfra {
  readonly contracts: Record<ContractName, ContractPromise>;
  readonly #byAddress: ContractsByAddress = new Map();
  /** Each contract's governance delay and pending changes, and the
   * subscription parameters, as `connect` found them (`governanceReport()`
   * reads them again). */
  governance!: GovernanceReport;

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
   * same genesis, a contract at each address, running the bundle's code;
   * then reads each contract's governance delay and pending changes
   * (`dinfra.governance`) and refuses a deployment whose consumer notice is
   * more than half of any delay (`GovernanceRefused`). */
  static async connect(url: string, deployment: Deployment | LoadedDeployment, options: ConnectOptions = {}): Promise<Dinfra> {
    // A deployment object gets the package's metadata (imported only then:
    // the repository's demo connects with bundles it loaded itself).
    if (typeof deployment !== 'object' || deployment === null) {
      throw new TypeError('Dinfra.connect takes a deployment object; a deployments json file is read by loadDeployment(path) of @dinfra/client/node');
    }
    const loaded = 'abis' in deployment ? deployment : (await import('./metadata.js')).loadSuite(deployment);
    const api = await connectApi(url, options.timeoutMs);
    try {
      await checkChain(api, loaded, options.checkCode ?? true);
      const dinfra = new Dinfra(api, loaded);
      dinfra.governance = await dinfra.governanceReport();
      const problems = checkGovernance(dinfra.governance);
      if (problems.length > 0 && (options.checkGovernance ?? true)) throw new GovernanceRefused(problems, dinfra.governance);
      return dinfra;
    } catch (error) {
      await api.disconnect();
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    await this.api.disconnect();
  }

  address(contract: ContractName): string {
    return this.contracts[contract].address.toString();
  }

  // ---- any message ---------------------------------------------------------

  /** Decodes the events of `target` too (in `send`'s `events` and
   * `decodeEvents`). */
  watch(target: CallTarget): void {
    this.#byAddress.set(target.contract.address.toString(), { name: target.name, abi: target.contract.abi });
  }

  #target(contract: ContractName | CallTarget): [ContractPromise, ContractLabel] {
    return typeof contract === 'string' ? [this.contracts[contract], contract] : [contract.contract, contract.name];
  }

  /** Runs `message` as `origin` without sending it. Throws `ContractError`
   * when it returns `Err`, `CallFailed` when it cannot run. `target` is one
   * of the four, or another contract (`CallTarget`). */
  async dryRun(target: ContractName | CallTarget, message: string, args: unknown[], origin: string, value: Amount = 0): Promise<DryRun> {
    const [c, contract] = this.#target(target);
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
    const ok = unwrapReply(contract, message, outcome.output, debug, c.abi);
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
  async query<T = Plain>(contract: ContractName | CallTarget, message: string, args: unknown[] = [], origin = this.loaded.deployment.deployer): Promise<T> {
    return (await this.dryRun(contract, message, args, origin)).value as T;
  }

  /** Dry-runs `message` as the signer, then sends it with the gas and
   * storage deposit the dry run needed plus `margin` percent. A dry run that
   * returns `Err` throws `ContractError` and nothing is sent. */
  async send(signer: Signer, target: ContractName | CallTarget, message: string, args: unknown[], options: SendOptions = {}): Promise<TxResult> {
    const [c, contract] = this.#target(target);
    const margin = options.margin ?? 25;
    if (!Number.isInteger(margin) || margin < 0 || margin > 1000) throw new RangeError(`margin must be 0..1000 percent, got ${margin}`);
    const value = toBalance(options.value ?? 0, `${message} value`);
    const dryRun = await this.dryRun(target, message, args, signer.address, value);
    const withMargin = (x: bigint): bigint => x + (x * BigInt(margin)) / 100n;
    const max = this.maxExtrinsicWeight();
    const gasLimit = {
      refTime: min(withMargin(dryRun.gasRequired.refTime), max.refTime),
      proofSize: min(withMargin(dryRun.gasRequired.proofSize), max.proofSize),
    };
    const storageDepositLimit = dryRun.storageDeposit > 0n ? withMargin(dryRun.storageDeposit) : 0n;
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

  /** A deployment type's name, schema hash and registrant; null if no such id. */
  async deploymentType(typeId: number): Promise<DeploymentType | null> {
    return this.query<DeploymentType | null>('registry', 'deployment_type', [toUint(typeId, 32, 'type id')]);
  }

  /** Registers the signer as a provider, bonding `bond` (≥ the registry's minimum bond). */
  async registerProvider(signer: Signer, p: { name: string; endpoint: string; attributes?: Attribute[]; bond: Amount }): Promise<TxResult> {
    const args = [checkText(p.name, MAX_NAME, 'provider name'), checkText(p.endpoint, MAX_ENDPOINT, 'endpoint'), attributes(p.attributes ?? [], MAX_ATTRIBUTES, 'attributes')];
    return this.send(signer, 'registry', 'register_provider', args, { value: toPositiveBalance(p.bond, 'bond') });
  }

  /** Publishes an offer of the signer for `typeId`; returns its id. */
  async publishOffer(signer: Signer, typeId: number, terms: OfferTermsInput): Promise<TxResult & { offerId: bigint }> {
    const tx = await this.send(signer, 'registry', 'publish_offer', [toUint(typeId, 32, 'type id'), offerTerms(terms)]);
    return { ...tx, offerId: eventNamed(tx.events, 'OfferPublished', 'registry').args['offerId'] as bigint };
  }

  /** Replaces an offer's terms (reserved subscriptions keep theirs). */
  async updateOffer(signer: Signer, offerId: bigint | number, terms: OfferTermsInput): Promise<TxResult> {
    return this.send(signer, 'registry', 'update_offer', [toUint(offerId, 64, 'offer id'), offerTerms(terms)]);
  }

  async withdrawOffer(signer: Signer, offerId: bigint | number): Promise<TxResult> {
    return this.send(signer, 'registry', 'withdraw_offer', [toUint(offerId, 64, 'offer id')]);
  }

  async offer(offerId: bigint | number): Promise<Offer | null> {
    return this.query<Offer | null>('registry', 'offer', [toUint(offerId, 64, 'offer id')]);
  }

  /** Every live offer of `provider`, awardable now or not (paused, full). */
  async offersOfProvider(provider: string): Promise<{ offerId: bigint; offer: Offer }[]> {
    const entries = await this.query<[bigint, Offer][]>('registry', 'offers_of_provider', [validateAddress(provider, 'provider')]);
    return entries.map(([offerId, offer]) => ({ offerId, offer }));
  }

  async registryParameters(): Promise<RegistryParameters> {
    return this.query<RegistryParameters>('registry', 'parameters');
  }

  // ---- subscription ----------------------------------------------------------

  /** The consumer subscribes to `offerId`, or — without it — to the offer
   * the award contract picks; `deposit` goes into escrow. Either way the
   * registry's terms of the offer are checked against every requirement
   * (`Unfit(…)` names the first it fails). Returns the subscription id and
   * the award. */
  async create(
    signer: Signer,
    s: { typeId: number; descriptor: Descriptor; requirements: RequirementsInput; deposit: Amount; offerId?: bigint | number | null },
  ): Promise<TxResult & { id: bigint; provider: string; offerId: bigint; ratePerBlock: bigint; readyDeadline: number }> {
    const tx = await this.send(signer, 'subscription', 'Subscription::create', createArgs(s), { value: toPositiveBalance(s.deposit, 'deposit') });
    const awarded = eventNamed(tx.events, 'Awarded', 'subscription').args;
    return {
      ...tx,
      id: awarded['id'] as bigint,
      provider: awarded['provider'] as string,
      offerId: awarded['offerId'] as bigint,
      ratePerBlock: awarded['ratePerBlock'] as bigint,
      readyDeadline: awarded['readyDeadline'] as number,
    };
  }

  /** The awarded provider turns the award down (before ready, within its
   * deadline; no mark against it). The award goes to the next provider that
   * fits (`next`), or the subscription closes with a full refund (`closed`). */
  async decline(signer: Signer, id: bigint | number): Promise<TxResult & { next: { provider: string; offerId: bigint } | null; closed: boolean }> {
    const tx = await this.send(signer, 'subscription', 'decline', [toUint(id, 64, 'subscription id')]);
    return { ...tx, ...handedOver(tx.events) };
  }

  /** After the provider's ready deadline (anyone): the award goes to the
   * next provider that fits, or the subscription closes (`ReadyTimeout`). */
  async reaward(signer: Signer, id: bigint | number): Promise<TxResult & { next: { provider: string; offerId: bigint } | null; closed: boolean }> {
    const tx = await this.send(signer, 'subscription', 'reaward', [toUint(id, 64, 'subscription id')]);
    return { ...tx, ...handedOver(tx.events) };
  }

  /** The provider leaves (before ready: closed at once; after: after the offer's notice). */
  async exit(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'exit', [toUint(id, 64, 'subscription id')]);
  }

  /** The provider asks for a new rate (Dynamic: applied after the notice,
   * at most the consumer's repricing bound; Fixed: when the consumer accepts it). */
  async proposePrice(signer: Signer, id: bigint | number, rate: Amount): Promise<TxResult & { effectiveAt: number; needsConsent: boolean }> {
    const tx = await this.send(signer, 'subscription', 'propose_price', [toUint(id, 64, 'subscription id'), toPositiveBalance(rate, 'rate')]);
    const proposed = eventNamed(tx.events, 'PriceProposed', 'subscription').args;
    return { ...tx, effectiveAt: proposed['effectiveAt'] as number, needsConsent: proposed['needsConsent'] as boolean };
  }

  /** The consumer accepts the Fixed-price proposal of `rate` — the rate it
   * saw (`details(id).subscription.priceChange.rate`): if the provider
   * replaced it since, the dry run refuses with `ProposalChanged` and
   * nothing is sent. */
  async acceptPrice(signer: Signer, id: bigint | number, rate: Amount): Promise<TxResult> {
    return this.send(signer, 'subscription', 'Subscription::accept_price', [toUint(id, 64, 'subscription id'), toPositiveBalance(rate, 'rate')]);
  }

  /** The consumer turns a Fixed-price proposal down; the rate stays. */
  async rejectPrice(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'Subscription::reject_price', [toUint(id, 64, 'subscription id')]);
  }

  /** Applies a Dynamic price change whose notice has passed (anyone). */
  async applyPrice(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'apply_price', [toUint(id, 64, 'subscription id')]);
  }

  /** The provider declares the deployment ready, publishing the URIs the
   * consumer reaches it at (its access record: at most 4, each ≤ 128 bytes,
   * none twice): billing starts. */
  async markReady(signer: Signer, id: bigint | number, access: string[] = []): Promise<TxResult> {
    return this.send(signer, 'subscription', 'mark_ready', [toUint(id, 64, 'subscription id'), accessRecord(access)]);
  }

  /** The provider is paid what subscription `id` earned so far: `claimMany`
   * of one. Returns the amount. */
  async claim(signer: Signer, id: bigint | number): Promise<ClaimResult> {
    return this.claimMany(signer, [id]);
  }

  /** The provider is paid what `ids` earned so far, as the reactor claims:
   * in one call straight to the escrow (`Escrow::withdraw_many` of their
   * streams, whose payee the provider is), which does not load the
   * subscription contract's code — about a third of the cost of that
   * contract's own `claim_many` (2.1·10⁹ ref_time for one against 5.9·10⁹
   * in the bench), which `send(signer, 'subscription', 'claim_many', [ids])`
   * still reaches, with its `Claimed` event.
   *
   * 1 to `MAX_CLAIM_BATCH` ids, none twice. The subscription contract's
   * rules are checked first by a dry run of its `claim_many` as the signer
   * (no block): an unknown id, a caller who is not the provider, a
   * subscription not yet ready or closed, or nothing earned at all is
   * refused with its `ContractError` and nothing is sent. Returns the total
   * and what each subscription paid (those that earned nothing since the
   * last claim are left out), from the escrow's `Withdrawn` event. */
  async claimMany(signer: Signer, ids: readonly (bigint | number)[]): Promise<ClaimResult> {
    const subscriptionIds = ids.map((id) => toUint(id, 64, 'subscription id'));
    if (subscriptionIds.length === 0 || subscriptionIds.length > MAX_CLAIM_BATCH) {
      throw new RangeError(`a claim takes 1 to ${MAX_CLAIM_BATCH} subscriptions, got ${subscriptionIds.length}`);
    }
    if (new Set(subscriptionIds).size !== subscriptionIds.length) throw new RangeError('a claim names each subscription once');
    await this.dryRun('subscription', 'claim_many', [subscriptionIds], signer.address);
    // The streams, read together: one round trip's wait for the batch, not one per id.
    const found = await Promise.all(subscriptionIds.map((id) => this.details(id)));
    const subscriptionOf = new Map<bigint, bigint>();
    found.forEach((details, i) => {
      const id = subscriptionIds[i]!;
      // The dry run just found it; only a contract replaced in between loses it.
      if (!details) throw new Error(`subscription ${id} is gone since the claim's dry run`);
      subscriptionOf.set(BigInt(details.subscription.streamId), id);
    });
    const tx = await this.send(signer, 'escrow', 'Escrow::withdraw_many', [[...subscriptionOf.keys()]]);
    const paid = eventsNamed(tx.events, 'Withdrawn', 'escrow').find((e) => e.args['payee'] === signer.address);
    const claims: [bigint, bigint][] = ((paid?.args['streams'] ?? []) as [bigint, bigint][]).map(([stream, amount]) => [subscriptionOf.get(BigInt(stream))!, BigInt(amount)]);
    return { ...tx, amount: paid ? BigInt(paid.args['amount'] as bigint) : 0n, claims };
  }

  /** Adds `amount` to a subscription's escrow (anyone may). */
  async topUp(signer: Signer, id: bigint | number, amount: Amount): Promise<TxResult> {
    return this.send(signer, 'subscription', 'Subscription::top_up', [toUint(id, 64, 'subscription id')], { value: toPositiveBalance(amount, 'top-up') });
  }

  /** The consumer cancels. Before ready: closed at once, refunded but the
   * offer's cancel fee (within the ready deadline). After: billing ends after
   * the consumer notice and the minimum duration — the notice alone after
   * the provider's exit or while `governancePending()`. */
  async cancel(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'Subscription::cancel', [toUint(id, 64, 'subscription id')]);
  }

  /** Closes an ended or exhausted subscription (anyone may). */
  async settle(signer: Signer, id: bigint | number): Promise<TxResult> {
    return this.send(signer, 'subscription', 'settle', [toUint(id, 64, 'subscription id')]);
  }

  /** The subscription and its stream's live figures, null if unknown. */
  async details(id: bigint | number): Promise<Details | null> {
    return this.query<Details | null>('subscription', 'Subscription::details', [toUint(id, 64, 'subscription id')]);
  }

  /** A consumer's subscriptions, oldest first, from `cursor` (limit 1..=100). */
  async subscriptionsOfConsumer(consumer: string, cursor = 0, limit = 100): Promise<SubscriptionPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`limit must be 1..100, got ${limit}`);
    const [total, entries] = await this.query<[number, [bigint, SubscriptionPage['entries'][number]['subscription']][]]>(
      'subscription',
      'Subscription::subscriptions_of_consumer',
      [validateAddress(consumer, 'consumer'), toUint(cursor, 32, 'cursor'), limit],
    );
    return { total, entries: entries.map(([id, subscription]) => ({ id, subscription })) };
  }

  async subscriptionCount(): Promise<bigint> {
    return this.query<bigint>('subscription', 'subscription_count');
  }

  async subscriptionParameters(): Promise<SubscriptionParameters> {
    return this.query<SubscriptionParameters>('subscription', 'parameters');
  }

  /** Whether the subscription contract, the registry or the escrow has a
   * governance change pending: while one has, a consumer's cancel waives
   * the minimum duration (only the consumer notice applies). */
  async governancePending(): Promise<boolean> {
    return this.query<boolean>('subscription', 'governance_pending');
  }

  // ---- escrow ----------------------------------------------------------------

  /** Σ held over all streams. */
  async totalHeld(): Promise<bigint> {
    return this.query<bigint>('escrow', 'total_held');
  }

  /** The payer closes a stream nothing steers any more (the escrow's
   * controller changed since it was opened, or is no contract): the payee is
   * paid what it earned, the payer the rest. Refused with `ControllerWorking`
   * while the controller still steers it (then `cancel` is the way). */
  async reclaim(signer: Signer, streamId: bigint | number): Promise<TxResult & { paid: bigint; refunded: bigint }> {
    const tx = await this.send(signer, 'escrow', 'reclaim', [toUint(streamId, 64, 'stream id')]);
    const closed = eventNamed(tx.events, 'StreamClosed', 'escrow').args;
    return { ...tx, paid: closed['paid'] as bigint, refunded: closed['refunded'] as bigint };
  }

  /** Pays the signer the payments the runtime refused it earlier (a reaped
   * account, say); returns the amount. `NoCredit` if there is none. */
  async withdrawCredit(signer: Signer): Promise<TxResult & { amount: bigint }> {
    const tx = await this.send(signer, 'escrow', 'withdraw_credit', []);
    return { ...tx, amount: eventNamed(tx.events, 'CreditWithdrawn', 'escrow').args['amount'] as bigint };
  }

  /** What `account` may take with `withdrawCredit`. */
  async creditOf(account: string): Promise<bigint> {
    return this.query<bigint>('escrow', 'credit_of', [validateAddress(account, 'account')]);
  }

  /** Σ credits over all accounts. */
  async totalCredited(): Promise<bigint> {
    return this.query<bigint>('escrow', 'total_credited');
  }

  /** How many times the escrow's controller changed; a stream opened in an
   * earlier epoch may be reclaimed by its payer. */
  async controllerEpoch(): Promise<number> {
    return this.query<number>('escrow', 'controller_epoch');
  }

  // ---- governance (every contract's Admin) -------------------------------------

  /** Blocks a scheduled change of `contract` waits before it may be applied. */
  async governanceDelay(contract: ContractName): Promise<number> {
    return this.query<number>(contract, 'Admin::governance_delay');
  }

  /** The changes scheduled on `contract` and not yet applied or cancelled. */
  async pendingChanges(contract: ContractName): Promise<ScheduledChange[]> {
    return (await this.query<Plain[]>(contract, 'Admin::pending_changes')).map(scheduledChange);
  }

  /** Every contract's governance delay and pending changes, and the
   * subscription parameters, read now (`checkGovernance` judges it). */
  async governanceReport(): Promise<GovernanceReport> {
    const block = await this.bestNumber();
    const contracts = {} as GovernanceReport['contracts'];
    for (const name of CONTRACT_NAMES) {
      const [delay, pending] = await Promise.all([this.governanceDelay(name), this.pendingChanges(name)]);
      contracts[name] = { delay, pending };
    }
    return { block, contracts, parameters: await this.subscriptionParameters() };
  }

  /** Where a contract's link points now: the registry's and escrow's
   * controller, the award's selector (`Controller`), the subscription
   * contract's award (`Award`). */
  async link(contract: ContractName, link: 'Controller' | 'Award'): Promise<string | null> {
    const message = LINK_QUERIES[contract][link];
    if (!message) throw new TypeError(`the ${contract} contract has no ${link} link`);
    return this.query<string | null>(contract, message);
  }

  /** The admin schedules `change` on `contract`. A first wiring of an unset
   * link and a longer delay apply at once; anything else waits the
   * contract's governance delay (then `applyChange`, by anyone). */
  async scheduleChange(signer: Signer, contract: ContractName, change: Change): Promise<TxResult & ScheduledResult> {
    const tx = await this.send(signer, contract, 'Admin::schedule_change', [encodeChange(change)]);
    const id = tx.dryRun.value as number;
    const scheduled = eventsNamed(tx.events, 'ChangeScheduled', contract).find((e) => e.args['id'] === id);
    if (scheduled) return { ...tx, id, applied: false, eta: scheduled.args['eta'] as number };
    eventNamed(tx.events, 'ChangeApplied', contract);
    return { ...tx, id, applied: true, eta: tx.blockNumber };
  }

  /** Applies a due change (anyone); `NotDue` before its eta. */
  async applyChange(signer: Signer, contract: ContractName, id: number): Promise<TxResult> {
    return this.send(signer, contract, 'Admin::apply_change', [toUint(id, 32, 'change id')]);
  }

  /** The admin withdraws a pending change. */
  async cancelChange(signer: Signer, contract: ContractName, id: number): Promise<TxResult> {
    return this.send(signer, contract, 'Admin::cancel_change', [toUint(id, 32, 'change id')]);
  }

  /** New subscription parameters (admin): for subscriptions created from
   * now on; the consumer notice is at most half the governance delay. */
  async configureSubscription(signer: Signer, parameters: SubscriptionParameters): Promise<TxResult> {
    const encoded = { readyTimeout: toUint(parameters.readyTimeout, 32, 'ready timeout'), consumerNotice: toUint(parameters.consumerNotice, 32, 'consumer notice') };
    return this.send(signer, 'subscription', 'configure', [encoded]);
  }

  /** New registry parameters (admin): for later registrations and deregistrations. */
  async configureRegistry(signer: Signer, parameters: { minBond: Amount; unbondingBlocks: number }): Promise<TxResult> {
    const encoded = { minBond: toBalance(parameters.minBond, 'min bond'), unbondingBlocks: toUint(parameters.unbondingBlocks, 32, 'unbonding blocks') };
    return this.send(signer, 'registry', 'configure', [encoded]);
  }

  /** How many fitting offers the award contract compares (17..=100) and its strategy (admin). */
  async configureAward(signer: Signer, maxCandidates: number, strategy: Strategy = 'RoundRobin'): Promise<TxResult> {
    return this.send(signer, 'award', 'configure', [awardWindow(maxCandidates), strategy]);
  }

  /** The same for the registry's own awards (its admin): what `create` uses
   * while the subscription contract's award link names the registry. */
  async configureRegistryAward(signer: Signer, maxCandidates: number, strategy: Strategy = 'RoundRobin'): Promise<TxResult> {
    return this.send(signer, 'registry', 'configure_award', [{ maxCandidates: awardWindow(maxCandidates), strategy }]);
  }

  /** The offer a `create` of subscription `id` naming none would be awarded,
   * from a dry run of exactly what `create` calls, with the subscription
   * contract as origin (a dry run takes any origin without a signature; both
   * calls answer only that contract): `Registry::award` when the award link
   * names the registry (the reservation it would make, its terms as the
   * registry holds them), `Award::select` when it names an award contract.
   * `requirements` and `typeId` as `createArgs` encodes them. The Random
   * strategy's seed is taken at the current block, the create's may differ. */
  async awardPreview(requirements: unknown, typeId: number, id: bigint): Promise<{ offerId: bigint; provider: string; pricePerBlock: bigint }> {
    const origin = this.address('subscription');
    if ((await this.link('subscription', 'Award')) === this.address('registry')) {
      const seed = randomSeed(id, await this.bestNumber());
      const reservation = await this.query<{ offer: { offerId: bigint; provider: string; pricePerBlock: bigint } }>('registry', 'Registry::award', [typeId, requirements, seed, null], origin);
      const { offerId, provider, pricePerBlock } = reservation.offer;
      return { offerId, provider, pricePerBlock };
    }
    return this.query('award', 'Award::select', [requirements, typeId, id], origin);
  }

  // ---- chain -------------------------------------------------------------------

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
      throw new Error(`the ${name} contract runs code ${onChain}, but its metadata (${deployment.contracts[name].bundle ?? 'the package\'s'}) is for code ${bundle}: rebuild or redeploy`);
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

function term(value: number | bigint, what: string): bigint {
  const n = toUint(value, 32, what);
  if (n > BigInt(MAX_TERM_BLOCKS)) throw new RangeError(`${what} must be at most ${MAX_TERM_BLOCKS} blocks, got ${n}`);
  return n;
}

/** Requirements with every field filled in, checked as the contracts check
 * them (`Requirements::validate`). */
export function requirements(r: RequirementsInput): Record<string, unknown> {
  const preferredProviders = accounts(r.preferredProviders, 'preferredProviders');
  if (r.preferredOnly && preferredProviders.length === 0) throw new TypeError('preferredOnly needs at least one preferred provider');
  const maxPricePerBlock = toPositiveBalance(r.maxPricePerBlock, 'maxPricePerBlock');
  const maxRate = r.maxRate === undefined || r.maxRate === null ? null : toBalance(r.maxRate, 'maxRate');
  if (maxRate !== null && maxRate < maxPricePerBlock) throw new RangeError(`maxRate (${maxRate}) must be at least maxPricePerBlock (${maxPricePerBlock})`);
  const fixedPriceOnly = r.fixedPriceOnly ?? false;
  if (typeof fixedPriceOnly !== 'boolean') throw new TypeError('fixedPriceOnly must be a boolean');
  const maxNoticeBlocks = r.maxNoticeBlocks === undefined || r.maxNoticeBlocks === null ? null : term(r.maxNoticeBlocks, 'maxNoticeBlocks');
  const minRepriceNotice = term(r.minRepriceNotice ?? 0, 'minRepriceNotice');
  if (!fixedPriceOnly && maxNoticeBlocks !== null && maxNoticeBlocks < minRepriceNotice) {
    throw new RangeError(`maxNoticeBlocks (${maxNoticeBlocks}) below minRepriceNotice (${minRepriceNotice}) leaves no Dynamic offer: raise it or ask for fixedPriceOnly`);
  }
  return {
    maxPricePerBlock,
    requiredAttributes: attributes(r.requiredAttributes ?? [], MAX_REQUIREMENT_ENTRIES, 'requiredAttributes'),
    excludedAttributes: attributes(r.excludedAttributes ?? [], MAX_REQUIREMENT_ENTRIES, 'excludedAttributes'),
    preferredProviders,
    preferredOnly: r.preferredOnly ?? false,
    excludedProviders: accounts(r.excludedProviders, 'excludedProviders'),
    trustedAttestors: accounts(r.trustedAttestors, 'trustedAttestors'),
    minDuration: term(r.minDuration ?? 0, 'minDuration'),
    fixedPriceOnly,
    maxRate,
    maxNoticeBlocks,
    minRepriceNotice,
    maxCancelFee: toBalance(r.maxCancelFee ?? 0, 'maxCancelFee'),
  };
}

/** An offer's terms, checked (`OfferTerms::validate`): the cancel fee at
 * most 100 blocks of the price. */
export function offerTerms(terms: OfferTermsInput): Record<string, unknown> {
  const pricePerBlock = toPositiveBalance(terms.pricePerBlock, 'price per block');
  const capacity = toUint(terms.capacity, 32, 'capacity');
  if (capacity === 0n) throw new RangeError('capacity must be above 0');
  const pricing = terms.pricing ?? 'Fixed';
  if (pricing !== 'Fixed' && pricing !== 'Dynamic') throw new TypeError(`pricing must be Fixed or Dynamic, got ${String(pricing)}`);
  const cancelFee = toBalance(terms.cancelFee ?? 0, 'cancel fee');
  if (cancelFee > pricePerBlock * MAX_CANCEL_FEE_BLOCKS) {
    throw new RangeError(`cancel fee ${cancelFee} is above ${MAX_CANCEL_FEE_BLOCKS} blocks of the price (${pricePerBlock * MAX_CANCEL_FEE_BLOCKS})`);
  }
  return {
    pricePerBlock,
    capacity,
    minDuration: term(terms.minDuration, 'min duration'),
    noticeBlocks: term(terms.noticeBlocks, 'notice blocks'),
    pricing,
    cancelFee,
  };
}

/** The arguments of `create`: type id, descriptor, requirements and the
 * offer the consumer names (null: the award chooses). */
export function createArgs(s: { typeId: number; descriptor: Descriptor; requirements: RequirementsInput; offerId?: bigint | number | null }): unknown[] {
  const descriptor = { hash: toHash32(s.descriptor.hash, 'descriptor hash'), uri: checkText(s.descriptor.uri, MAX_ENDPOINT, 'descriptor uri') };
  const offerId = s.offerId === undefined || s.offerId === null ? null : toUint(s.offerId, 64, 'offer id');
  return [toUint(s.typeId, 32, 'type id'), descriptor, requirements(s.requirements), offerId];
}

/** How many fitting offers an award compares: MIN_AWARD_WINDOW..=MAX_PAGE. */
/** The Random strategy's seed as the subscription contract derives it
 * (`dinfra::selection::random_seed`): blake2-128 of the subscription id (u64
 * LE) and the block number (u32 LE), its first 8 bytes read as a u64 LE. */
export function randomSeed(id: bigint, block: number): bigint {
  const input = new Uint8Array(12);
  const view = new DataView(input.buffer);
  view.setBigUint64(0, id, true);
  view.setUint32(8, block, true);
  const hash = blake2AsU8a(input, 128);
  return new DataView(hash.buffer, hash.byteOffset, 8).getBigUint64(0, true);
}

export function awardWindow(maxCandidates: number): number {
  if (!Number.isInteger(maxCandidates) || maxCandidates < MIN_AWARD_WINDOW || maxCandidates > MAX_PAGE) {
    throw new RangeError(`max candidates must be ${MIN_AWARD_WINDOW}..${MAX_PAGE} (more than one provider's 16 offers), got ${maxCandidates}`);
  }
  return maxCandidates;
}

/** Which query answers where each contract's links point. */
const LINK_QUERIES: Record<ContractName, Partial<Record<'Controller' | 'Award', string>>> = {
  registry: { Controller: 'controller' },
  escrow: { Controller: 'subscription_contract' },
  award: { Controller: 'selector' },
  subscription: { Award: 'award' },
};

/** Where a decline or reaward handed the subscription: the next award, or closed. */
function handedOver(events: ContractEvent[]): { next: { provider: string; offerId: bigint } | null; closed: boolean } {
  const awarded = eventsNamed(events, 'Awarded', 'subscription')[0];
  const next = awarded ? { provider: awarded.args['provider'] as string, offerId: awarded.args['offerId'] as bigint } : null;
  return { next, closed: eventsNamed(events, 'Closed', 'subscription').length > 0 };
}

/** Most URIs in an access record (the contract's MAX_ACCESS_URIS). */
const MAX_ACCESS_URIS = 4;

/** An access record as `mark_ready` takes it, checked as the contract checks it. */
export function accessRecord(uris: string[]): { uris: string[] } {
  if (!Array.isArray(uris) || uris.length > MAX_ACCESS_URIS) throw new RangeError(`an access record holds at most ${MAX_ACCESS_URIS} URIs`);
  uris.forEach((uri, i) => checkText(uri, MAX_ENDPOINT, `access URI ${i}`));
  if (new Set(uris).size !== uris.length) throw new RangeError('an access record lists a URI twice');
  return { uris: [...uris] };
}
