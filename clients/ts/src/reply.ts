// A message's reply, as the dry run decodes it: `Result<R, LangError>`
// where R is the message's return type, itself `Result<T, E>` for every
// DINFRA message that can be refused.

import type { Abi } from '@polkadot/api-contract';
import { Result } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { enumName } from './codec.js';
import type { ContractLabel } from './deployment.js';
import { CallFailed, ContractError, errorTypeIndex, explainError } from './errors.js';

/** The `Ok` value of a reply; throws `ContractError` for `Ok(Err(e))` and
 * `CallFailed` for a `LangError` or a reply that did not decode. With the
 * contract's `abi`, the `ContractError` explains the error in words. */
export function unwrapReply(contract: ContractLabel, message: string, output: Codec | null, debug = '', abi?: Abi): Codec {
  if (!(output instanceof Result)) throw new CallFailed(contract, message, 'the reply did not decode', debug);
  if (output.isErr) throw new CallFailed(contract, message, `LangError ${enumName(output.asErr)}`, debug);
  const value: Codec = output.asOk;
  if (value instanceof Result) {
    if (value.isErr) {
      const explanation = abi ? explainError(abi, errorTypeIndex(abi, message), value.asErr) : '';
      throw new ContractError(contract, message, enumName(value.asErr), value.asErr, explanation);
    }
    return value.asOk;
  }
  return value;
}
