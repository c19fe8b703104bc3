// A TypeScript dApp's use of the package's declarations (test/package.sh
// type-checks it against the installed package, with no Node types): the
// types are real (a wrong contract name is an error), not `any`.
import { Dinfra, loadSuite, METADATA, metadataAbi, type ContractEvent, type Deployment, type LoadedDeployment, type TxResult } from '@dinfra/client';

export async function subscribe(deployment: Deployment): Promise<number> {
  const loaded: LoadedDeployment = loadSuite(deployment);
  const dinfra = await Dinfra.connect(deployment.url, loaded, { timeoutMs: 5_000 });
  const count: bigint = await dinfra.subscriptionCount();
  const result: TxResult | null = null;
  const events: ContractEvent[] = result ? (result as TxResult).events : [];
  await dinfra.disconnect();
  return Number(count) + events.length + metadataAbi('subscription').messages.length + Object.keys(METADATA.registry).length;
}

// @ts-expect-error: no such contract in the suite
metadataAbi('reactor');
