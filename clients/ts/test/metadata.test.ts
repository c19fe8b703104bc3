// The package's own metadata and deployments given as objects (no node):
// the metadata generated from artifacts/ is exactly artifacts/*.json, a
// deployment object or a file without bundle paths is usable with it, and
// the browser entry's modules import no Node built-in. (test/package.sh
// checks the same from a packed and installed package.)

import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTRACT_NAMES, Dinfra, loadAbi, loadDeployment, loadSuite, METADATA, metadataAbi, POOL_METADATA, poolAbi, suiteAbis } from '../src/node.js';
import { artifactsDir, bundlePath } from './env.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const src = fileURLToPath(new URL('../src/', import.meta.url));

/** A deployment as deploy.sh writes it, without the bundle paths a dApp has no use for. */
const deployment = () => ({
  name: 'local', url: 'ws://127.0.0.1:9944', genesis_hash: `0x${'11'.repeat(32)}`, deployer: ALICE, block: 12,
  contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { address: ALICE, code_hash: `0x${'22'.repeat(32)}` }])),
  parameters: { min_bond: 1000, unbonding_blocks: 100, max_candidates: 20, ready_timeout: 20, consumer_notice: 10, governance_delay: 14_400 },
});

const scratch = mkdtempSync(join(tmpdir(), 'dinfra-metadata-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("the package's metadata", () => {
  test('is artifacts/dinfra_<name>.json, and the bundle without its Wasm', () => {
    for (const name of CONTRACT_NAMES) {
      const json = JSON.parse(readFileSync(join(artifactsDir, `dinfra_${name}.json`), 'utf8'));
      assert.deepEqual(METADATA[name], json, `${name}: the metadata was generated from another build (npm run metadata)`);
      const bundle = JSON.parse(readFileSync(bundlePath(name), 'utf8'));
      assert.ok(bundle.source.wasm, `${name}.contract holds the Wasm`);
      assert.equal((METADATA[name]['source'] as Record<string, unknown>)['wasm'], undefined, `${name}: no Wasm in the package`);
      assert.deepEqual(METADATA[name]['spec'], bundle.spec, `${name} spec`);
      assert.deepEqual(METADATA[name]['types'], bundle.types, `${name} types`);
    }
  });

  test('gives the Abi the bundle gives: the same messages, selectors and events', () => {
    const before = JSON.stringify(METADATA);
    for (const name of CONTRACT_NAMES) {
      const fromPackage = metadataAbi(name);
      const fromBundle = loadAbi(bundlePath(name), name);
      assert.deepEqual(
        fromPackage.messages.map((m) => [m.identifier, m.selector.toHex(), m.isPayable]),
        fromBundle.messages.map((m) => [m.identifier, m.selector.toHex(), m.isPayable]),
        `${name} messages`,
      );
      assert.deepEqual(fromPackage.events.map((e) => e.signatureTopic), fromBundle.events.map((e) => e.signatureTopic), `${name} events`);
    }
    assert.equal(JSON.stringify(METADATA), before, 'building an Abi leaves METADATA as it was');
    assert.throws(() => metadataAbi('reactor' as never), /no contract reactor/);
  });

  test("holds the pool's metadata too, without its Wasm", () => {
    const json = JSON.parse(readFileSync(join(artifactsDir, 'dinfra_pool.json'), 'utf8'));
    assert.deepEqual(POOL_METADATA, json, 'pool: the metadata was generated from another build (npm run metadata)');
    const fromBundle = loadAbi(join(artifactsDir, 'dinfra_pool.contract'), 'pool');
    assert.deepEqual(
      poolAbi().messages.map((m) => [m.identifier, m.selector.toHex(), m.isPayable]),
      fromBundle.messages.map((m) => [m.identifier, m.selector.toHex(), m.isPayable]),
    );
    assert.equal((POOL_METADATA['source'] as Record<string, unknown>)['wasm'], undefined);
  });
});

describe('deployments without bundles', () => {
  test('an object is checked and paired with the package metadata', () => {
    const loaded = loadSuite(deployment());
    assert.equal(loaded.path, 'deployment object "local"');
    assert.equal(loaded.root, undefined);
    for (const name of CONTRACT_NAMES) assert.ok(loaded.abis[name].findMessage('Admin::governance_delay'), `${name} ABI`);
    assert.deepEqual(Object.keys(suiteAbis()), [...CONTRACT_NAMES]);
    assert.throws(() => loadSuite({ ...deployment(), genesis_hash: '0x12' }), /^Error: deployment object: "genesis_hash"/);
    assert.throws(() => loadSuite({ ...deployment(), contracts: { registry: { address: ALICE, code_hash: '0x' } } }), /contracts\.award" is missing/);
    assert.throws(() => loadSuite(null), /not a JSON object/);
  });

  test('a file loads with the package metadata; with bundles: true it needs bundle paths', () => {
    const file = join(scratch, 'local.json');
    writeFileSync(file, JSON.stringify(deployment()));
    const loaded = loadDeployment(file);
    assert.equal(loaded.path, resolve(file));
    assert.ok(loaded.abis.escrow.findMessage('total_held'));
    assert.throws(() => loadDeployment(file, { bundles: true }), /"contracts\.registry\.bundle" is missing/);
  });

  test('Dinfra.connect refuses a path or a bad object before it connects', async () => {
    await assert.rejects(Dinfra.connect('ws://127.0.0.1:1', 'deploy/deployments/local.json' as never), /loadDeployment\(path\) of @dinfra\/client\/node/);
    await assert.rejects(Dinfra.connect('ws://127.0.0.1:1', { ...deployment(), deployer: 'nobody' } as never), /deployer is not a valid account address/);
  });
});

describe('the browser entry', () => {
  test('imports no Node built-in and uses no Node global, in any module it reaches', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const seen = new Set<string>();
    const queue = [join(src, 'index.ts')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        assert.ok(!builtins.has(spec!), `${file} imports ${spec}`);
        if (spec!.startsWith('.')) queue.push(join(dirname(file), spec!.replace(/\.js$/, spec!.endsWith('generated.js') ? '.js' : '.ts')));
      }
      assert.doesNotMatch(text, /\b(Buffer|process|__dirname|require)\b[.(]/, `${file} uses a Node global`);
    }
    assert.ok(seen.has(join(src, 'dinfra.ts')) && seen.has(join(src, 'metadata.ts')), 'the walk reached the client and the metadata');
    assert.ok(!seen.has(join(src, 'files.ts')), 'files.ts is not part of the browser entry');
  });
});
