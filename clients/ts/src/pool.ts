// A pool (pool/): one deployment funded by many contributors, run by a
// governor through the suite's subscription contract. `Pool.at` opens one
// beside a connected `Dinfra` (deploy/deploy.sh --pool records them under
// `.pools[]` of the deployments json); every call goes through the Dinfra's
// dry run, send and error decoding, so a refusal is a `ContractError` whose
// `error` is the `PoolError` (`NotGovernor`, `OutsideTerms`,
// `Subscription(Unfit(TooExpensive))` …), explained in words.

import type { Abi } from '@polkadot/api-contract';
import { ContractPromise } from '@polkadot/api-contract';
import type { Signer } from './chain.js';
import { toBalance, toPositiveBalance, validateAddress, type Amount, type Plain } from './codec.js';
import { bundleCodeHash } from './deployment.js';
import { createArgs, type CallTarget, type Dinfra, type SendOptions, type TxResult } from './dinfra.js';
import { eventNamed, eventsNamed } from './events.js';
import { poolAbi } from './metadata.js';
import type { Descriptor, Details, RequirementsInput } from './types.js';

/** What the contributors can read before they pay: the deployment type,
 * the highest rate per block the governor may agree to (at the award and as
 * the bound of Dynamic repricing) and the highest cancel fee. */
export interface PoolTerms {
  typeId: number;
  maxRate: bigint;
  maxCancelFee: bigint;
}

/** Collecting (contributions may be taken back), running subscription `id`
 * (contributions committed), or closed (the books are final). */
export type PoolPhase = 'Funding' | { Running: bigint } | { Closed: bigint };

/** The phase as `plain` decodes it (`{ Funding: null }`: the enum is not a
 * basic one) made a `PoolPhase`: `'Funding'`, `{ Running: id }`, `{ Closed: id }`. */
export function poolPhase(value: Plain): PoolPhase {
  if (value === 'Funding') return 'Funding';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    if ('Funding' in value) return 'Funding';
    if (typeof value['Running'] === 'bigint') return { Running: value['Running'] };
    if (typeof value['Closed'] === 'bigint') return { Closed: value['Closed'] };
  }
  throw new TypeError(`not a pool phase: ${String(value)}`);
}

export interface PoolBooks {
  phase: PoolPhase;
  /** Σ of every contribution not taken back. */
  contributed: bigint;
  /** Held by the pool and not sent to the subscription. */
  unspent: bigint;
  /** Sent to the subscription (its deposit and top-ups). */
  sent: bigint;
  /** What the escrow refunded to the pool, read when it closed. */
  refunded: bigint;
  /** `unspent + refunded` when the pool closed: what contributors share. */
  distributable: bigint;
  /** Paid to contributors after the close. */
  paidOut: bigint;
  /** Σ of the contributions whose share has been paid out. */
  settledContributions: bigint;
}

/** One contributor's record. */
export interface PoolShare {
  contributed: bigint;
  /** Paid out after the close (once); null before. */
  withdrawn: bigint | null;
}

export interface PoolOptions {
  /** The pool's ABI (default: the package's pool metadata). */
  abi?: Abi;
  /** Refuse a contract whose code differs from the ABI's (default true). */
  checkCode?: boolean;
}

/** `create`'s arguments, checked as the subscription contract checks them:
 * descriptor, requirements, offer id or None, deposit (taken from the pool,
 * not transferred). The type is the pool's. */
export function poolCreateArgs(s: { descriptor: Descriptor; requirements: RequirementsInput; offerId?: bigint | number | null; deposit: Amount }): unknown[] {
  const [, descriptor, requirements, offerId] = createArgs({ ...s, typeId: 0 });
  return [descriptor, requirements, offerId, toPositiveBalance(s.deposit, 'deposit')];
}

export class Pool {
  readonly target: CallTarget;

  private constructor(
    readonly dinfra: Dinfra,
    contract: ContractPromise,
  ) {
    this.target = { name: 'pool', contract };
    dinfra.watch(this.target);
  }

  /** The pool at `address`, on the chain `dinfra` is connected to: checks
   * that a contract is there, running the ABI's code, and that it is a pool
   * of this suite's subscription contract. Its events are then decoded in
   * every `TxResult` of `dinfra`. */
  static async at(dinfra: Dinfra, address: string, options: PoolOptions = {}): Promise<Pool> {
    const checked = validateAddress(address, 'pool address');
    const abi = options.abi ?? poolAbi();
    const info = await dinfra.api.query.contracts.contractInfoOf(checked);
    if (info.isNone) throw new Error(`no contract at the pool address ${address}`);
    const onChain = info.unwrap().codeHash.toHex().toLowerCase();
    const expected = bundleCodeHash(abi);
    if ((options.checkCode ?? true) && expected && expected !== onChain) {
      throw new Error(`the contract at ${address} runs code ${onChain}, but the pool metadata is for code ${expected}: not this pool build`);
    }
    const pool = new Pool(dinfra, new ContractPromise(dinfra.api, abi, checked));
    const subscription = await pool.subscriptionContract();
    if (subscription !== dinfra.address('subscription')) {
      throw new Error(`the pool at ${address} runs at the subscription contract ${subscription}, not this suite's ${dinfra.address('subscription')}`);
    }
    return pool;
  }

  get address(): string {
    return this.target.contract.address.toString();
  }

  #send(signer: Signer, message: string, args: unknown[] = [], options: SendOptions = {}): Promise<TxResult> {
    return this.dinfra.send(signer, this.target, message, args, options);
  }

  #query<T>(message: string, args: unknown[] = []): Promise<T> {
    return this.dinfra.query<T>(this.target, message, args);
  }

  // ---- contributors ----------------------------------------------------------

  /** Adds `amount` to the pool; `contributed` is the signer's total. */
  async contribute(signer: Signer, amount: Amount): Promise<TxResult & { contributed: bigint }> {
    const tx = await this.#send(signer, 'contribute', [], { value: toPositiveBalance(amount, 'contribution') });
    return { ...tx, contributed: eventNamed(tx.events, 'Contributed', 'pool').args['contributed'] as bigint };
  }

  /** Adds `amount` to the pool and sends it on to the running subscription. */
  async contributeAndTopUp(signer: Signer, amount: Amount): Promise<TxResult & { contributed: bigint }> {
    const tx = await this.#send(signer, 'contribute_and_top_up', [], { value: toPositiveBalance(amount, 'contribution') });
    return { ...tx, contributed: eventNamed(tx.events, 'Contributed', 'pool').args['contributed'] as bigint };
  }

  /** Before the subscription exists: the signer's whole contribution back.
   * After the close: its pro-rata share (once). `amount` is what it got. */
  async withdraw(signer: Signer): Promise<TxResult & { amount: bigint }> {
    const tx = await this.#send(signer, 'withdraw');
    const paid = [...eventsNamed(tx.events, 'Withdrawn', 'pool'), ...eventsNamed(tx.events, 'ContributionReturned', 'pool')][0];
    return { ...tx, amount: (paid?.args['amount'] as bigint | undefined) ?? (tx.dryRun.value as bigint) };
  }

  /** After the subscription closed (anyone): the books become final. */
  async close(signer: Signer): Promise<TxResult> {
    return this.#send(signer, 'close');
  }

  /** When the escrow's controller changed and nothing steers the pool's
   * stream (anyone): the escrow pays the provider what it earned and the
   * pool the rest; then `settle` at the subscription contract and `close`. */
  async reclaim(signer: Signer): Promise<TxResult> {
    return this.#send(signer, 'reclaim');
  }

  // ---- governor --------------------------------------------------------------

  /** The governor creates the pool's subscription of the pool's type, with
   * `deposit` from the pool; `requirements.maxPricePerBlock` and its
   * repricing bound (`maxRate`) at most the terms' `maxRate`, its
   * `maxCancelFee` at most the terms'. Returns the subscription id. */
  async create(
    signer: Signer,
    s: { descriptor: Descriptor; requirements: RequirementsInput; offerId?: bigint | number | null; deposit: Amount },
  ): Promise<TxResult & { id: bigint }> {
    const tx = await this.#send(signer, 'create', poolCreateArgs(s));
    return { ...tx, id: eventNamed(tx.events, 'Spent', 'pool').args['id'] as bigint };
  }

  /** The governor sends `amount` of the pool to its subscription. */
  async topUp(signer: Signer, amount: Amount): Promise<TxResult> {
    return this.#send(signer, 'top_up', [toPositiveBalance(amount, 'top-up')]);
  }

  /** The governor asks the subscription contract to cancel. */
  async cancel(signer: Signer): Promise<TxResult> {
    return this.#send(signer, 'cancel');
  }

  /** The governor accepts a pending Fixed-price proposal of `rate` (≤ maxRate). */
  async acceptPrice(signer: Signer, rate: Amount): Promise<TxResult> {
    return this.#send(signer, 'accept_price', [toBalance(rate, 'rate')]);
  }

  async rejectPrice(signer: Signer): Promise<TxResult> {
    return this.#send(signer, 'reject_price');
  }

  /** The governor proposes `proposed`, who takes over with `acceptGovernor`. */
  async transferGovernor(signer: Signer, proposed: string): Promise<TxResult> {
    return this.#send(signer, 'transfer_governor', [validateAddress(proposed, 'proposed governor')]);
  }

  async acceptGovernor(signer: Signer): Promise<TxResult> {
    return this.#send(signer, 'accept_governor');
  }

  // ---- queries ---------------------------------------------------------------

  async books(): Promise<PoolBooks> {
    const books = await this.#query<Omit<PoolBooks, 'phase'> & { phase: Plain }>('books');
    return { ...books, phase: poolPhase(books.phase) };
  }

  async shareOf(account: string): Promise<PoolShare> {
    return this.#query<PoolShare>('share_of', [validateAddress(account, 'contributor')]);
  }

  /** What `withdraw` would pay `account` now. */
  async withdrawable(account: string): Promise<bigint> {
    return this.#query<bigint>('withdrawable', [validateAddress(account, 'contributor')]);
  }

  async terms(): Promise<PoolTerms> {
    return this.#query<PoolTerms>('terms');
  }

  async governor(): Promise<string> {
    return this.#query<string>('governor');
  }

  async pendingGovernor(): Promise<string | null> {
    return this.#query<string | null>('pending_governor');
  }

  async subscriptionContract(): Promise<string> {
    return this.#query<string>('subscription_contract');
  }

  /** The pool's subscription's details; null before `create`. */
  async subscription(): Promise<Details | null> {
    return this.#query<Details | null>('subscription');
  }
}
