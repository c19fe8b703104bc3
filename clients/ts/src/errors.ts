// The ways a call can be refused, each with what a caller needs to act on it.

import type { Abi } from '@polkadot/api-contract';
import { Enum, Null } from '@polkadot/types';
import type { Codec, TypeDef } from '@polkadot/types/types';
import type { ContractLabel } from './deployment.js';
import { EXPLANATIONS } from './explanations.js';

/** The contract returned `Err(e)` in the dry run; nothing was sent.
 * `error` is the decoded variant: `InsufficientDeposit`,
 * `Registry(NoCapacity)`, `Unfit(TooExpensive)` … `variant` its outer name,
 * `explanation` the same in words (`EXPLANATIONS`, after the contracts'
 * doc comments). */
export class ContractError extends Error {
  constructor(
    readonly contract: ContractLabel,
    readonly message_: string,
    readonly error: string,
    /** The decoded error value. */
    readonly codec: Codec,
    /** What the error means, in words ('' when unknown). */
    readonly explanation = '',
  ) {
    super(`${contract}.${message_} refused: ${error}${explanation ? ` — ${explanation}` : ''}`);
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
    readonly contract: ContractLabel | undefined,
    readonly message_: string,
    readonly reason: string,
    readonly debugMessage = '',
  ) {
    super(`${contract ? `${contract}.` : ''}${message_} failed: ${reason}${debugMessage ? ` (debug: ${debugMessage})` : ''}`);
    this.name = 'CallFailed';
  }
}

/** `ProposalChanged` → `proposal changed`. */
export function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** The lookup index of the error type `E` of a message returning
 * `Result<E>` (inside ink!'s `Result<_, LangError>`), if it has one. */
export function errorTypeIndex(abi: Abi, message: string): number | undefined {
  const outer = abi.findMessage(message).returnType;
  const ok = subs(outer)[0];
  const err = subs(ok)[1];
  return err?.lookupIndex;
}

function subs(def: TypeDef | null | undefined): TypeDef[] {
  if (!def?.sub) return [];
  return Array.isArray(def.sub) ? def.sub : [def.sub];
}

/** What an error value of the enum type at `typeIndex` means, in words:
 * each variant's explanation (`EXPLANATIONS` of its enum, else the
 * metadata's doc comment, else its name split into words), the nested
 * variant's after a dash — `Unfit(Full)`: "The offer the registry reserved
 * does not meet this requirement …: nothing was taken. — Full: The offer has
 * no free capacity." Without a type index only the names' words are given. */
export function explainError(abi: Abi, typeIndex: number | undefined, error: Codec): string {
  const parts: string[] = [];
  let codec: Codec = error;
  let index = typeIndex;
  for (let depth = 0; depth < 4 && codec instanceof Enum; depth++) {
    const name = codec.type;
    const variant = index === undefined ? undefined : variantOf(abi, index, name);
    const known = variant ? EXPLANATIONS[variant.enumName]?.[name] : undefined;
    const said = known || variant?.docs || `${words(name)}.`;
    parts.push(depth === 0 ? said : `${name}: ${said}`);
    if (codec.isBasic || codec.value instanceof Null) break;
    codec = codec.value;
    index = variant?.field;
  }
  return parts.join(' — ');
}

function variantOf(abi: Abi, index: number, name: string): { enumName: string; docs: string; field: number | undefined } | undefined {
  let type;
  try {
    type = abi.registry.lookup.getSiType(index);
  } catch {
    return undefined;
  }
  if (!type.def.isVariant) return undefined;
  const variant = type.def.asVariant.variants.find((v) => v.name.toString() === name);
  if (!variant) return undefined;
  const docs = variant.docs.map((d) => d.toString().trim()).join(' ').trim();
  const field = variant.fields.length === 1 ? variant.fields[0]!.type.toNumber() : undefined;
  const path = type.path.map((segment) => segment.toString());
  return { enumName: path[path.length - 1] ?? '', docs, field };
}
