// @dinfra/client: a TypeScript client for the DINFRA ink! 5 suite — the
// main entry, for browsers and Node alike: nothing here (or below) imports
// a Node built-in. Reading files is `@dinfra/client/node` (node.ts).

export { accountFromSuri, fund } from './accounts.js';
export { advanceTo, bestNumber, connectApi, freeBalance, submit, transfer, type Included, type Signer } from './chain.js';
export { enumName, plain, show, type Amount, type Plain } from './codec.js';
export {
  abiFrom,
  bundleCodeHash,
  checkDeployment,
  CONTRACT_NAMES,
  type ContractLabel,
  type ContractName,
  type DeployedContract,
  type DeployedPool,
  type Deployment,
  type LoadedDeployment,
} from './deployment.js';
export { loadSuite, METADATA, metadataAbi, POOL_METADATA, poolAbi, suiteAbis, type ContractMetadata } from './metadata.js';
export {
  accessRecord,
  awardWindow,
  randomSeed,
  createArgs,
  Dinfra,
  MAX_CLAIM_BATCH,
  offerTerms,
  requirements,
  type CallTarget,
  type ClaimResult,
  type ConnectOptions,
  type DryRun,
  type ScheduledResult,
  type SendOptions,
  type TxResult,
  type Weight,
} from './dinfra.js';
export { CallFailed, ContractError, errorTypeIndex, explainError, words } from './errors.js';
export { EXPLANATIONS } from './explanations.js';
export { anyPending, checkGovernance, encodeChange, formatChange, formatGovernance, GovernanceRefused, scheduledChange, type GovernanceReport } from './governance.js';
export { decodeEvents, eventNamed, eventsNamed, formatEvent, type ContractEvent, type ContractsByAddress, type EmittedRecord } from './events.js';
export type * from './types.js';
export { unwrapReply } from './reply.js';
export { Pool, poolCreateArgs, poolPhase, type PoolBooks, type PoolOptions, type PoolPhase, type PoolShare, type PoolTerms } from './pool.js';
export { checkDescriptor, descriptorFor, parseDescriptor, type DescriptorCheck, type Violation } from './descriptor.js';
export { blockTimeFrom, blockTimeMs, chainClock, chainToken, closeReasonText, duration, estimateBlockTime, formatAmount, formatBlock, formatDate, hex, parseAmount, topUpUntil, type ChainClock, type Token } from './human.js';
export { providerLogs, providerStatus, statusHeaders, statusMessage, StatusRefused, type ProviderStatus } from './status.js';
