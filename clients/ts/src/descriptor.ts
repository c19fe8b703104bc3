// Deployment descriptors, checked the way a provider's reactor checks them
// (reactor/src/descriptor.rs): a JSON or YAML document, valid when its
// type's JSON Schema (draft 2020-12, `types/<name>/schema.json`) accepts it.
// A consumer checks before paying: an invalid descriptor is declined by
// every provider, and the deposit comes back only after that round trip.

import { blake2AsHex } from '@polkadot/util-crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { checkText } from './codec.js';
import type { Descriptor } from './types.js';

/** Longest descriptor URI the subscription contract accepts (MAX_ENDPOINT_LEN). */
const MAX_URI = 128;
const URI_SCHEMES = ['https://', 'http://', 'ipfs://', 'file://'];
/** Violations reported at most, as the reactor does. */
const MAX_VIOLATIONS = 20;

/** One thing the schema refused: where (a JSON pointer, '' for the whole
 * document) and why. */
export interface Violation {
  pointer: string;
  message: string;
}

export interface DescriptorCheck {
  valid: boolean;
  /** Empty when valid; a parse error is one violation at ''. */
  violations: Violation[];
  /** blake2-256 of the descriptor's bytes: the `hash` of `create`'s descriptor. */
  hash: string;
}

/** The document of a descriptor: JSON, or else YAML. */
export function parseDescriptor(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    if (/^\s*[[{]/.test(text)) throw new Error(`not JSON: ${(jsonError as Error).message}`);
    try {
      return parseYaml(text);
    } catch (yamlError) {
      throw new Error(`not YAML: ${(yamlError as Error).message}`);
    }
  }
}

/** Checks `descriptor` (its bytes or text) against a type's `schema` (the
 * schema file's text or its parsed object). Throws only for an unusable schema. */
export function checkDescriptor(schema: string | object, descriptor: string | Uint8Array): DescriptorCheck {
  const schemaObject = typeof schema === 'string' ? (JSON.parse(schema) as object) : schema;
  const bytes = typeof descriptor === 'string' ? new TextEncoder().encode(descriptor) : descriptor;
  const hash = blake2AsHex(bytes);
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schemaObject);
  let document: unknown;
  try {
    document = parseDescriptor(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { valid: false, violations: [{ pointer: '', message: (error as Error).message }], hash };
  }
  if (validate(document)) return { valid: true, violations: [], hash };
  const violations = (validate.errors ?? []).slice(0, MAX_VIOLATIONS).map((error) => ({
    pointer: error.instancePath,
    message: `${error.message ?? 'invalid'}${error.params && Object.keys(error.params).length ? ` (${JSON.stringify(error.params)})` : ''}`,
  }));
  return { valid: false, violations, hash };
}

/** `create`'s `descriptor` argument for a checked descriptor published at `uri`. */
export function descriptorFor(check: DescriptorCheck, uri: string): Descriptor {
  if (!check.valid) throw new Error(`the descriptor is not valid: ${check.violations.map((v) => `at ${v.pointer || '/'}: ${v.message}`).join('; ')}`);
  checkText(uri, MAX_URI, 'descriptor URI');
  if (!URI_SCHEMES.some((scheme) => uri.startsWith(scheme))) throw new Error(`the descriptor URI must start with one of ${URI_SCHEMES.join(', ')}`);
  return { hash: check.hash, uri };
}
