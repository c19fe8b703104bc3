// The ways a call can be refused, each with what a caller needs to act on it.

import type { Codec } from '@polkadot/types/types';
import type { ContractName } from './deployment.js';

/** The contract returned `Err(e)` in the dry run; nothing was sent.
 * `error` is the decoded variant: `InsufficientDeposit`,
 * `Registry(NoCapacity)`, `InvalidInput(Amount)` … `variant` its outer name. */
export class ContractError extends Error {
  constructor(
    readonly contract: ContractName,
    readonly message_: string,
    readonly error: string,
    /** The decoded error value. */
    readonly codec: Codec,
  ) {
    super(`${contract}.${message_} refused: ${error}`);
    this.name = 'ContractError';
  }

  /** The outer variant: `Registry` of `Registry(NoCapacity)`. */
  get variant(): string {
    return this.error.replace(/\(.*$/, '');
  }
}

/** The call could not run: a trap, out of gas, a storage deposit limit, a
 * `LangError` (unknown selector, undecodable input), or the extrinsic failed
 * on chain (`dispatchError` as `section.Name`, e.g. `contracts.ContractReverted`). */
export class CallFailed extends Error {
  constructor(
    readonly contract: ContractName | undefined,
    readonly message_: string,
    readonly reason: string,
    readonly debugMessage = '',
  ) {
    super(`${contract ? `${contract}.` : ''}${message_} failed: ${reason}${debugMessage ? ` (debug: ${debugMessage})` : ''}`);
    this.name = 'CallFailed';
  }
}
