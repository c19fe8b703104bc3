// The four contracts' metadata, and the pool's, as this package was built with it (copied
// from artifacts/dinfra_<name>.json at build time): all a client needs to
// encode calls and decode replies and events of a deployed suite. No Wasm:
// deploying code is the repository's business (deploy/deploy.sh).

import type { Abi } from '@polkadot/api-contract';
import { abiFrom, checkDeployment, CONTRACT_NAMES, type ContractName, type LoadedDeployment } from './deployment.js';
import { metadata } from './metadata.generated.js';

/** A contract's ink! 5 metadata (JSON). */
export type ContractMetadata = Readonly<Record<string, unknown>>;

/** Each contract's ink! 5 metadata, as built into this package. */
export const METADATA: Readonly<Record<ContractName, ContractMetadata>> = metadata;

/** A fresh `Abi` of `name` from the package's metadata. */
export function metadataAbi(name: ContractName): Abi {
  if (!CONTRACT_NAMES.includes(name)) throw new TypeError(`no contract ${String(name)} in the suite (${CONTRACT_NAMES.join(', ')})`);
  // Abi keeps what it is given; each gets its own copy of the JSON.
  return abiFrom(structuredClone(METADATA[name]) as Record<string, unknown>, `${name} metadata`);
}

/** The pool's ink! 5 metadata (pool/), as built into this package. */
export const POOL_METADATA: ContractMetadata = metadata.pool;

/** A fresh `Abi` of the pool contract from the package's metadata. */
export function poolAbi(): Abi {
  return abiFrom(structuredClone(POOL_METADATA) as Record<string, unknown>, 'pool metadata');
}

/** The `Abi` of every contract of the suite, from the package's metadata. */
export function suiteAbis(): Record<ContractName, Abi> {
  return Object.fromEntries(CONTRACT_NAMES.map((name) => [name, metadataAbi(name)])) as Record<ContractName, Abi>;
}

/** A deployment given as an object (the deployments json's shape: what
 * `deploy/deploy.sh` writes, parsed) checked and paired with the package's
 * metadata, ready for `Dinfra.connect`. `source` names it in messages. */
export function loadSuite(deployment: unknown, source = 'deployment object'): LoadedDeployment {
  const checked = checkDeployment(deployment, source);
  return { path: source === 'deployment object' ? `deployment object "${checked.name}"` : source, deployment: checked, abis: suiteAbis() };
}
