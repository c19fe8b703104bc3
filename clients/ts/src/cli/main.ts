#!/usr/bin/env node
// dinfra — the DINFRA suite from the command line (Node only: the package's
// `bin`, never imported by the browser entry). `dinfra --help` lists the
// commands; clients/ts/README.md, "Command line", shows them at work.
//
// Exit status: 0 done; 1 the contract refused (its error in words) or the
// node failed; 2 bad input, refused before anything was sent; 3 `watch`:
// the funds run low and there is no hook.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accountFromSuri } from '../accounts.js';
import type { Signer } from '../chain.js';
import { createArgs, Dinfra } from '../dinfra.js';
import { chainClock, chainToken } from '../human.js';
import { loadDeployment } from '../node.js';
import type { DeploymentType, Offer } from '../types.js';
import { flag, has, parseArgs, UsageError, usage, type Parsed } from './args.js';
import { describeError, RUN, type Chain, type Context, type ProviderRecord } from './commands.js';

const DEFAULT_URL = 'ws://127.0.0.1:9944';
const PAGE = 100;

/** The commands' `Chain` over a connected `Dinfra`. */
export function dinfraChain(dinfra: Dinfra): Chain {
  const { api } = dinfra;
  const token = chainToken(api);
  return {
    token: { decimals: token.decimals, symbol: token.symbol },
    clock: () => chainClock(api),
    async types() {
      const out: { typeId: number; type: DeploymentType }[] = [];
      for (let cursor = 0; ; ) {
        const [total, entries] = await dinfra.query<[number, [number, DeploymentType][]]>('registry', 'types', [cursor, PAGE]);
        out.push(...entries.map(([typeId, type]) => ({ typeId, type })));
        cursor += entries.length;
        if (entries.length === 0 || cursor >= total) return out;
      }
    },
    deploymentType: (typeId) => dinfra.deploymentType(typeId),
    typeIdByName: (name) => dinfra.typeIdByName(name),
    async offersOfType(typeId) {
      const out: { offerId: bigint; offer: Offer }[] = [];
      for (let cursor = 0; ; ) {
        const [total, entries] = await dinfra.query<[number, [bigint, Offer][]]>('registry', 'offers_of_type', [typeId, cursor, PAGE]);
        out.push(...entries.map(([offerId, offer]) => ({ offerId, offer })));
        cursor += entries.length;
        if (entries.length === 0 || cursor >= total) return out;
      }
    },
    offer: (offerId) => dinfra.offer(offerId),
    provider: (account) => dinfra.query<ProviderRecord | null>('registry', 'provider', [account]),
    details: (id) => dinfra.details(id),
    async dryCreate(signer, s) {
      const run = await dinfra.dryRun('subscription', 'Subscription::create', createArgs(s), signer.address, s.deposit);
      return BigInt(run.value as bigint);
    },
    create: (signer, s) => dinfra.create(signer, s),
    topUp: (signer, id, amount) => dinfra.topUp(signer, id, amount),
    cancel: (signer, id) => dinfra.cancel(signer, id),
    async newBlocks(onBlock) {
      const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => onBlock(header.number.toNumber()));
      return () => unsubscribe();
    },
  };
}

/** The signing account of --suri or --key-file, read only when a command signs. */
function signerOf(args: Parsed): () => Promise<Signer> {
  if (has(args, 'suri') && has(args, 'key-file')) throw new UsageError('give --suri or --key-file, not both');
  return async () => {
    let suri = flag(args, 'suri');
    const keyFile = flag(args, 'key-file');
    if (keyFile !== undefined) {
      try {
        suri = readFileSync(keyFile, 'utf8').trim();
      } catch (error) {
        throw new UsageError(`--key-file ${keyFile} cannot be read: ${(error as Error).message}`);
      }
      if (!suri) throw new UsageError(`--key-file ${keyFile} is empty`);
    }
    if (suri === undefined) throw new UsageError('this command signs a transaction: give --suri or --key-file');
    try {
      return await accountFromSuri(suri);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
}

function runHook(command: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs `dinfra` with `argv`; resolves with the exit status. `connect`,
 * the clock and the hook runner are replaceable (the tests give fakes). */
export async function main(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = { out: (l) => console.log(l), err: (l) => console.error(l) },
  connect: (url: string, deploymentPath: string) => Promise<{ chain: Chain; close: () => Promise<void> }> = connectNode,
  now: () => number = Date.now,
  hook: (command: string, env: Record<string, string>) => Promise<number> = runHook,
): Promise<number> {
  let json = false;
  let close: (() => Promise<void>) | null = null;
  try {
    const args = parseArgs(argv);
    json = has(args, 'json');
    if (args.command === 'help' || has(args, 'help')) {
      io.out(usage(args.command === 'help' ? args.positionals[0] : args.command));
      return 0;
    }
    const signer = signerOf(args);
    const url = flag(args, 'url') ?? process.env['DINFRA_URL'] ?? DEFAULT_URL;
    if (!/^wss?:\/\/./.test(url)) throw new UsageError(`--url ${url} is not a ws:// or wss:// endpoint`);
    const deployment = flag(args, 'deployment') ?? process.env['DINFRA_DEPLOYMENT'];
    if (!deployment) throw new UsageError('--deployment FILE is required (deploy/deploy.sh writes deploy/deployments/<name>.json), or set DINFRA_DEPLOYMENT');
    const connected = await connect(url, deployment);
    close = connected.close;
    const ctx: Context = { chain: connected.chain, signer, out: io.out, json, now, runHook: hook };
    return await RUN[args.command]!(ctx, args);
  } catch (error) {
    const message = describeError(error);
    io.err(`dinfra: ${message}`);
    if (json) io.out(JSON.stringify({ error: { kind: error instanceof UsageError ? 'input' : error instanceof Error ? error.name : 'error', message } }));
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await close?.().catch(() => undefined);
  }
}

async function connectNode(url: string, deploymentPath: string): Promise<{ chain: Chain; close: () => Promise<void> }> {
  let loaded;
  try {
    loaded = loadDeployment(deploymentPath);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dinfra = await Dinfra.connect(url, loaded, { timeoutMs: 15_000 });
  return { chain: dinfraChain(dinfra), close: () => dinfra.disconnect() };
}

// Run when executed (node dist/cli/main.js, tsx src/cli/main.ts, the `dinfra` bin), not when imported.
const invoked = process.argv[1] ? safeRealpath(process.argv[1]) : '';
if (invoked === safeRealpath(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
