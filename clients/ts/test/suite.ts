// A suite of the node tests' own, beside the deployment under test: the same
// code (already on the chain), instantiated with a governance delay of a few
// blocks so that a scheduled change becomes due within a test, and wired the
// way deploy/deploy.sh wires (the first wiring applies at once).

import type { ApiPromise } from '@polkadot/api';
import { BlueprintPromise } from '@polkadot/api-contract';
import type { KeyringPair } from '@polkadot/keyring/types';
import { randomAsHex } from '@polkadot/util-crypto';
import { submit } from '../src/chain.js';
import { bundleCodeHash, CONTRACT_NAMES, type ContractName, type LoadedDeployment } from '../src/deployment.js';
import { Dinfra } from '../src/dinfra.js';

export interface SuiteOptions {
  governanceDelay: number;
  consumerNotice: number;
  readyTimeout: number;
  minBond: bigint;
  unbondingBlocks: number;
  maxCandidates: number;
}

/** Instantiates registry, escrow, award and subscription from `base`'s code
 * (the admin is `admin`), connects to them and wires the three links;
 * returns the connected suite and what each wiring did. */
export async function instantiateSuite(
  url: string,
  base: Dinfra,
  admin: KeyringPair,
  options: SuiteOptions,
): Promise<{ suite: Dinfra; wired: { contract: ContractName; applied: boolean }[] }> {
  const { api } = base;
  const salt = randomAsHex(16);
  const address = {} as Record<ContractName, string>;
  const block = {} as Record<ContractName, number>;
  const instantiate = async (name: ContractName, args: unknown[]): Promise<void> => {
    const abi = base.loaded.abis[name];
    const codeHash = bundleCodeHash(abi);
    if (!codeHash) throw new Error(`the ${name} bundle has no code hash`);
    // Dry-run the constructor for its gas: the whole extrinsic limit as a
    // gas limit leaves no room for the extrinsic's own weight.
    const data = abi.findConstructor('new').toU8a(args);
    const dryRun = await api.call.contractsApi.instantiate(
      admin.address, 0, maxExtrinsicWeight(api), null, { Existing: codeHash }, data, salt,
    );
    if (dryRun.result.isErr) throw new Error(`instantiating ${name} fails in a dry run: ${dryRun.result.asErr.toString()}`);
    const withMargin = (x: { toBigInt(): bigint }): bigint => (x.toBigInt() * 5n) / 4n;
    const gasLimit = api.registry.createType('WeightV2', {
      refTime: withMargin(dryRun.gasRequired.refTime),
      proofSize: withMargin(dryRun.gasRequired.proofSize),
    });
    const blueprint = new BlueprintPromise(api, abi, codeHash);
    const tx = blueprint.tx['new']!({ gasLimit, storageDepositLimit: null, salt }, ...args);
    const included = await submit(api, tx, admin, `instantiate ${name}`);
    const instantiated = included.records.find(({ event }) => event.section === 'contracts' && event.method === 'Instantiated');
    if (!instantiated) throw new Error(`instantiating ${name} emitted no contracts.Instantiated`);
    address[name] = instantiated.event.data[1]!.toString();
    block[name] = included.blockNumber;
  };
  const delay = options.governanceDelay;
  await instantiate('registry', [options.minBond, options.unbondingBlocks, delay]);
  await instantiate('escrow', [delay]);
  await instantiate('award', [address.registry, options.maxCandidates, delay]);
  await instantiate('subscription', [
    address.award,
    address.registry,
    address.escrow,
    { readyTimeout: options.readyTimeout, consumerNotice: options.consumerNotice },
    delay,
  ]);

  const deployment = base.loaded.deployment;
  const loaded: LoadedDeployment = {
    ...base.loaded,
    path: `${deployment.name}+governance-test`,
    deployment: {
      ...deployment,
      name: `${deployment.name}-governance-test`,
      deployer: admin.address,
      block: Math.max(...Object.values(block)),
      contracts: Object.fromEntries(
        CONTRACT_NAMES.map((name) => [name, { ...deployment.contracts[name], address: address[name], block: block[name] }]),
      ) as unknown as LoadedDeployment['deployment']['contracts'],
      parameters: {
        min_bond: options.minBond.toString(),
        unbonding_blocks: options.unbondingBlocks,
        max_candidates: options.maxCandidates,
        ready_timeout: options.readyTimeout,
        consumer_notice: options.consumerNotice,
        governance_delay: delay,
      },
    },
  };
  const suite = await Dinfra.connect(url, loaded);
  const wired: { contract: ContractName; applied: boolean }[] = [];
  for (const contract of ['registry', 'award', 'escrow'] as const) {
    const { applied } = await suite.scheduleChange(admin, contract, { Link: ['Controller', address.subscription] });
    wired.push({ contract, applied });
  }
  return { suite, wired };
}

function maxExtrinsicWeight(api: ApiPromise) {
  const weights = api.consts.system.blockWeights;
  const perExtrinsic = weights.perClass.normal.maxExtrinsic;
  const w = perExtrinsic.isSome ? perExtrinsic.unwrap() : weights.maxBlock;
  return api.registry.createType('WeightV2', { refTime: w.refTime, proofSize: w.proofSize });
}
