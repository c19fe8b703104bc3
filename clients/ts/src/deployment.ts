// A deployment file (`deploy/deployments/<name>.json`, written by
// `deploy/deploy.sh`) and the `.contract` bundles it names, loaded and
// checked before anything talks to a node.

import { Abi } from '@polkadot/api-contract';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { validateAddress } from './codec.js';

/** The four contracts of the suite, in the order they are listed. */
export const CONTRACT_NAMES = ['registry', 'award', 'escrow', 'subscription'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface DeployedContract {
  address: string;
  code_hash: string;
  /** Path of the `.contract` bundle, relative to the repository root. */
  bundle: string;
}

export interface Deployment {
  name: string;
  url: string;
  genesis_hash: string;
  /** The account that deployed the suite; admin of all four contracts. */
  deployer: string;
  /** Block the deployment finished at. */
  block: number;
  contracts: Record<ContractName, DeployedContract>;
  parameters: {
    min_bond: number | string;
    unbonding_blocks: number;
    max_candidates: number;
    ready_timeout: number;
    consumer_notice: number;
    /** Blocks every scheduled change of each contract waits (the delay the
     * suite was deployed with; the chain's own word is `governanceReport`). */
    governance_delay: number;
  };
  /** The catalogue's deployment types deploy.sh registered (types/<name>):
   * their ids and the blake2-256 of their schema files. */
  types?: Record<string, { id: number; schema_hash: string }>;
}

/** A deployment with the ABI of each contract, ready to connect. */
export interface LoadedDeployment {
  /** Where the deployment file was read from. */
  path: string;
  /** The directory the bundle paths were resolved against. */
  root: string;
  deployment: Deployment;
  abis: Record<ContractName, Abi>;
}

/** Reads and checks a deployment file and loads the four bundles it names.
 * Bundle paths are relative to the repository root: `root` if given, else
 * the nearest directory above the deployment file where they exist. */
export function loadDeployment(path: string, root?: string): LoadedDeployment {
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
  const deployment = checkDeployment(json, file);
  const base = root ? resolve(root) : findRoot(dirname(file), deployment.contracts.registry.bundle);
  const abis = {} as Record<ContractName, Abi>;
  for (const name of CONTRACT_NAMES) {
    const bundle = deployment.contracts[name].bundle;
    abis[name] = loadAbi(isAbsolute(bundle) ? bundle : join(base, bundle), name);
  }
  return { path: file, root: base, deployment, abis };
}

/** Loads one `.contract` bundle (or `.json` metadata) as an `Abi`. */
export function loadAbi(bundlePath: string, name = bundlePath): Abi {
  if (!existsSync(bundlePath)) {
    throw new Error(`the ${name} bundle ${bundlePath} does not exist (deploy/build.sh builds artifacts/*.contract)`);
  }
  try {
    return new Abi(JSON.parse(readFileSync(bundlePath, 'utf8')));
  } catch (error) {
    throw new Error(`the ${name} bundle ${bundlePath} could not be loaded: ${(error as Error).message}`);
  }
}

/** The code hash a bundle's Wasm has (`source.hash`), if it says. */
export function bundleCodeHash(abi: Abi): string | undefined {
  const source = abi.json['source'] as { hash?: unknown } | undefined;
  return typeof source?.hash === 'string' ? source.hash.toLowerCase() : undefined;
}

function findRoot(start: string, relative: string): string {
  if (isAbsolute(relative)) return '/';
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no directory above ${start} holds ${relative}; run deploy/build.sh, or pass the repository root`);
}

function checkDeployment(json: unknown, file: string): Deployment {
  const fail = (what: string): never => {
    throw new Error(`deployment file ${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null) fail('not a JSON object');
  const d = json as Record<string, unknown>;
  for (const key of ['name', 'url', 'genesis_hash', 'deployer']) {
    if (typeof d[key] !== 'string' || d[key] === '') fail(`"${key}" must be a non-empty string`);
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(d['genesis_hash'] as string)) fail('"genesis_hash" must be a 0x-prefixed 32-byte hex string');
  try {
    validateAddress(d['deployer'] as string, 'deployer');
  } catch (error) {
    fail((error as Error).message);
  }
  const contracts = d['contracts'];
  if (typeof contracts !== 'object' || contracts === null) fail('"contracts" must be an object');
  for (const name of CONTRACT_NAMES) {
    const c = (contracts as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
    if (typeof c !== 'object' || c === null) fail(`"contracts.${name}" is missing`);
    for (const key of ['address', 'code_hash', 'bundle']) {
      if (typeof c![key] !== 'string' || c![key] === '') fail(`"contracts.${name}.${key}" must be a non-empty string`);
    }
    try {
      validateAddress(c!['address'] as string, `contracts.${name}.address`);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  const parameters = d['parameters'];
  if (typeof parameters !== 'object' || parameters === null) fail('"parameters" must be an object');
  for (const key of ['unbonding_blocks', 'max_candidates', 'ready_timeout', 'consumer_notice', 'governance_delay']) {
    const value = (parameters as Record<string, unknown>)[key];
    if (value === undefined && key === 'governance_delay') {
      fail('"parameters.governance_delay" is missing: the file was written for contracts without governance; deploy the suite again (deploy/deploy.sh --fresh)');
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(`"parameters.${key}" must be a non-negative integer`);
  }
  return d as unknown as Deployment;
}
