// Codec values into plain JavaScript, and the checks every input goes
// through before it is encoded.

import { Bool, BTreeMap, Bytes, Enum, GenericAccountId, Null, Option, Struct, Text, U8aFixed } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { isBn, isHex, isU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';

/** A value decoded from a contract, as plain JavaScript: integers of at
 * most 32 bits are numbers, wider ones bigints; accounts SS58 strings; byte
 * arrays 0x-hex; `Option` null or the value; unit-only enums the variant
 * name, other enums `{ Variant: value }`; structs objects with the
 * metadata's camelCase field names. */
export type Plain = null | boolean | number | bigint | string | Plain[] | { [key: string]: Plain };

export function plain(codec: Codec): Plain {
  if (codec instanceof Option) return codec.isNone ? null : plain(codec.unwrap());
  if (codec instanceof GenericAccountId) return codec.toString();
  if (codec instanceof Text) return codec.toString();
  if (codec instanceof Bool) return codec.isTrue;
  if (codec instanceof Null) return null;
  if (codec instanceof U8aFixed || codec instanceof Bytes) return codec.toHex();
  if (isBn(codec)) {
    const bits = /^[ui](\d+)$/.exec(codec.toRawType());
    const value = BigInt(codec.toString());
    return bits && Number(bits[1]) <= 32 ? Number(value) : value;
  }
  if (codec instanceof Enum) {
    return codec.isBasic ? codec.type : { [codec.type]: plain(codec.value) };
  }
  if (codec instanceof Struct) {
    const out: { [key: string]: Plain } = {};
    for (const [k, value] of codec.entries()) {
      const key = String(k);
      // The registry renames fields that clash with codec methods
      // (`hash` → `hash_`); give them back their metadata name.
      out[key.endsWith('_') ? key.slice(0, -1) : key] = plain(value);
    }
    return out;
  }
  if (codec instanceof BTreeMap) return [...codec.entries()].map(([k, v]) => [plain(k), plain(v)]);
  // Vec, VecFixed (other than [u8; N], a U8aFixed above) and tuples.
  if (Array.isArray(codec)) return [...(codec as unknown as Codec[])].map(plain);
  return codec.toPrimitive() as Plain;
}

/** An enum as a readable name: `InsufficientDeposit`,
 * `Registry(NoCapacity)`, `InvalidInput(Amount)`. */
export function enumName(codec: Codec): string {
  if (codec instanceof Enum) {
    if (codec.isBasic || codec.value instanceof Null) return codec.type;
    return `${codec.type}(${enumName(codec.value)})`;
  }
  if (codec instanceof Struct) {
    return `{ ${[...codec.entries()].map(([k, v]) => `${String(k)}: ${enumName(v)}`).join(', ')} }`;
  }
  return codec.toString();
}

/** Formats a plain value for printing (bigints without the `n`). */
export function show(value: Plain | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return value.toString();
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 1 && /^[A-Z]/.test(entries[0]![0])) return `${entries[0]![0]}(${show(entries[0]![1])})`;
  return `{ ${entries.map(([k, v]) => `${k}: ${show(v)}`).join(', ')} }`;
}

// ---- input checks ---------------------------------------------------------

export type Amount = bigint | number | string;

const U128_MAX = (1n << 128n) - 1n;

/** A balance: a non-negative integer below 2^128. */
export function toBalance(value: Amount, what: string): bigint {
  let n: bigint;
  try {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('not a safe integer');
    n = BigInt(value);
  } catch {
    throw new TypeError(`${what} must be an integer amount, got ${String(value)}`);
  }
  if (n < 0n || n > U128_MAX) throw new RangeError(`${what} must be between 0 and 2^128 - 1, got ${n}`);
  return n;
}

/** A positive balance (value that must be sent). */
export function toPositiveBalance(value: Amount, what: string): bigint {
  const n = toBalance(value, what);
  if (n === 0n) throw new RangeError(`${what} must be above 0`);
  return n;
}

/** An unsigned integer of `bits` bits (32: block numbers and type ids,
 * 64: offer and subscription ids). */
export function toUint(value: bigint | number, bits: 32 | 64, what: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TypeError(`${what} must be an integer, got ${value}`);
  }
  const n = BigInt(value);
  if (n < 0n || n >= 1n << BigInt(bits)) throw new RangeError(`${what} must be a u${bits}, got ${n}`);
  return n;
}

/** Checks an SS58 (or 0x public key) address and returns it in SS58. */
export function validateAddress(address: string, what: string): string {
  try {
    return encodeAddress(decodeAddress(address));
  } catch (error) {
    throw new TypeError(`${what} is not a valid account address (${address}): ${(error as Error).message}`);
  }
}

/** A 32-byte hash as 0x-hex, from hex or bytes. */
export function toHash32(value: string | Uint8Array, what: string): string {
  const hex = isU8a(value) ? u8aToHex(value) : value;
  if (!isHex(hex) || hex.length !== 66) throw new TypeError(`${what} must be 32 bytes (0x + 64 hex digits), got ${String(hex)}`);
  return hex.toLowerCase();
}

/** A string of 1..=max UTF-8 bytes, as the contracts require. */
export function checkText(value: string, max: number, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  const bytes = new TextEncoder().encode(value).length;
  if (bytes === 0 || bytes > max) throw new RangeError(`${what} must be 1 to ${max} bytes, got ${bytes}`);
  return value;
}
