// @dinfra/client as a stranger uses it: test/package.sh copies this file
// into a scratch project outside the repository, where the packed tarball
// was installed with npm, and runs it with node's test runner. It imports
// only @dinfra/client and @dinfra/client/node.
//
// Offline: the installed files, the metadata, a call encoded, an event
// decoded from known bytes, deployments as an object and as a file; the
// main entry bundled for the browser by esbuild (DINFRA_ESBUILD) with no
// Node built-in, and run where Node's globals are not; the declarations
// type-checked by tsc (DINFRA_TSC) without Node's types. With DINFRA_URL or
// DINFRA_DEPLOYMENT: queries and a dry-run `create` on that node, with the
// package's metadata.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import {
  accountFromSuri,
  CallFailed,
  CONTRACT_NAMES,
  ContractError,
  createArgs,
  decodeEvents,
  Dinfra,
  loadSuite,
  METADATA,
  metadataAbi,
} from '@dinfra/client';
import { loadDeployment, readDeployment } from '@dinfra/client/node';

const here = fileURLToPath(new URL('.', import.meta.url));
const installed = join(here, 'node_modules', '@dinfra', 'client');
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

/** A message's label in the metadata: `name`, or `Trait::name` once the
 * contract labels it so (the selectors stay). */
function label(contract, name) {
  const message = METADATA[contract].spec.messages.find((m) => m.label === name || m.label.endsWith(`::${name}`));
  assert.ok(message, `${contract} has a ${name} message`);
  return message;
}

const le = (value, bytes) => {
  let out = '';
  for (let i = 0; i < bytes; i++) out += ((BigInt(value) >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
  return out;
};

/** A deployment as deploy.sh writes it, but with no bundle paths. */
const deploymentObject = () => ({
  name: 'stranger', url: 'ws://127.0.0.1:9944', genesis_hash: `0x${'11'.repeat(32)}`, deployer: ALICE, block: 12,
  contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { address: ALICE, code_hash: `0x${'22'.repeat(32)}` }])),
  parameters: { min_bond: 1000, unbonding_blocks: 100, max_candidates: 20, ready_timeout: 20, consumer_notice: 10, governance_delay: 14_400 },
});

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

function esbuild(entry, outfile, format) {
  const result = spawnSync(
    process.env.DINFRA_ESBUILD ?? 'esbuild',
    [entry, '--bundle', '--platform=browser', `--format=${format}`, `--outfile=${outfile}`, `--metafile=${outfile}.meta.json`, '--log-level=error'],
    { cwd: here, encoding: 'utf8' },
  );
  assert.ok(!result.error, `esbuild could not run: ${result.error?.message}`);
  return result;
}

describe('the installed package', () => {
  test('comes from the tarball into this project outside the repository: built ESM with declarations, no sources, no Wasm', () => {
    assert.equal(fileURLToPath(import.meta.resolve('@dinfra/client')), join(installed, 'dist', 'index.js'));
    assert.equal(fileURLToPath(import.meta.resolve('@dinfra/client/node')), join(installed, 'dist', 'node.js'));
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    assert.equal(pkg.name, '@dinfra/client');
    assert.equal(pkg.version, '0.1.0');
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.type, 'module');
    assert.deepEqual(Object.keys(pkg.exports), ['.', './node', './package.json']);
    const all = files(installed).map((f) => relative(installed, f));
    for (const file of all.filter((f) => f.endsWith('.js'))) assert.ok(all.includes(file.replace(/\.js$/, '.d.ts')), `${file} has a declaration`);
    assert.deepEqual(all.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md'].includes(f)), [], 'only dist/, package.json, README.md');
    assert.deepEqual(all.filter((f) => /\.(wasm|contract|ts)$/.test(f) && !f.endsWith('.d.ts')), [], 'no Wasm, bundles or TypeScript sources');
    assert.ok(!all.includes('dist/demo.js') && !all.includes('dist/reactor.js'), 'the repository-only demo is not packaged');
  });

  test('holds the four contracts\' ink! 5 metadata, without their Wasm', () => {
    assert.deepEqual([...CONTRACT_NAMES], ['registry', 'award', 'escrow', 'subscription']);
    for (const name of CONTRACT_NAMES) {
      const json = METADATA[name];
      assert.equal(String(json.version), '5', `${name} version`);
      assert.match(json.source.hash, /^0x[0-9a-f]{64}$/, `${name} code hash`);
      assert.equal(json.source.wasm, undefined, `${name} without Wasm`);
      assert.match(json.contract.name, new RegExp(`^dinfra[-_]${name}$`));
      assert.ok(metadataAbi(name).messages.length >= 10, `${name} messages`);
    }
  });
});

describe('offline', () => {
  test('encodes a Registry and a Subscription query\'s call data: selector and SCALE arguments', () => {
    // Abi's toU8a gives the call data as SCALE Bytes: its compact length first.
    const offer = metadataAbi('registry').findMessage('offer');
    assert.equal(offer.selector.toHex(), label('registry', 'offer').selector);
    assert.equal(Buffer.from(offer.toU8a([7])).toString('hex'), `30${label('registry', 'offer').selector.slice(2)}${le(7, 8)}`);
    const details = label('subscription', 'details');
    const call = metadataAbi('subscription').findMessage(details.label).toU8a([0x0102_0304_0506n]);
    assert.equal(Buffer.from(call).toString('hex'), `30${details.selector.slice(2)}${le(0x0102_0304_0506n, 8)}`);
    const create = label('subscription', 'create');
    assert.equal(metadataAbi('subscription').findMessage(create.label).isPayable, true);
    assert.equal(createArgs({ typeId: 0, descriptor: { hash: `0x${'ab'.repeat(32)}`, uri: 'ipfs://x' }, requirements: { maxPricePerBlock: 2n } }).length, create.args.length);
  });

  test('decodes an escrow event from known bytes with the emitting contract\'s ABI', () => {
    const topic = METADATA.escrow.spec.events.find((e) => e.label === 'EndScheduled').signature_topic;
    const data = Buffer.from(`${le(7, 8)}${le(150, 4)}`, 'hex');
    const records = [
      { event: { section: 'balances', method: 'Withdraw', data: [ALICE, 1] }, topics: [] },
      { event: { section: 'contracts', method: 'ContractEmitted', data: [ALICE, data] }, topics: [{ toHex: () => topic }] },
    ];
    const events = decodeEvents(records, new Map([[ALICE, { name: 'escrow', abi: metadataAbi('escrow') }]]));
    assert.deepEqual(events.map((e) => [e.contract, e.address, e.name, e.args]), [['escrow', ALICE, 'EndScheduled', { id: 7n, end: 150 }]]);
  });

  test('takes a deployment as an object, or as a file through @dinfra/client/node', async () => {
    const fromObject = loadSuite(deploymentObject());
    assert.deepEqual(Object.keys(fromObject.abis), [...CONTRACT_NAMES]);
    assert.throws(() => loadSuite({ ...deploymentObject(), parameters: {} }), /parameters\.unbonding_blocks/);
    const file = join(here, 'stranger.json');
    writeFileSync(file, JSON.stringify(deploymentObject()));
    assert.equal(readDeployment(file).name, 'stranger');
    const fromFile = loadDeployment(file);
    assert.equal(fromFile.path, file);
    assert.equal(fromFile.abis.subscription.findMessage(label('subscription', 'create').label).isPayable, true);
    await assert.rejects(Dinfra.connect('ws://127.0.0.1:1', file), /loadDeployment\(path\) of @dinfra\/client\/node/);
  });
});

describe('in a bundler', () => {
  test('the main entry bundles for the browser (esbuild --platform=browser --format=esm) with no Node built-in', () => {
    const result = esbuild('browser-entry.js', 'out/browser.js', 'esm');
    assert.equal(result.status, 0, `esbuild failed:\n${result.stderr}`);
    const meta = JSON.parse(readFileSync(join(here, 'out', 'browser.js.meta.json'), 'utf8'));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const inputs = Object.keys(meta.inputs);
    assert.deepEqual(inputs.filter((i) => builtins.has(i) || i.startsWith('node:')), [], 'no built-in module is bundled');
    assert.deepEqual(meta.outputs['out/browser.js'].imports, [], 'nothing is left for the page to import');
    assert.ok(inputs.some((i) => i.endsWith('@dinfra/client/dist/metadata.generated.js')), 'the metadata is in the bundle');
    assert.ok(!inputs.some((i) => /@dinfra\/client\/dist\/(files|node)\.js$/.test(i)), 'the Node-only modules are not');
    console.log(`# browser bundle: ${(meta.outputs['out/browser.js'].bytes / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
  });

  test('the Node entry does not bundle for the browser: it reads files', () => {
    writeFileSync(join(here, 'node-entry.js'), "import { loadDeployment } from '@dinfra/client/node';\nconsole.log(loadDeployment);\n");
    const result = esbuild('node-entry.js', 'out/node.js', 'esm');
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /node:(fs|path)/);
  });

  test('the browser bundle runs where Node\'s globals are not: encodes a call, decodes an event, loads a deployment', () => {
    const result = esbuild('browser-entry.js', 'out/browser.iife.js', 'iife');
    assert.equal(result.status, 0, `esbuild failed:\n${result.stderr}`);
    // A page's globals, no Buffer, process, require or global. The context
    // has its own builtins (Uint8Array, WebAssembly …); what it is lent from
    // Node must hand back the context's own arrays and objects, as a page's would.
    const page = vm.createContext({ console, URL, URLSearchParams, crypto: globalThis.crypto, atob, btoa, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask });
    page.nodeEncode = (text) => new TextEncoder().encode(text);
    page.nodeDecode = (bytes, label, options) => new TextDecoder(label, options).decode(bytes);
    vm.runInContext(
      `((encode, decode) => {
         globalThis.TextEncoder = class TextEncoder { get encoding() { return 'utf-8'; } encode(text = '') { return new Uint8Array(encode(text)); } };
         globalThis.TextDecoder = class TextDecoder { constructor(label = 'utf-8', options = {}) { this.label = label; this.options = options; } decode(bytes) { return decode(bytes, this.label, this.options); } };
         globalThis.structuredClone = (value) => JSON.parse(JSON.stringify(value));
       })(nodeEncode, nodeDecode);
       delete globalThis.nodeEncode;
       delete globalThis.nodeDecode;`,
      page,
    );
    vm.runInContext(readFileSync(join(here, 'out', 'browser.iife.js'), 'utf8'), page, { filename: 'browser.iife.js' });
    assert.equal(vm.runInContext('typeof Buffer + typeof process + typeof require', page), 'undefinedundefinedundefined');
    const found = JSON.parse(page.dinfraCheck);
    assert.deepEqual(found, {
      connect: 'function',
      offerCall: `0x30${label('registry', 'offer').selector.slice(2)}${le(7, 8)}`,
      event: [{ contract: 'escrow', name: 'EndScheduled', id: '7', end: 150 }],
      createArgs: 4,
      suite: [...CONTRACT_NAMES],
    });
  });

  test('the declarations type-check a TypeScript dApp without Node\'s types (Bundler and NodeNext resolution)', () => {
    for (const [resolution, module, file] of [['Bundler', 'ESNext', 'consumer.ts'], ['NodeNext', 'NodeNext', 'consumer.ts'], ['NodeNext', 'NodeNext', 'consumer-node.ts']]) {
      const tsconfig = join(here, `tsconfig.${resolution}.${file}.json`);
      writeFileSync(tsconfig, JSON.stringify({
        compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true, skipLibCheck: true },
        files: [file],
      }));
      const result = spawnSync(process.env.DINFRA_TSC ?? 'tsc', ['-p', tsconfig], { cwd: here, encoding: 'utf8' });
      assert.equal(result.status, 0, `${file} with ${resolution} resolution:\n${result.stdout}${result.stderr}`);
    }
  });
});

const URL_ = process.env.DINFRA_URL ?? 'ws://127.0.0.1:9944';
const DEPLOYMENT = process.env.DINFRA_DEPLOYMENT;
if (process.env.DINFRA_URL || DEPLOYMENT) {
  describe(`on the node at ${URL_}`, () => {
    const deploymentFile = () => {
      if (!DEPLOYMENT) throw new Error('DINFRA_DEPLOYMENT is not set: point it at deploy/deployments/<name>.json');
      assert.ok(existsSync(DEPLOYMENT), `${DEPLOYMENT} exists`);
      return DEPLOYMENT;
    };

    test('connects with the deployment as an object and the package\'s metadata (code hashes checked), and queries', async () => {
      const deployment = JSON.parse(readFileSync(deploymentFile(), 'utf8'));
      for (const name of CONTRACT_NAMES) delete deployment.contracts[name].bundle;
      const dinfra = await Dinfra.connect(URL_, deployment, { timeoutMs: 10_000 });
      try {
        assert.equal(typeof (await dinfra.subscriptionCount()), 'bigint');
        assert.equal(typeof (await dinfra.totalHeld()), 'bigint');
        assert.equal(await dinfra.governanceDelay('registry'), dinfra.governance.contracts.registry.delay);
        const params = await dinfra.registryParameters();
        assert.equal(String(params.minBond), String(deployment.parameters.min_bond));
      } finally {
        await dinfra.disconnect();
      }
    });

    test('a dry-run create, loaded with loadDeployment(file), reaches the contract and its answer decodes', async () => {
      const dinfra = await Dinfra.connect(URL_, loadDeployment(deploymentFile()), { timeoutMs: 10_000 });
      try {
        const origin = (await accountFromSuri(process.env.DINFRA_SURI ?? '//Alice')).address;
        const args = createArgs({
          typeId: 0,
          descriptor: { hash: `0x${'ab'.repeat(32)}`, uri: 'ipfs://dinfra-package-test' },
          requirements: { maxPricePerBlock: 1n, minDuration: 10 },
        });
        const message = label('subscription', 'create').label;
        try {
          // Nothing is sent: a dry run. An offer at 1 per block is unlikely
          // (then it is a subscription id); otherwise the contract refuses.
          const run = await dinfra.dryRun('subscription', message, args, origin, 1_000_000n);
          assert.equal(typeof run.value, 'bigint', 'create returns the subscription id');
        } catch (error) {
          assert.ok(!(error instanceof CallFailed), `the call did not run: ${error.message}`);
          assert.ok(error instanceof ContractError, String(error));
          assert.equal(error.contract, 'subscription');
          assert.match(error.error, /^[A-Z]\w*(\(.*\))?$/);
          assert.ok(error.explanation.length > 0, 'explained in words');
          console.log(`# dry-run create refused as expected: ${error.error} — ${error.explanation}`);
        }
      } finally {
        await dinfra.disconnect();
      }
    });
  });
} else {
  console.log('# node checks skipped (set DINFRA_URL and DINFRA_DEPLOYMENT to run them)');
}
