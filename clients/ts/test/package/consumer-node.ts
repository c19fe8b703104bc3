// A Node program's use of @dinfra/client/node's declarations.
import { Dinfra, loadDeployment, readDeployment } from '@dinfra/client/node';

export async function connectFile(path: string): Promise<string> {
  const name: string = readDeployment(path).name;
  const dinfra = await Dinfra.connect('ws://127.0.0.1:9944', loadDeployment(path));
  await dinfra.disconnect();
  return name;
}
