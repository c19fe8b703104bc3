// The command line, offline: argument parsing, bad input refused before
// anything is sent (exit 2), refusals in words (exit 1) and what a person
// and a script read — with a fake chain and clock, no node.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TypeRegistry } from '@polkadot/types';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { parseDate, statusJson, statusLines, type Chain, type CreateInput } from '../src/cli/commands.js';
import { main } from '../src/cli/main.js';
import { ContractError } from '../src/errors.js';
import { formatBlock, type ChainClock } from '../src/human.js';
import type { Details, Offer } from '../src/types.js';

const TOKEN = { decimals: 10, symbol: 'DOT' };
const NOW = Date.UTC(2026, 11, 11, 14, 0, 0);
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const DOT = 10_000_000_000n;
const RATE = DOT / 100n; // 0.01 DOT a block

function details(over: Partial<Details['subscription']> = {}, figures: Partial<Details['figures']> = {}): Details {
  return {
    subscription: {
      consumer: BOB, typeId: 2, descriptor: { hash: `0x${'11'.repeat(32)}`, uri: 'ipfs://x' },
      requirements: {} as Details['subscription']['requirements'],
      offerId: 3n, provider: ALICE, streamId: 7n, ratePerBlock: RATE, pricing: 'Fixed', minDuration: 10, noticeBlocks: 5,
      cancelFee: 0n, consumerNotice: 20, readyTimeout: 20, awardedAt: 900, readyDeadline: 920, readyAt: 910,
      end: null, priceChange: null, phase: 'Active', closed: null, ...over,
    },
    figures: {
      payer: BOB, payee: ALICE, status: 'Streaming', rate: RATE, start: 910, end: null, depletionBlock: 1_600,
      deposited: 7n * DOT, withdrawn: 0n, refunded: 0n, held: 7n * DOT, accrued: 90n * RATE, withdrawable: 90n * RATE, refundable: 7n * DOT - 90n * RATE,
      ...figures,
    },
    access: { uris: ['wss://rpc.example:9944'] },
  };
}

const OFFER: Offer = {
  provider: ALICE, typeId: 2, reserved: 1, withdrawn: false, position: 0,
  pricePerBlock: RATE, capacity: 10, minDuration: 100, noticeBlocks: 50, pricing: 'Fixed', cancelFee: 0n,
};

/** A chain in memory that records what would have been sent. */
class FakeChain implements Chain {
  token = TOKEN;
  clockNow: ChainClock = { block: 1_000, at: NOW, msPerBlock: 6_000 };
  sent: string[] = [];
  subs = new Map<bigint, Details>([[5n, details()]]);
  refuse: ContractError | null = null;
  blockHandler: ((block: number) => void) | null = null;
  async clock() { return this.clockNow; }
  async types() { return [{ typeId: 2, type: { name: 'substrate-node', schemaHash: `0x${'ab'.repeat(32)}`, registeredBy: ALICE } }]; }
  async deploymentType(typeId: number) { return typeId === 2 ? (await this.types())[0]!.type : null; }
  async typeIdByName(name: string) { return name === 'substrate-node' ? 2 : null; }
  async offersOfType(typeId: number) { return typeId === 2 ? [{ offerId: 3n, offer: OFFER }] : []; }
  async offer(id: bigint) { return id === 3n ? OFFER : null; }
  async provider() { return { name: 'eu-provider', endpoint: 'wss://eu.example', attributes: [{ key: 'region', value: 'eu-west' }], status: 'Active' }; }
  async details(id: bigint) { return this.subs.get(id) ?? null; }
  async dryCreate(_s: unknown, input: CreateInput) {
    this.sent.push(`dry:create:${input.deposit}`);
    if (this.refuse) throw this.refuse;
    return 6n;
  }
  async create(_s: unknown, input: CreateInput) {
    this.sent.push(`create:${input.deposit}:${input.requirements.minDuration}`);
    return { id: 6n, provider: ALICE, offerId: 3n, ratePerBlock: RATE, readyDeadline: 1_020, blockNumber: 1_000 };
  }
  async topUp(_s: unknown, id: bigint, amount: bigint) {
    this.sent.push(`top-up:${id}:${amount}`);
    return { blockNumber: 1_000 };
  }
  async cancel(_s: unknown, id: bigint) {
    this.sent.push(`cancel:${id}`);
    this.subs.set(id, details({ end: [1_130, 'ConsumerCancelled'], phase: 'Ending' }, { end: 1_130, depletionBlock: null }));
    return { blockNumber: 1_000 };
  }
  async newBlocks(onBlock: (block: number) => void) {
    this.blockHandler = onBlock;
    return () => { this.blockHandler = null; };
  }
}

async function run(argv: string[], chain = new FakeChain()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, async () => ({ chain, close: async () => undefined }), () => NOW);
  return { code, out: out.join('\n'), err: err.join('\n'), chain };
}

const BASE = ['--deployment', 'x.json'];

describe('cli arguments', () => {
  test('flags with and without =, repeatable ones, positionals', () => {
    const p = parseArgs(['subscribe', '--type', '2', '--require=region=eu', '--require', 'disk=ssd', '--json']);
    assert.equal(p.command, 'subscribe');
    assert.deepEqual(p.flags.get('require'), ['region=eu', 'disk=ssd']);
    assert.deepEqual(p.flags.get('json'), ['']);
    assert.deepEqual(parseArgs(['status', '7']).positionals, ['7']);
  });

  test('an unknown flag, a missing value, a flag twice, a missing id are refused', () => {
    assert.throws(() => parseArgs(['status', '7', '--colour']), (e) => e instanceof UsageError && /unknown flag --colour/.test(e.message));
    assert.throws(() => parseArgs(['top-up', '7', '--amount']), /--amount needs a value/);
    assert.throws(() => parseArgs(['top-up', '7', '--amount', '1', '--amount', '2']), /given twice/);
    assert.throws(() => parseArgs(['cancel']), /takes ID/);
    assert.throws(() => parseArgs(['frobnicate']), /unknown command/);
    assert.throws(() => parseArgs(['status', '7', '--json=yes']), /takes no value/);
  });

  test('dates: ISO-8601, UTC unless a zone is given; others refused', () => {
    assert.equal(parseDate('2026-12-31'), Date.UTC(2026, 11, 31));
    assert.equal(parseDate('2026-12-31T18:00'), Date.UTC(2026, 11, 31, 18));
    assert.equal(parseDate('2026-12-31T18:00+01:00'), Date.UTC(2026, 11, 31, 17));
    assert.throws(() => parseDate('31/12/2026'), /not an ISO-8601 date/);
    assert.throws(() => parseDate('2026-02-30'), /not a valid date/);
  });
});

describe('cli input refused, nothing sent (exit 2)', () => {
  test('an unknown flag', async () => {
    const r = await run(['status', '5', '--colour', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown flag --colour for dinfra status/);
  });

  test('an amount with too many decimals', async () => {
    const r = await run(['top-up', '5', '--amount', '0.00000000001', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--amount: "0.00000000001" has 11 decimals; DOT has 10/);
    assert.deepEqual(r.chain.sent, []);
  });

  test('a malformed address', async () => {
    const r = await run(['subscribe', '--type', '2', '--max-price', '0.02', '--prefer', '5Grw-not-an-address', '--descriptor', 'ipfs://x', '--descriptor-hash', `0x${'22'.repeat(32)}`, '--deposit', '1', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--prefer "5Grw-not-an-address" is not an account address/);
    assert.deepEqual(r.chain.sent, []);
  });

  test('a date in the past', async () => {
    const r = await run(['top-up', '5', '--until', '2026-12-10T00:00Z', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--until 2026-12-10T00:00Z is in the past/);
    assert.deepEqual(r.chain.sent, []);
  });

  test('both or neither of --amount and --until; both --suri and --key-file; no signer', async () => {
    assert.match((await run(['top-up', '5', ...BASE])).err, /exactly one of --amount X and --until DATE/);
    assert.match((await run(['top-up', '5', '--amount', '1', '--suri', '//A', '--key-file', 'k', ...BASE])).err, /not both/);
    const r = await run(['top-up', '5', '--amount', '1', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /give --suri or --key-file/);
    assert.deepEqual(r.chain.sent, []);
  });

  test('a malformed attribute, a negative amount, an unknown type or subscription, no deployment', async () => {
    const sub = ['subscribe', '--type', '2', '--max-price', '0.02', '--descriptor', 'ipfs://x', '--descriptor-hash', `0x${'22'.repeat(32)}`, '--suri', '//Bob', ...BASE];
    assert.match((await run([...sub, '--deposit', '1', '--require', 'region'])).err, /--require "region" is not key=value/);
    assert.match((await run([...sub, '--deposit', '-1'])).err, /--deposit: "-1" is not an amount/);
    assert.match((await run([...sub, '--deposit', '1', '--type', '9'])).err, /given twice/);
    assert.match((await run([...sub.filter((a) => a !== '2'), '--deposit', '1'].map((a) => (a === '--type' ? '--type=9' : a)))).err, /no deployment type 9/);
    assert.match((await run(['status', '99', ...BASE])).err, /there is no subscription 99/);
    // Without --deployment and without $DINFRA_DEPLOYMENT (set when the node
    // tests run alongside).
    const fromEnv = process.env['DINFRA_DEPLOYMENT'];
    delete process.env['DINFRA_DEPLOYMENT'];
    try {
      assert.match((await run(['status', '5'])).err, /--deployment FILE is required/);
    } finally {
      if (fromEnv !== undefined) process.env['DINFRA_DEPLOYMENT'] = fromEnv;
    }
  });

  test('a descriptor that fails its schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dinfra-cli-'));
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', required: ['chain'] }));
    writeFileSync(join(dir, 'd.json'), '{"port": 1}');
    const r = await run(['subscribe', '--type', '2', '--offer', '3', '--descriptor', join(dir, 'd.json'), '--schema', join(dir, 'schema.json'), '--for-blocks', '100', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 2);
    assert.match(r.err, /does not follow .*must have required property 'chain'/);
    assert.deepEqual(r.chain.sent, []);
  });
});

describe('cli commands on a fake chain', () => {
  test('status: phase, rate, dates from formatBlock, money in the token', async () => {
    const r = await run(['status', '5', ...BASE]);
    assert.equal(r.code, 0);
    const clock = new FakeChain().clockNow;
    assert.match(r.out, /subscription 5: Active \(at block 1000\)/);
    assert.match(r.out, /rate {9}0\.01 DOT per block, Fixed price/);
    assert.ok(r.out.includes(`runs out     ${formatBlock(1_600, clock)} — the deposit is used up then`), r.out);
    assert.ok(r.out.includes('block 1600 (≈ Fri 2026-12-11 15:00 UTC, in 1 h)'));
    assert.match(r.out, /used 0\.9 DOT, left 6\.1 DOT \(deposited 7 DOT\)/);
    assert.match(r.out, /access {7}wss:\/\/rpc\.example:9944/);
  });

  test('status --json: stable keys, amounts as strings in the smallest unit', async () => {
    const r = await run(['status', '5', '--json', ...BASE]);
    const j = JSON.parse(r.out);
    assert.equal(j.ratePerBlock, RATE.toString());
    assert.equal(j.left, (7n * DOT - 90n * RATE).toString());
    assert.deepEqual(j.runsOut, { kind: 'depletion', block: 1_600, at: '2026-12-11T15:00:00.000Z', blocksLeft: 600, hoursLeft: 1 });
    assert.deepEqual(Object.keys(j), Object.keys(statusJson(5n, details(), new FakeChain().clockNow, TOKEN)));
  });

  test('a closed subscription says why in words', () => {
    const d = details({ phase: 'Closed', closed: 'FundsExhausted', end: null }, { depletionBlock: null, refunded: 3n * DOT });
    const lines = statusLines(5n, d, new FakeChain().clockNow, TOKEN).join('\n');
    assert.match(lines, /Closed — the deposit ran out/);
    assert.match(lines, /refunded {5}3 DOT/);
  });

  test('market: price per block and per day in the token, terms, provider and attributes', async () => {
    const r = await run(['market', '--type', 'substrate-node', ...BASE]);
    assert.equal(r.code, 0);
    assert.match(r.out, /offer 3: 0\.01 DOT per block, ≈ 144 DOT a day, Fixed price/);
    assert.match(r.out, /capacity 10 \(1 taken\), minimum 100 blocks \(≈ 10 min\), notice 50 blocks \(≈ 5 min\)/);
    assert.match(r.out, /attributes \(self-declared\): region=eu-west/);
    const j = JSON.parse((await run(['market', '--json', ...BASE])).out);
    assert.equal(j.types[0].offers[0].pricePerBlock, RATE.toString());
  });

  test('subscribe: dry run, then sent; --for-blocks pays the offer price for the blocks', async () => {
    const r = await run(['subscribe', '--type', '2', '--offer', '3', '--descriptor', 'ipfs://bafy', '--descriptor-hash', `0x${'22'.repeat(32)}`, '--for-blocks', '200', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.chain.sent, [`dry:create:${200n * RATE}`, `create:${200n * RATE}:200`]);
    assert.match(r.out, /deposit 2 DOT \(200 blocks \(≈ 20 min\) at 0\.01 DOT per block\)/);
    assert.match(r.out, /subscription 6 created in block 1000/);
  });

  test('subscribe: a refusal is printed in words and nothing is sent (exit 1)', async () => {
    const chain = new FakeChain();
    chain.refuse = new ContractError('subscription', 'Subscription::create', 'NoProvider', new TypeRegistry().createType('u8', 0), 'No offer satisfies the requirements; no funds were taken.');
    const r = await run(['subscribe', '--type', '2', '--max-price', '0.001', '--descriptor', 'ipfs://bafy', '--descriptor-hash', `0x${'22'.repeat(32)}`, '--deposit', '1.5', '--suri', '//Bob', ...BASE], chain);
    assert.equal(r.code, 1);
    assert.match(r.err, /refused by the subscription contract \(NoProvider\): No offer satisfies the requirements; no funds were taken\. Nothing was sent\./);
    assert.deepEqual(chain.sent, ['dry:create:15000000000']);
  });

  test('top-up --until: what the missing blocks cost (topUpUntil)', async () => {
    // Runs out at block 1,600 (15:00); 18:00 is block 3,400: 1,800 blocks more.
    const r = await run(['top-up', '5', '--until', '2026-12-11T18:00Z', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.chain.sent, [`top-up:5:${1_800n * RATE}`]);
    assert.match(r.out, /to last until block 3400 \(≈ Fri 2026-12-11 18:00 UTC, in 4 h\): 18 DOT/);
    const already = await run(['top-up', '5', '--until', '2026-12-11T14:30Z', '--suri', '//Bob', ...BASE]);
    assert.deepEqual(already.chain.sent, []);
    assert.match(already.out, /nothing to send/);
  });

  test('cancel shows when billing ends', async () => {
    const r = await run(['cancel', '5', '--suri', '//Bob', ...BASE]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /billing ends at block 1130 \(≈ Fri 2026-12-11 14:13 UTC, in 13 min\)/);
  });

  test('watch: exits 3 when funds are low without a hook', async () => {
    const r = await run(['watch', '5', '--warn-hours', '2', ...BASE]);
    assert.equal(r.code, 3);
    assert.match(r.out, /LOW \(under 2 h\)/);
  });

  test('watch: runs the hook once with the status in env vars, exits 0 when it closes', async () => {
    const chain = new FakeChain();
    const hooks: Record<string, string>[] = [];
    const out: string[] = [];
    const runHook = async (command: string, env: Record<string, string>) => {
      hooks.push({ command, ...env });
      return 0;
    };
    const watching = main(['watch', '5', '--warn-hours', '2', '--hook', 'notify-me', ...BASE], { out: (l) => out.push(l), err: () => undefined }, async () => ({ chain, close: async () => undefined }), () => NOW, runHook);
    while (!chain.blockHandler) await new Promise((r) => setTimeout(r, 5));
    chain.clockNow = { ...chain.clockNow, block: 1_001, at: NOW + 6_000 };
    chain.blockHandler(1_001);
    chain.subs.set(5n, details({ phase: 'Closed', closed: 'ConsumerCancelled' }, { depletionBlock: null, refunded: DOT }));
    chain.blockHandler(1_002);
    assert.equal(await watching, 0);
    assert.match(out.join('\n'), /closed — the consumer cancelled; refunded 1 DOT/);
    assert.equal(hooks.length, 1, 'the hook runs once while the funds stay low');
    assert.equal(hooks[0]!['command'], 'notify-me');
    assert.equal(hooks[0]!['DINFRA_ID'], '5');
    assert.equal(hooks[0]!['DINFRA_HOURS_LEFT'], '1.00');
  });

  test('watch: the hook environment', async () => {
    const { hookEnv } = await import('../src/cli/commands.js');
    const env = hookEnv(5n, details(), new FakeChain().clockNow, TOKEN);
    assert.equal(env['DINFRA_RUNS_OUT_BLOCK'], '1600');
    assert.equal(env['DINFRA_RUNS_OUT_AT'], '2026-12-11T15:00:00.000Z');
    assert.equal(env['DINFRA_HOURS_LEFT'], '1.00');
    assert.equal(env['DINFRA_LEFT_TEXT'], '6.1 DOT');
    assert.equal(JSON.parse(env['DINFRA_STATUS_JSON']!).id, '5');
  });
});
