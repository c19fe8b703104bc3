// The demo's reactor helpers, without a node or the binary: reading the
// reactor's state file, polling with a deadline, and refusing a missing
// binary.

import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ProviderReactor, rpcAnswer, waitFor, type ReactorOptions } from '../src/reactor.js';

/** A reactor that exits at once (`/bin/true`): only its files matter. */
const OPTIONS: ReactorOptions = {
  binary: '/bin/true',
  url: 'ws://127.0.0.1:9944',
  providerSuri: '//Bob',
  deployment: '/nonexistent/local.json',
  typeName: 'web',
  schema: '/repo/types/container/schema.json',
  access: ['http://{host}:{port}/'],
  command: 'sleep 1',
  claimPeriod: 10,
  firstPort: 32000,
};

describe('reactor helpers', () => {
  test('waitFor returns the first truthy result', async () => {
    let calls = 0;
    const found = await waitFor('the third call', 5, async () => (++calls === 3 ? 'ready' : null));
    assert.equal(found, 'ready');
    assert.equal(calls, 3);
  });

  test('waitFor names what it waited for when it times out', async () => {
    await assert.rejects(
      waitFor('something that never happens', 0.3, async () => false),
      /timed out after 0.3 s waiting until something that never happens/,
    );
  });

  test('a missing reactor binary is refused before anything is written', () => {
    assert.throws(
      () =>
        ProviderReactor.start({ ...OPTIONS, binary: '/nonexistent/dinfra-reactor' }),
      /no reactor binary at \/nonexistent\/dinfra-reactor/,
    );
  });

  test('served() reads the reactor state file: phase, port and pid', async () => {
    const reactor = ProviderReactor.start(OPTIONS);
    try {
      assert.equal(reactor.served(1), null, 'no state file yet');
      const config = JSON.parse(readFileSync(join(reactor.dir, 'reactor.json'), 'utf8'));
      assert.deepEqual(config.chain, { url: 'ws://127.0.0.1:9944', key_file: 'provider.key', deployments: '/nonexistent/local.json' });
      assert.deepEqual(config.ports, { first: 32000, last: 32019 });
      assert.deepEqual(config.fetch, { schemes: ['file'] });
      assert.equal(config.public_host, '127.0.0.1');
      assert.deepEqual(config.types, {
        web: { schema: '/repo/types/container/schema.json', access: ['http://{host}:{port}/'], driver: 'process', command: 'sleep 1', health: 'tcp', health_timeout_secs: 120, max_restarts: 2 },
      });
      const keyMode = statSync(join(reactor.dir, 'provider.key')).mode & 0o777;
      assert.equal(keyMode, 0o600);
      writeFileSync(
        join(reactor.dir, 'state.json'),
        JSON.stringify({ version: 1, next_block: 9, subscriptions: { '1': { phase: 'running', port: 32000, handle: { pid: 4242 } }, '2': { phase: 'pending' } } }),
      );
      assert.deepEqual(reactor.served(1), { phase: 'running', port: 32000, pid: 4242 });
      assert.deepEqual(reactor.served(2), { phase: 'pending', port: null, pid: null });
      assert.equal(reactor.served(3), null);
      const uri = reactor.publish('descriptor.json', '{"chain":"dev"}');
      assert.equal(uri, `file://${join(reactor.dir, 'descriptor.json')}`);
    } finally {
      await reactor.stop();
    }
  });

  test('rpcAnswer is null where nothing answers JSON-RPC', async () => {
    assert.equal(await rpcAnswer('http://127.0.0.1:1'), null);
  });
});
