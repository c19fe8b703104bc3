// A deployment of the suite — the shape `deploy/deploy.sh` writes to
// `deploy/deployments/<name>.json` — checked before anything talks to a
// node, and paired with the ABI of each contract. Nothing here reads files:
// this module is part of the browser entry. Reading a deployment file or a
// `.contract` bundle is `files.ts` (the Node entry, `@dinfra/client/node`).

import { Abi } from '@polkadot/api-contract';
import { validateAddress } from './codec.js';

/** The four contracts of the suite, in the order they are listed. */
export const CONTRACT_NAMES = ['registry', 'award', 'escrow', 'subscription'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];
/** What errors and events name a contract by: one of the suite's four, or
 * a pool (pool/, beside a suite; `Pool`). */
export type ContractLabel = ContractName | 'pool';

export interface DeployedContract {
  address: string;
  code_hash: string;
  /** Path of the `.contract` bundle, relative to the repository root
   * (deploy.sh writes it; only `loadBundledDeployment` reads it). */
  bundle?: string;
  /** Block the contract was instantiated in. */
  block?: number;
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
  /** Pools deploy.sh --pool instantiated at this suite's subscription contract. */
  pools?: DeployedPool[];
}

/** A pool deploy.sh instantiated beside the suite (`--pool`): open it with
 * `Pool.at(dinfra, address)`. */
export interface DeployedPool {
  address: string;
  code_hash: string;
  block: number;
  bundle?: string;
  type_id: number;
  /** The terms' highest rate per block, as a decimal string (a u128). */
  max_rate: string;
  governor: string;
  /** The subscription contract it runs at (the suite's). */
  subscription: string;
}

/** A deployment with the ABI of each contract, ready to connect. */
export interface LoadedDeployment {
  /** Where the deployment came from: the file it was read from, or a
   * description of the object it was given as. */
  path: string;
  /** The directory the bundle paths were resolved against (bundles only). */
  root?: string;
  deployment: Deployment;
  abis: Record<ContractName, Abi>;
}

/** An `Abi` from a contract's ink! metadata (the `.json` a build writes, or
 * a `.contract` bundle), as an object or JSON text; `what` names it in the
 * error. */
export function abiFrom(metadata: string | Record<string, unknown>, what = 'contract metadata'): Abi {
  try {
    return new Abi(typeof metadata === 'string' ? (JSON.parse(metadata) as Record<string, unknown>) : metadata);
  } catch (error) {
    throw new Error(`the ${what} could not be loaded: ${(error as Error).message}`);
  }
}

/** The code hash a bundle's or metadata's Wasm has (`source.hash`), if it says. */
export function bundleCodeHash(abi: Abi): string | undefined {
  const source = abi.json['source'] as { hash?: unknown } | undefined;
  return typeof source?.hash === 'string' ? source.hash.toLowerCase() : undefined;
}

/** Checks that `json` has the shape of a deployments json and returns it
 * typed; `source` starts each message (`deployment file <path>` for a file).
 * `bundle` paths are optional (only `loadBundledDeployment` needs them). */
export function checkDeployment(json: unknown, source = 'deployment object'): Deployment {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not a JSON object');
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
    for (const key of ['address', 'code_hash']) {
      if (typeof c![key] !== 'string' || c![key] === '') fail(`"contracts.${name}.${key}" must be a non-empty string`);
    }
    if (c!['bundle'] !== undefined && (typeof c!['bundle'] !== 'string' || c!['bundle'] === '')) {
      fail(`"contracts.${name}.bundle" must be a non-empty string if given`);
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
  const pools = d['pools'];
  if (pools !== undefined) {
    if (!Array.isArray(pools)) fail('"pools" must be an array if given');
    (pools as unknown[]).forEach((pool, i) => {
      const p = pool as Record<string, unknown>;
      if (typeof p !== 'object' || p === null) fail(`"pools[${i}]" must be an object`);
      try {
        validateAddress(p['address'] as string, `pools[${i}].address`);
      } catch (error) {
        fail((error as Error).message);
      }
    });
  }
  return d as unknown as Deployment;
}
