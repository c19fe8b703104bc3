// Tests that need no node: the bundles, the event decoder, reply and error
// decoding, the deployment loader and the input checks.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Abi } from '@polkadot/api-contract';
import { u8aConcat } from '@polkadot/util';
import { CallFailed, ContractError, CONTRACT_NAMES, decodeEvents, loadAbi, loadDeployment, plain, requirements, unwrapReply, type ContractName } from '../src/index.js';
import { checkText, toBalance, toHash32 } from '../src/codec.js';
import { bundlePath, requireBundles } from './env.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

let abis: Record<ContractName, Abi>;

before(() => {
  requireBundles();
  abis = Object.fromEntries(CONTRACT_NAMES.map((name) => [name, loadAbi(bundlePath(name), name)])) as Record<ContractName, Abi>;
});

/** The messages the client calls: [contract, message, arguments, payable]. */
const MESSAGES: [ContractName, string, number, boolean][] = [
  ['registry', 'register_type', 2, false],
  ['registry', 'type_id_by_name', 1, false],
  ['registry', 'register_provider', 3, true],
  ['registry', 'publish_offer', 2, false],
  ['registry', 'withdraw_offer', 1, false],
  ['registry', 'offer', 1, false],
  ['subscription', 'create', 3, true],
  ['subscription', 'mark_ready', 1, false],
  ['subscription', 'claim', 1, false],
  ['subscription', 'top_up', 1, true],
  ['subscription', 'cancel', 1, false],
  ['subscription', 'settle', 1, false],
  ['subscription', 'details', 1, false],
  ['subscription', 'subscriptions_of_consumer', 3, false],
  ['subscription', 'subscription_count', 0, false],
  ['escrow', 'total_held', 0, false],
];

/** The events the client, the demo and the tests read, with those fields. */
const EVENTS: [ContractName, string, string[]][] = [
  ['registry', 'TypeRegistered', ['typeId', 'name', 'schemaHash']],
  ['registry', 'ProviderRegistered', ['provider', 'name', 'endpoint', 'bond']],
  ['registry', 'OfferPublished', ['offerId', 'provider', 'typeId', 'terms']],
  ['registry', 'CapacityReserved', ['offerId', 'reserved']],
  ['award', 'OfferSelected', ['subscriptionId', 'typeId', 'provider', 'offerId', 'pricePerBlock']],
  ['escrow', 'StreamOpened', ['id', 'payer', 'payee', 'rate', 'deposit']],
  ['escrow', 'Withdrawn', ['id', 'payee', 'amount']],
  ['escrow', 'StreamClosed', ['id', 'paid', 'refunded']],
  ['subscription', 'SubscriptionCreated', ['id', 'consumer', 'typeId', 'deposit']],
  ['subscription', 'Awarded', ['id', 'provider', 'typeId', 'offerId', 'ratePerBlock', 'descriptorHash', 'descriptorUri', 'readyDeadline']],
  ['subscription', 'DeploymentReady', ['id', 'provider', 'at']],
  ['subscription', 'ToppedUp', ['id', 'from', 'amount']],
  ['subscription', 'EndScheduled', ['id', 'end', 'reason']],
  ['subscription', 'Claimed', ['id', 'provider', 'amount']],
  ['subscription', 'Closed', ['id', 'reason', 'paid', 'refunded']],
];

function abiEvent(contract: ContractName, name: string) {
  const event = abis[contract].events.find((e) => e.identifier.split('::').pop() === name);
  assert.ok(event, `${contract} has no ${name} event`);
  return event;
}

/** A `contracts.ContractEmitted` record as a node would give it. */
function emitted(contract: ContractName, address: string, name: string, values: Record<string, unknown>) {
  const abi = abis[contract];
  const event = abiEvent(contract, name);
  const data = u8aConcat(...event.args.map((a) => abi.registry.createType(a.type.lookupName ?? a.type.type, values[a.name]).toU8a()));
  return {
    event: { section: 'contracts', method: 'ContractEmitted', data: [address, data] },
    topics: [abi.registry.createType('Hash', event.signatureTopic)],
  };
}

describe('bundles', () => {
  test('all four load as ink! 5 metadata with their Wasm code hash', () => {
    for (const name of CONTRACT_NAMES) {
      assert.equal(abis[name].metadata.version.toString(), '5', `${name} metadata version`);
      assert.match(String((abis[name].json['source'] as { hash: string }).hash), /^0x[0-9a-f]{64}$/, `${name} code hash`);
    }
  });

  test('every message the client calls exists with its arity and payability', () => {
    for (const [contract, message, arity, payable] of MESSAGES) {
      const meta = abis[contract].findMessage(message);
      assert.equal(meta.args.length, arity, `${contract}.${message} arguments`);
      assert.equal(!!meta.isPayable, payable, `${contract}.${message} payable`);
      assert.ok(meta.returnType, `${contract}.${message} returns a value`);
    }
  });

  test('every event the client reads exists, with its fields and a signature topic', () => {
    for (const [contract, name, fields] of EVENTS) {
      const event = abiEvent(contract, name);
      assert.deepEqual(event.args.map((a) => a.name), fields, `${contract}.${name} fields`);
      assert.match(event.signatureTopic ?? '', /^0x[0-9a-f]{64}$/, `${contract}.${name} signature topic`);
    }
  });

  test('signature topics differ between events, except the shared admin events', () => {
    const seen = new Map<string, string>();
    for (const name of CONTRACT_NAMES) {
      for (const event of abis[name].events) {
        const other = seen.get(event.signatureTopic!);
        if (other) assert.equal(other, event.identifier, `${event.identifier} and ${other} share a topic`);
        seen.set(event.signatureTopic!, event.identifier);
      }
    }
    assert.notEqual(abiEvent('escrow', 'EndScheduled').signatureTopic, abiEvent('subscription', 'EndScheduled').signatureTopic);
  });
});

describe('decodeEvents', () => {
  const addresses = { subscription: ALICE, escrow: BOB } as const;
  const contracts = () =>
    new Map([
      [addresses.subscription, { name: 'subscription' as const, abi: abis.subscription }],
      [addresses.escrow, { name: 'escrow' as const, abi: abis.escrow }],
    ]);

  test('decodes each event with the ABI of the contract that emitted it', () => {
    const hash = `0x${'ab'.repeat(32)}`;
    const records = [
      { event: { section: 'balances', method: 'Withdraw', data: [ALICE, 1] }, topics: [] },
      emitted('escrow', addresses.escrow, 'StreamOpened', { id: 7, payer: ALICE, payee: BOB, rate: 1_000_000, deposit: 200_000_000 }),
      emitted('subscription', addresses.subscription, 'Awarded', {
        id: 3, provider: BOB, typeId: 1, offerId: 9, ratePerBlock: 1_000_000, descriptorHash: hash, descriptorUri: 'ipfs://x', readyDeadline: 42,
      }),
      emitted('escrow', addresses.escrow, 'EndScheduled', { id: 7, end: 150 }),
      emitted('subscription', addresses.subscription, 'EndScheduled', { id: 3, end: 150, reason: 'ConsumerCancelled' }),
      emitted('subscription', '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y', 'Claimed', { id: 1, provider: BOB, amount: 5 }),
    ];
    const events = decodeEvents(records, contracts());
    assert.deepEqual(events.map((e) => `${e.contract}.${e.name}`), ['escrow.StreamOpened', 'subscription.Awarded', 'escrow.EndScheduled', 'subscription.EndScheduled']);
    assert.deepEqual(events[0]!.args, { id: 7n, payer: ALICE, payee: BOB, rate: 1_000_000n, deposit: 200_000_000n });
    assert.deepEqual(events[1]!.args, {
      id: 3n, provider: BOB, typeId: 1, offerId: 9n, ratePerBlock: 1_000_000n, descriptorHash: hash, descriptorUri: 'ipfs://x', readyDeadline: 42,
    });
    assert.deepEqual(events[2]!.args, { id: 7n, end: 150 });
    assert.deepEqual(events[3]!.args, { id: 3n, end: 150, reason: 'ConsumerCancelled' });
  });

  test('an event its contract ABI cannot decode is an error, not silently dropped', () => {
    const wrong = emitted('escrow', addresses.subscription, 'StreamOpened', { id: 1, payer: ALICE, payee: BOB, rate: 1, deposit: 1 });
    assert.throws(() => decodeEvents([wrong], contracts()), /does not decode with its bundle/);
  });
});

describe('replies', () => {
  const reply = (contract: ContractName, message: string, value: unknown) => {
    const type = abis[contract].findMessage(message).returnType!;
    return abis[contract].registry.createType(type.lookupName ?? type.type, value);
  };

  test('Ok(Ok(v)) gives v', () => {
    assert.equal(plain(unwrapReply('subscription', 'claim', reply('subscription', 'claim', { Ok: { Ok: 5 } }))), 5n);
    assert.equal(plain(unwrapReply('escrow', 'total_held', reply('escrow', 'total_held', { Ok: 12 }))), 12n);
  });

  test('Ok(Err(e)) throws ContractError with the decoded variant', () => {
    const cases: [unknown, string, string][] = [
      ['InsufficientDeposit', 'InsufficientDeposit', 'InsufficientDeposit'],
      [{ Registry: 'NoCapacity' }, 'Registry(NoCapacity)', 'Registry'],
      [{ InvalidInput: 'Amount' }, 'InvalidInput(Amount)', 'InvalidInput'],
    ];
    for (const [err, name, variant] of cases) {
      assert.throws(
        () => unwrapReply('subscription', 'create', reply('subscription', 'create', { Ok: { Err: err } })),
        (e: unknown) => e instanceof ContractError && e.error === name && e.variant === variant && e.contract === 'subscription',
      );
    }
  });

  test('a LangError throws CallFailed', () => {
    assert.throws(() => unwrapReply('subscription', 'cancel', reply('subscription', 'cancel', { Err: 'CouldNotReadInput' })), (e: unknown) => e instanceof CallFailed && /CouldNotReadInput/.test(e.message));
  });

  test('details decode into the documented shape', () => {
    const descriptorHash = `0x${'cd'.repeat(32)}`;
    const subscription = {
      consumer: ALICE, typeId: 2, descriptor: { hash: descriptorHash, uri: 'ipfs://d' },
      requirements: { maxPricePerBlock: 2, requiredAttributes: [{ key: 'region', value: 'eu' }], excludedAttributes: [], preferredProviders: [BOB], preferredOnly: true, excludedProviders: [], trustedAttestors: [], minDuration: 100 },
      offerId: 4, provider: BOB, streamId: 6, ratePerBlock: 1, pricing: 'Fixed', minDuration: 50, noticeBlocks: 20, awardedAt: 10, readyDeadline: 30,
      readyAt: 15, end: [120, 'ConsumerCancelled'], priceChange: null, phase: 'Ending', closed: null,
    };
    const figures = {
      payer: ALICE, payee: BOB, status: 'Streaming', rate: 1, start: 15, end: 120, depletionBlock: null,
      deposited: 300, withdrawn: 60, refunded: 0, held: 240, accrued: 70, withdrawable: 10, refundable: 230,
    };
    const value = plain(unwrapReply('subscription', 'details', reply('subscription', 'details', { Ok: { subscription, figures } })));
    assert.deepEqual(value, {
      subscription: {
        ...subscription, offerId: 4n, streamId: 6n, ratePerBlock: 1n,
        requirements: { ...subscription.requirements, maxPricePerBlock: 2n },
      },
      figures: { ...figures, rate: 1n, deposited: 300n, withdrawn: 60n, refunded: 0n, held: 240n, accrued: 70n, withdrawable: 10n, refundable: 230n },
    });
    assert.equal(plain(unwrapReply('subscription', 'details', reply('subscription', 'details', { Ok: null }))), null);
  });
});

describe('deployment files', () => {
  const deployment = (overrides: Record<string, unknown> = {}) => ({
    name: 'local', url: 'ws://127.0.0.1:9944', genesis_hash: `0x${'11'.repeat(32)}`, deployer: ALICE, block: 12,
    contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { address: ALICE, code_hash: `0x${'22'.repeat(32)}`, bundle: bundlePath(name) }])),
    parameters: { min_bond: 1000, unbonding_blocks: 100, max_candidates: 10, ready_timeout: 20, consumer_notice: 10 },
    ...overrides,
  });
  const write = (json: unknown): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'dinfra-')), 'local.json');
    writeFileSync(file, JSON.stringify(json));
    return file;
  };

  test('a well-formed file loads with its four ABIs', () => {
    const loaded = loadDeployment(write(deployment()));
    assert.equal(loaded.deployment.name, 'local');
    for (const name of CONTRACT_NAMES) assert.ok(loaded.abis[name].findMessage('Admin::admin'), `${name} ABI`);
  });

  test('bundle paths relative to the repository root resolve from the file upwards', () => {
    const relative = deployment();
    for (const name of CONTRACT_NAMES) (relative.contracts as Record<string, { bundle: string }>)[name]!.bundle = `artifacts/dinfra_${name}.contract`;
    const loaded = loadDeployment(write(relative), join(bundlePath('registry'), '..', '..'));
    assert.equal(loaded.abis.subscription.findMessage('create').isPayable, true);
  });

  test('bad files are refused with what is wrong', () => {
    assert.throws(() => loadDeployment('/nonexistent/local.json'), /does not exist/);
    assert.throws(() => loadDeployment(write({ ...deployment(), genesis_hash: '0x12' })), /genesis_hash/);
    assert.throws(() => loadDeployment(write({ ...deployment(), deployer: '{"Literal": "5Grw"}' })), /deployer is not a valid account address/);
    const badAddress = deployment();
    (badAddress.contracts as Record<string, { address: string }>)['escrow']!.address = '5Bad';
    assert.throws(() => loadDeployment(write(badAddress)), /contracts\.escrow\.address/);
    const noBundle = deployment();
    (noBundle.contracts as Record<string, { bundle: string }>)['award']!.bundle = '/nonexistent/dinfra_award.contract';
    assert.throws(() => loadDeployment(write(noBundle)), /award bundle .* does not exist/);
    assert.throws(() => loadDeployment(write({ ...deployment(), parameters: { ready_timeout: -1 } })), /parameters/);
  });
});

describe('input checks', () => {
  test('requirements get every list filled in and are checked', () => {
    assert.deepEqual(requirements({ maxPricePerBlock: 5 }), {
      maxPricePerBlock: 5n, requiredAttributes: [], excludedAttributes: [], preferredProviders: [], preferredOnly: false,
      excludedProviders: [], trustedAttestors: [], minDuration: 0n,
    });
    assert.throws(() => requirements({ maxPricePerBlock: 0 }), /maxPricePerBlock must be above 0/);
    assert.throws(() => requirements({ maxPricePerBlock: 1, preferredOnly: true }), /preferredOnly/);
    assert.throws(() => requirements({ maxPricePerBlock: 1, excludedProviders: Array(9).fill(ALICE) }), /at most 8/);
    assert.throws(() => requirements({ maxPricePerBlock: 1, trustedAttestors: ['nope'] }), /trustedAttestors\[0\]/);
  });

  test('amounts, hashes and texts', () => {
    assert.equal(toBalance('1000', 'x'), 1000n);
    assert.throws(() => toBalance(-1, 'deposit'), /deposit must be between/);
    assert.throws(() => toBalance(1.5, 'deposit'), /integer/);
    assert.throws(() => toBalance(2n ** 128n, 'deposit'), /2\^128/);
    assert.equal(toHash32(new Uint8Array(32).fill(0xab), 'h'), `0x${'ab'.repeat(32)}`);
    assert.throws(() => toHash32('0x1234', 'schema hash'), /schema hash must be 32 bytes/);
    assert.equal(checkText('é'.repeat(16), 32, 'name'), 'é'.repeat(16));
    assert.throws(() => checkText('é'.repeat(17), 32, 'name'), /1 to 32 bytes, got 34/);
    assert.throws(() => checkText('', 32, 'name'), /got 0/);
  });
});
