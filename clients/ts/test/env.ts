// Where the tests find the repository, its bundles and the node.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContractName } from '../src/deployment.js';

/** The repository root (clients/ts/test/../../..). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export const artifactsDir = process.env['DINFRA_ARTIFACTS'] ?? join(repoRoot, 'artifacts');

export function bundlePath(name: ContractName): string {
  return join(artifactsDir, `dinfra_${name}.contract`);
}

/** Throws a clear message when the bundles have not been built. */
export function requireBundles(): void {
  const missing = (['registry', 'award', 'escrow', 'subscription'] as const).map(bundlePath).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`missing contract bundles: ${missing.join(', ')} — run deploy/build.sh first (or set DINFRA_ARTIFACTS)`);
  }
}
