// @dinfra/client/node: everything of the main entry, and what needs Node:
// deployments and contract bundles read from files.

import { resolve } from 'node:path';
import type { LoadedDeployment } from './deployment.js';
import { loadBundledDeployment, readDeployment } from './files.js';
import { loadSuite } from './metadata.js';

export * from './index.js';
export { loadAbi, loadBundledDeployment, readDeployment, type BundledDeployment } from './files.js';

/** Reads and checks a deployments json file (`deploy/deployments/<name>.json`)
 * and pairs it with the package's metadata, ready for `Dinfra.connect`. With
 * `bundles`, the ABIs come from the `.contract` bundles the file names
 * instead (relative to `root`, else found above the file): a checkout of the
 * repository whose contracts were rebuilt since the package was. */
export function loadDeployment(path: string, options: { bundles?: boolean; root?: string } = {}): LoadedDeployment {
  if (options.bundles || options.root !== undefined) return loadBundledDeployment(path, options.root);
  const file = resolve(path);
  return loadSuite(readDeployment(file), file);
}
