// The provider's side of the node demo run by the real agent: the
// `dinfra-reactor` binary (reactor/node), started with a config, key file
// and descriptor written to a directory of its own. Its log lines are
// printed as they come, indented under the demo's steps.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ReactorOptions {
  /** The `dinfra-reactor` binary. */
  binary: string;
  url: string;
  /** The provider's secret URI (written to a 0600 key file, not the command line). */
  providerSuri: string;
  /** The deployments file of the suite. */
  deployment: string;
  /** The deployment type's registry name, the JSON Schema its
   * descriptors follow (a path), and the command that serves it. */
  typeName: string;
  schema: string;
  /** The access record's URI templates (`{host}`, `{port}`, `{id}`). */
  access: string[];
  command: string;
  claimPeriod: number;
  /** First port the reactor may hand out (it takes up to 20). */
  firstPort: number;
}

/** What the reactor's state file says about one subscription. */
export interface Served {
  phase: string;
  port: number | null;
  pid: number | null;
}

export class ProviderReactor {
  readonly dir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  private constructor(dir: string, child: ChildProcess) {
    this.dir = dir;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => console.log(`    reactor  ${line}`));
    }
  }

  /** Writes the reactor's files (and the descriptor it will fetch) and starts it. */
  static start(options: ReactorOptions): ProviderReactor {
    if (!existsSync(options.binary)) throw new Error(`no reactor binary at ${options.binary} (cd reactor && cargo build -p dinfra-reactor-node)`);
    const dir = mkdtempSync(join(tmpdir(), 'dinfra-demo-reactor-'));
    const keyFile = join(dir, 'provider.key');
    writeFileSync(keyFile, `${options.providerSuri}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    const config = {
      state_file: 'state.json',
      log_dir: 'logs',
      work_dir: 'work',
      ports: { first: options.firstPort, last: options.firstPort + 19 },
      claim_period: options.claimPeriod,
      claim_margin: 0,
      poll_interval_ms: 300,
      chain: { url: options.url, key_file: 'provider.key', deployments: options.deployment },
      // The demo publishes its descriptor as a local file (`publish`).
      fetch: { schemes: ['file'] },
      // Where consumers reach the deployments (the access record's {host}).
      public_host: '127.0.0.1',
      types: {
        [options.typeName]: { schema: options.schema, access: options.access, driver: 'process', command: options.command, health: 'tcp', health_timeout_secs: 120, max_restarts: 2 },
      },
    };
    const configFile = join(dir, 'reactor.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const child = spawn(options.binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new ProviderReactor(dir, child);
  }

  /** Writes `body` where the reactor can fetch it: returns its `file://` URI. */
  publish(name: string, body: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, body);
    return `file://${path}`;
  }

  /** The reactor's record of subscription `id`, if it has one yet. */
  served(id: bigint | number): Served | null {
    const path = join(this.dir, 'state.json');
    if (!existsSync(path)) return null;
    const state = JSON.parse(readFileSync(path, 'utf8')) as { subscriptions?: Record<string, { phase: string; port?: number | null; handle?: { pid: number } | null }> };
    const entry = state.subscriptions?.[id.toString()];
    if (!entry) return null;
    return { phase: entry.phase, port: entry.port ?? null, pid: entry.handle?.pid ?? null };
  }

  /** SIGTERM: the reactor finishes its step and exits 0; then its directory
   * is removed (anything still running in it was the reactor's to stop). */
  async stop(): Promise<number | null> {
    this.#child.kill('SIGTERM');
    const code = await this.#exited;
    rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

/** Whether something accepts JSON-RPC on `port`: the chain's name and best block. */
export async function rpcAnswer(url: string): Promise<string | null> {
  const call = async (method: string): Promise<unknown> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    });
    return ((await response.json()) as { result: unknown }).result;
  };
  try {
    const chain = await call('system_chain');
    const header = (await call('chain_getHeader')) as { number: string };
    return `chain "${String(chain)}", best block ${parseInt(header.number, 16)}`;
  } catch {
    return null;
  }
}

/** Polls `check` every 250 ms until it returns something, for up to `seconds`. */
export async function waitFor<T>(what: string, seconds: number, check: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
