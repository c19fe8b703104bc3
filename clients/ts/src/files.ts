// Deployments and contract bundles read from files: Node only (the Node
// entry, `@dinfra/client/node`; never imported by the browser entry).
//
// `readDeployment` reads a deployments json (`deploy/deploy.sh` writes
// `deploy/deployments/<name>.json`); `loadBundledDeployment` pairs it with
// the `.contract` bundles the file names (paths relative to the repository
// it was deployed from) — what the demo and the repository's tests use
// while contracts are being rebuilt. A dApp needs neither: the package's
// metadata (`loadSuite`, `loadDeployment` of the Node entry) is enough to
// use a deployed suite.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Abi } from '@polkadot/api-contract';
import { abiFrom, checkDeployment, CONTRACT_NAMES, type ContractName, type Deployment, type LoadedDeployment } from './deployment.js';

/** Reads and checks a deployments json file. */
export function readDeployment(path: string): Deployment {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new Error(`deployment file ${file} does not exist (deploy/deploy.sh writes deploy/deployments/<name>.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`deployment file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return checkDeployment(json, `deployment file ${file}`);
}

/** A deployment whose ABIs came from the `.contract` bundles it names. */
export interface BundledDeployment extends LoadedDeployment {
  root: string;
}

/** Reads and checks a deployment file and loads the four `.contract`
 * bundles it names. Bundle paths are relative to the repository root:
 * `root` if given, else the nearest directory above the deployment file
 * where they exist. */
export function loadBundledDeployment(path: string, root?: string): BundledDeployment {
  const file = resolve(path);
  const deployment = readDeployment(file);
  const bundles = {} as Record<ContractName, string>;
  for (const name of CONTRACT_NAMES) {
    const bundle = deployment.contracts[name].bundle;
    if (!bundle) throw new Error(`deployment file ${file}: "contracts.${name}.bundle" is missing (load it with the package's metadata instead)`);
    bundles[name] = bundle;
  }
  const base = root ? resolve(root) : findRoot(dirname(file), bundles.registry);
  const abis = {} as Record<ContractName, Abi>;
  for (const name of CONTRACT_NAMES) {
    abis[name] = loadAbi(isAbsolute(bundles[name]) ? bundles[name] : join(base, bundles[name]), name);
  }
  return { path: file, root: base, deployment, abis };
}

/** Loads one `.contract` bundle (or `.json` metadata) file as an `Abi`. */
export function loadAbi(bundlePath: string, name = bundlePath): Abi {
  if (!existsSync(bundlePath)) {
    throw new Error(`the ${name} bundle ${bundlePath} does not exist (deploy/build.sh builds artifacts/*.contract)`);
  }
  return abiFrom(readFileSync(bundlePath, 'utf8'), `${name} bundle ${bundlePath}`);
}

function findRoot(start: string, relative: string): string {
  if (isAbsolute(relative)) return '/';
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no directory above ${start} holds ${relative}; pass the directory the bundle paths are relative to (the repository root)`);
}
