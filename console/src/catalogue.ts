// The catalogue of deployment types (types/<name>/schema.json), bundled into
// the console at build time as the files' exact text: a type's `schema_hash`
// on chain is the blake2-256 of its schema file's bytes, so a registered type
// is matched to a catalogue schema by that hash, never by its name (a
// namesake registered with another schema is another type).
import { blake2AsHex } from '@polkadot/util-crypto';

export interface CatalogueSchema {
  /** The catalogue folder's name (types/<name>/). */
  name: string;
  /** The schema file's text, byte for byte. */
  text: string;
  /** blake2-256 of the file's bytes, 0x-hex. */
  hash: string;
}

const files = import.meta.glob('../../types/*/schema.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

export const CATALOGUE: CatalogueSchema[] = Object.entries(files).map(([path, text]) => ({
  name: /types\/([^/]+)\/schema\.json$/.exec(path)?.[1] ?? path,
  text,
  hash: blake2AsHex(new TextEncoder().encode(text)),
}));

/** The catalogue schema whose hash is `schemaHash` (a type's on-chain schema_hash), or null. */
export function schemaByHash(schemaHash: string): CatalogueSchema | null {
  const want = schemaHash.toLowerCase();
  return CATALOGUE.find((s) => s.hash === want) ?? null;
}
