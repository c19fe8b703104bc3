// The console's connection: a node, the suite on it (checked by
// Dinfra.connect), the chain's token and clock, and who may sign.
import {
  accountFromSuri,
  bundleCodeHash,
  chainClock,
  chainToken,
  CONTRACT_NAMES,
  connectApi,
  ContractError,
  CallFailed,
  Dinfra,
  type ChainClock,
  type ContractName,
  type Deployment,
  type Signer,
  type Token,
} from '@dinfra/client';
import type { ApiPromise } from '@polkadot/api';
import type { Header } from '@polkadot/types/interfaces';

export interface CodeCheck {
  name: ContractName;
  address: string;
  onChain: string;
  expected: string;
  ok: boolean;
}

export interface Session {
  url: string;
  dinfra: Dinfra;
  chain: string;
  chainType: string;
  isDev: boolean;
  token: Token & { declared: boolean };
  codes: CodeCheck[];
  deployment: Deployment;
}

export interface Account {
  address: string;
  name: string;
  source: 'dev' | 'extension';
  signer: () => Promise<Signer>;
}

export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/** A deployment object from the four addresses alone: the genesis is the
 * node's, the admin (query origin) the registry's, the code hashes the
 * package metadata's (connect compares them with the chain's anyway). */
/** `text` as an account address (SS58 or 0x + 64 hex digits), checked by
 * the chain's own codec; else an error saying which field is wrong. The
 * client checks addresses too (validateAddress, not exported): this says it
 * before anything is built or sent. */
export function checkAddress(api: ApiPromise, text: string, what: string): string {
  const trimmed = text.trim();
  let ok: string | null = null;
  if (trimmed !== '') {
    try {
      ok = api.createType('AccountId32', trimmed).toString();
    } catch {
      ok = null;
    }
  }
  if (ok === null) throw new Error(`${what}: ${JSON.stringify(trimmed)} is not an account address (SS58, e.g. 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY)`);
  return ok;
}

export async function deploymentFromAddresses(url: string, addresses: Record<ContractName, string>): Promise<Deployment> {
  const api = await connectApi(url);
  try {
    const contracts = {} as Deployment['contracts'];
    for (const name of CONTRACT_NAMES) {
      const address = checkAddress(api, addresses[name], `The ${name} address`);
      const info = await api.query.contracts.contractInfoOf(address);
      if (info.isNone) throw new Error(`no contract at the ${name} address ${address}`);
      contracts[name] = { address, code_hash: info.unwrap().codeHash.toHex() };
    }
    return {
      name: 'addresses',
      url,
      genesis_hash: api.genesisHash.toHex(),
      deployer: contracts.registry.address,
      block: 0,
      contracts,
      parameters: { min_bond: 0, unbonding_blocks: 0, max_candidates: 20, ready_timeout: 0, consumer_notice: 0, governance_delay: 0 },
    };
  } finally {
    await api.disconnect();
  }
}

export async function openSession(url: string, deployment: Deployment): Promise<Session> {
  const dinfra = await Dinfra.connect(url, deployment);
  const { api } = dinfra;
  const [chain, chainType] = await Promise.all([api.rpc.system.chain(), api.rpc.system.chainType()]);
  const codes: CodeCheck[] = [];
  for (const name of CONTRACT_NAMES) {
    const address = dinfra.address(name);
    const info = await api.query.contracts.contractInfoOf(address);
    const onChain = info.isSome ? info.unwrap().codeHash.toHex() : '(none)';
    const expected = bundleCodeHash(dinfra.loaded.abis[name]) ?? '(unknown)';
    codes.push({ name, address, onChain, expected, ok: onChain.toLowerCase() === expected.toLowerCase() });
  }
  const chainName = chain.toString();
  const isDev = chainType.isDevelopment || chainType.isLocal || /development|local|dev/i.test(chainName);
  return { url, dinfra, chain: chainName, chainType: chainType.type, isDev, token: chainToken(api), codes, deployment: dinfra.loaded.deployment };
}

/** The clock at a new head: its number and timestamp. */
export async function clockAt(session: Session, header: Header): Promise<ChainClock> {
  const { api } = session.dinfra;
  const at = await api.query.timestamp.now.at(header.hash);
  const base = await chainClock(api).catch(() => null);
  return { block: header.number.toNumber(), at: Number(at.toString()), msPerBlock: base?.msPerBlock ?? null };
}

export async function devAccounts(): Promise<Account[]> {
  const out: Account[] = [];
  for (const name of DEV_NAMES) {
    const pair = await accountFromSuri(`//${name}`);
    out.push({ address: pair.address, name: `//${name} (dev)`, source: 'dev', signer: async () => pair });
  }
  return out;
}

export async function extensionAccounts(): Promise<Account[]> {
  const { web3Accounts, web3Enable, web3FromAddress } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable('DINFRA console');
  if (extensions.length === 0) throw new Error('no wallet extension answered (polkadot.js, Talisman, SubWallet), or access was refused');
  const accounts = await web3Accounts();
  return accounts.map((a) => ({
    address: a.address,
    name: `${a.meta.name ?? 'account'} (${a.meta.source})`,
    source: 'extension',
    signer: async () => ({ address: a.address, signer: (await web3FromAddress(a.address)).signer }),
  }));
}

/** A refusal in words: the contract's error and what it means. */
export function inWords(error: unknown): string {
  if (error instanceof ContractError) {
    return `Refused by the ${error.contract} contract: ${error.error}${error.explanation ? ` — ${error.explanation}` : ''}`;
  }
  if (error instanceof CallFailed) return `The call failed: ${error.reason}`;
  return error instanceof Error ? error.message : String(error);
}

/** Why billing ends or a subscription closed, in words: the client's
 * sentence (human.ts), so the console and the CLI say the same. */
export { closeReasonText } from '@dinfra/client';
