// Tests that need no node: the bundles, the event decoder, reply and error
// decoding, argument encoding, the governance check, the deployment loader
// and the input checks.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Abi } from '@polkadot/api-contract';
import { compactStripLength, u8aConcat } from '@polkadot/util';
import { u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import {
  accessRecord,
  CallFailed,
  checkGovernance,
  ContractError,
  CONTRACT_NAMES,
  createArgs,
  decodeEvents,
  encodeChange,
  formatGovernance,
  GovernanceRefused,
  loadAbi,
  loadDeployment,
  offerTerms,
  plain,
  poolCreateArgs,
  poolPhase,
  requirements,
  scheduledChange,
  unwrapReply,
  awardWindow,
  words,
  type ContractName,
  type GovernanceReport,
  type Plain,
} from '../src/node.js';
import { checkText, toBalance, toHash32 } from '../src/codec.js';
import { artifactsDir, bundlePath, requireBundles } from './env.js';

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
  ['registry', 'update_offer', 2, false],
  ['registry', 'withdraw_offer', 1, false],
  ['registry', 'offer', 1, false],
  ['registry', 'offers_of_provider', 1, false],
  ['registry', 'parameters', 0, false],
  ['registry', 'configure', 1, false],
  ['registry', 'controller', 0, false],
  ['award', 'configure', 2, false],
  ['award', 'selector', 0, false],
  ['award', 'max_candidates', 0, false],
  ['award', 'strategy', 0, false],
  ['subscription', 'Subscription::create', 4, true],
  ['subscription', 'mark_ready', 2, false],
  ['subscription', 'decline', 1, false],
  ['subscription', 'reaward', 1, false],
  ['subscription', 'exit', 1, false],
  ['subscription', 'propose_price', 2, false],
  ['subscription', 'Subscription::accept_price', 2, false],
  ['subscription', 'Subscription::reject_price', 1, false],
  ['subscription', 'apply_price', 1, false],
  ['subscription', 'claim', 1, false],
  ['subscription', 'Subscription::top_up', 1, true],
  ['subscription', 'Subscription::cancel', 1, false],
  ['subscription', 'settle', 1, false],
  ['subscription', 'Subscription::details', 1, false],
  ['subscription', 'Subscription::subscriptions_of_consumer', 3, false],
  ['subscription', 'subscription_count', 0, false],
  ['subscription', 'parameters', 0, false],
  ['subscription', 'configure', 1, false],
  ['subscription', 'governance_pending', 0, false],
  ['subscription', 'award', 0, false],
  ['escrow', 'total_held', 0, false],
  ['escrow', 'reclaim', 1, false],
  ['escrow', 'withdraw_credit', 0, false],
  ['escrow', 'credit_of', 1, false],
  ['escrow', 'total_credited', 0, false],
  ['escrow', 'controller_epoch', 0, false],
  ['escrow', 'subscription_contract', 0, false],
  ['escrow', 'Escrow::open', 4, true],
  ['escrow', 'Escrow::start', 1, false],
  ['escrow', 'Escrow::withdraw', 1, false],
  ['escrow', 'Escrow::withdraw_many', 1, false],
  ['escrow', 'Escrow::close', 2, false],
  ...CONTRACT_NAMES.flatMap((name): [ContractName, string, number, boolean][] => [
    [name, 'Admin::governance_delay', 0, false],
    [name, 'Admin::pending_changes', 0, false],
    [name, 'Admin::schedule_change', 1, false],
    [name, 'Admin::apply_change', 1, false],
    [name, 'Admin::cancel_change', 1, false],
  ]),
];

/** Messages the contracts no longer have (wiring is `schedule_change` now). */
const GONE: [ContractName, string][] = [
  ['escrow', 'set_subscription_contract'],
  ['subscription', 'set_award'],
  ['subscription', 'admin_close'],
  ...CONTRACT_NAMES.map((name): [ContractName, string] => [name, 'Admin::set_code']),
];

/** Each constructor's arguments (deploy/deploy.sh passes them in this order). */
const CONSTRUCTORS: [ContractName, string[]][] = [
  ['registry', ['min_bond', 'unbonding_blocks', 'governance_delay']],
  ['escrow', ['governance_delay']],
  ['award', ['registry', 'max_candidates', 'governance_delay']],
  ['subscription', ['award', 'registry', 'escrow', 'parameters', 'governance_delay']],
];

/** Events without a signature topic (each topic costs every create a storage
 * read and write): the registry's `OfferAwarded`. */
const ANONYMOUS_EVENTS: [ContractName, string][] = [['registry', 'OfferAwarded']];

/** The events the client, the demo and the tests read, with those fields. */
const EVENTS: [ContractName, string, string[]][] = [
  ['registry', 'TypeRegistered', ['typeId', 'name', 'schemaHash']],
  ['registry', 'ProviderRegistered', ['provider', 'name', 'endpoint', 'bond']],
  ['registry', 'OfferPublished', ['offerId', 'provider', 'typeId', 'terms']],
  ['registry', 'CapacityReserved', ['offerId', 'reserved']],
  ['registry', 'CapacityReleased', ['offerId', 'reserved']],
  ['registry', 'OutcomeRecorded', ['provider', 'outcome', 'value', 'reputation']],
  ['registry', 'ConfigChanged', ['parameters']],
  ['registry', 'OfferAwarded', ['offerId', 'nextCursor']],
  ['registry', 'AwardRulesChanged', ['rules']],
  ['award', 'ConfigChanged', ['maxCandidates', 'strategy']],
  ['award', 'OfferSelected', ['subscriptionId', 'typeId', 'provider', 'offerId', 'pricePerBlock']],
  ['escrow', 'StreamOpened', ['id', 'payer', 'payee', 'rate', 'deposit', 'exitNotice']],
  ['escrow', 'Withdrawn', ['payee', 'amount', 'streams']],
  ['escrow', 'StreamClosed', ['id', 'paid', 'refunded']],
  ['escrow', 'StreamStarted', ['id', 'at']],
  ['escrow', 'RateChanged', ['id', 'rate', 'at']],
  ['escrow', 'StreamReclaimed', ['id', 'payer']],
  ['escrow', 'Credited', ['account', 'amount']],
  ['escrow', 'CreditWithdrawn', ['account', 'amount']],
  ['subscription', 'SubscriptionCreated', ['id', 'consumer', 'typeId', 'deposit']],
  ['subscription', 'Awarded', ['id', 'provider', 'typeId', 'offerId', 'ratePerBlock', 'descriptorHash', 'descriptorUri', 'readyDeadline']],
  ['subscription', 'DeploymentReady', ['id', 'provider', 'at', 'access']],
  ['subscription', 'ToppedUp', ['id', 'from', 'amount']],
  ['subscription', 'EndScheduled', ['id', 'end', 'reason']],
  ['subscription', 'Claimed', ['provider', 'amount', 'claims']],
  ['subscription', 'Closed', ['id', 'reason', 'paid', 'refunded']],
  ['subscription', 'AwardDeclined', ['id', 'provider']],
  ['subscription', 'AwardRevoked', ['id', 'provider']],
  ['subscription', 'RegistryRefused', ['id', 'offerId']],
  ['subscription', 'PriceProposed', ['id', 'rate', 'effectiveAt', 'needsConsent']],
  ['subscription', 'PriceChanged', ['id', 'rate', 'at']],
  ['subscription', 'ParametersChanged', ['parameters']],
  ...CONTRACT_NAMES.flatMap((name): [ContractName, string, string[]][] => [
    [name, 'ChangeScheduled', ['id', 'change', 'eta']],
    [name, 'ChangeApplied', ['id', 'change']],
    [name, 'ChangeCancelled', ['id', 'change']],
  ]),
];

/** Events the contracts no longer emit. */
const GONE_EVENTS: [ContractName, string][] = [
  ['subscription', 'AwardContractChanged'],
  ...CONTRACT_NAMES.map((name): [ContractName, string] => [name, 'CodeUpgraded']),
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

  test('removed messages are gone, and the constructors take the governance delay', () => {
    for (const [contract, message] of GONE) {
      assert.throws(() => abis[contract].findMessage(message), `${contract}.${message} should be gone`);
    }
    for (const [contract, args] of CONSTRUCTORS) {
      const constructor = abis[contract].constructors.find((c) => c.identifier === 'new');
      assert.ok(constructor, `${contract} has a new constructor`);
      assert.deepEqual(constructor.args.map((a) => a.name), args.map((a) => a.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())), `${contract}.new arguments`);
    }
  });

  test('every event the client reads exists, with its fields and a signature topic (an anonymous one: none, and alone in its contract)', () => {
    for (const [contract, name, fields] of EVENTS) {
      const event = abiEvent(contract, name);
      assert.deepEqual(event.args.map((a) => a.name), fields, `${contract}.${name} fields`);
      if (ANONYMOUS_EVENTS.some(([c, n]) => c === contract && n === name)) {
        // Decoded by having no topic: polkadot-js matches an event without a
        // signature topic by its topic count among the contract's anonymous events.
        assert.equal(event.signatureTopic ?? null, null, `${contract}.${name} is anonymous`);
        const anonymous = abis[contract].events.filter((e) => !e.signatureTopic);
        assert.deepEqual(anonymous.map((e) => e.identifier.split('::').pop()), [name], `${contract}'s only anonymous event`);
      } else {
        assert.match(event.signatureTopic ?? '', /^0x[0-9a-f]{64}$/, `${contract}.${name} signature topic`);
      }
    }
    for (const [contract, name] of GONE_EVENTS) {
      assert.equal(abis[contract].events.find((e) => e.identifier.split('::').pop() === name), undefined, `${contract}.${name} should be gone`);
    }
  });

  test('signature topics differ between events, except the shared admin events', () => {
    const seen = new Map<string, string>();
    for (const name of CONTRACT_NAMES) {
      for (const event of abis[name].events) {
        if (!event.signatureTopic) continue; // anonymous: checked above
        const other = seen.get(event.signatureTopic);
        if (other) assert.equal(other, event.identifier, `${event.identifier} and ${other} share a topic`);
        seen.set(event.signatureTopic, event.identifier);
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
      emitted('escrow', addresses.escrow, 'StreamOpened', { id: 7, payer: ALICE, payee: BOB, rate: 1_000_000, deposit: 200_000_000, exitNotice: 10 }),
      emitted('subscription', addresses.subscription, 'Awarded', {
        id: 3, provider: BOB, typeId: 1, offerId: 9, ratePerBlock: 1_000_000, descriptorHash: hash, descriptorUri: 'ipfs://x', readyDeadline: 42,
      }),
      emitted('escrow', addresses.escrow, 'EndScheduled', { id: 7, end: 150 }),
      emitted('subscription', addresses.subscription, 'EndScheduled', { id: 3, end: 150, reason: 'ConsumerCancelled' }),
      emitted('subscription', '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y', 'Claimed', { provider: BOB, amount: 5, claims: [[1, 5]] }),
    ];
    const events = decodeEvents(records, contracts());
    assert.deepEqual(events.map((e) => `${e.contract}.${e.name}`), ['escrow.StreamOpened', 'subscription.Awarded', 'escrow.EndScheduled', 'subscription.EndScheduled']);
    assert.deepEqual(events[0]!.args, { id: 7n, payer: ALICE, payee: BOB, rate: 1_000_000n, deposit: 200_000_000n, exitNotice: 10 });
    assert.deepEqual(events[1]!.args, {
      id: 3n, provider: BOB, typeId: 1, offerId: 9n, ratePerBlock: 1_000_000n, descriptorHash: hash, descriptorUri: 'ipfs://x', readyDeadline: 42,
    });
    assert.deepEqual(events[2]!.args, { id: 7n, end: 150 });
    assert.deepEqual(events[3]!.args, { id: 3n, end: 150, reason: 'ConsumerCancelled' });
  });

  test('the new events decode: declines, registry refusals, reclaims, credits and governance changes', () => {
    const hash = `0x${'ef'.repeat(32)}`;
    const records = [
      emitted('subscription', addresses.subscription, 'AwardDeclined', { id: 4, provider: BOB }),
      emitted('subscription', addresses.subscription, 'RegistryRefused', { id: 4, offerId: 11 }),
      emitted('subscription', addresses.subscription, 'Closed', { id: 4, reason: 'Declined', paid: 0, refunded: 500 }),
      emitted('escrow', addresses.escrow, 'StreamReclaimed', { id: 8, payer: ALICE }),
      emitted('escrow', addresses.escrow, 'Credited', { account: BOB, amount: 3 }),
      emitted('escrow', addresses.escrow, 'CreditWithdrawn', { account: BOB, amount: 3 }),
      emitted('escrow', addresses.escrow, 'ChangeScheduled', { id: 2, change: { Link: ['Controller', BOB] }, eta: 14_410 }),
      emitted('escrow', addresses.escrow, 'ChangeApplied', { id: 2, change: { Link: ['Controller', null] } }),
      emitted('subscription', addresses.subscription, 'ChangeCancelled', { id: 0, change: { Code: hash } }),
      emitted('subscription', addresses.subscription, 'ChangeScheduled', { id: 1, change: { Delay: 600 }, eta: 14_401 }),
      emitted('subscription', addresses.subscription, 'ChangeScheduled', { id: 3, change: { Link: ['Award', ALICE] }, eta: 14_402 }),
    ];
    const events = decodeEvents(records, contracts());
    assert.deepEqual(
      events.map((e) => [`${e.contract}.${e.name}`, e.args]),
      [
        ['subscription.AwardDeclined', { id: 4n, provider: BOB }],
        ['subscription.RegistryRefused', { id: 4n, offerId: 11n }],
        ['subscription.Closed', { id: 4n, reason: 'Declined', paid: 0n, refunded: 500n }],
        ['escrow.StreamReclaimed', { id: 8n, payer: ALICE }],
        ['escrow.Credited', { account: BOB, amount: 3n }],
        ['escrow.CreditWithdrawn', { account: BOB, amount: 3n }],
        ['escrow.ChangeScheduled', { id: 2, change: { Link: ['Controller', BOB] }, eta: 14_410 }],
        ['escrow.ChangeApplied', { id: 2, change: { Link: ['Controller', null] } }],
        ['subscription.ChangeCancelled', { id: 0, change: { Code: hash } }],
        ['subscription.ChangeScheduled', { id: 1, change: { Delay: 600 }, eta: 14_401 }],
        ['subscription.ChangeScheduled', { id: 3, change: { Link: ['Award', ALICE] }, eta: 14_402 }],
      ],
    );
  });

  test('registry events carry the outcome\'s value and the value-weighted reputation', () => {
    const registry = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
    const reputation = { completed: 2, exitedEarly: 1, missedReady: 0, completedValue: 900, exitedValue: 50, missedValue: 0 };
    const events = decodeEvents(
      [
        emitted('registry', registry, 'OutcomeRecorded', { provider: BOB, outcome: 'Completed', value: 400, reputation }),
        emitted('registry', registry, 'ConfigChanged', { parameters: { minBond: 1000, unbondingBlocks: 100 } }),
        emitted('registry', registry, 'OfferPublished', {
          offerId: 1, provider: BOB, typeId: 0,
          terms: { pricePerBlock: 10, capacity: 2, minDuration: 5, noticeBlocks: 3, pricing: 'Dynamic', cancelFee: 1000 },
        }),
      ],
      new Map([[registry, { name: 'registry' as const, abi: abis.registry }]]),
    );
    assert.deepEqual(events[0]!.args, {
      provider: BOB, outcome: 'Completed', value: 400n,
      reputation: { ...reputation, completedValue: 900n, exitedValue: 50n, missedValue: 0n },
    });
    assert.deepEqual(events[1]!.args, { parameters: { minBond: 1000n, unbondingBlocks: 100 } });
    assert.deepEqual(events[2]!.args['terms'], { pricePerBlock: 10n, capacity: 2, minDuration: 5, noticeBlocks: 3, pricing: 'Dynamic', cancelFee: 1000n });
  });

  test('an event its contract ABI cannot decode is an error, not silently dropped', () => {
    const wrong = emitted('escrow', addresses.subscription, 'StreamOpened', { id: 1, payer: ALICE, payee: BOB, rate: 1, deposit: 1, exitNotice: 0 });
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
        () => unwrapReply('subscription', 'Subscription::create', reply('subscription', 'Subscription::create', { Ok: { Err: err } })),
        (e: unknown) => e instanceof ContractError && e.error === name && e.variant === variant && e.contract === 'subscription',
      );
    }
  });

  test('the new error variants are named, and explained in words', () => {
    const refused = (contract: ContractName, message: string, err: unknown): ContractError => {
      try {
        unwrapReply(contract, message, reply(contract, message, { Ok: { Err: err } }), '', abis[contract]);
      } catch (e) {
        if (e instanceof ContractError) return e;
        throw e;
      }
      throw new Error(`${contract}.${message} did not refuse`);
    };
    const cases: [ContractName, string, unknown, string, RegExp][] = [
      ['subscription', 'Subscription::create', { Unfit: 'TooExpensive' }, 'Unfit(TooExpensive)', /does not meet this requirement.*TooExpensive: .*max_price_per_block/s],
      ['subscription', 'Subscription::create', { Unfit: 'CancelFeeTooHigh' }, 'Unfit(CancelFeeTooHigh)', /CancelFeeTooHigh: .*cancel fee/],
      ['subscription', 'Subscription::create', { Unfit: 'NotFixedPrice' }, 'Unfit(NotFixedPrice)', /Fixed pricing/],
      ['subscription', 'Subscription::accept_price', 'ProposalChanged', 'ProposalChanged', /replaced its proposal/],
      ['subscription', 'Subscription::cancel', 'AlreadyEnding', 'AlreadyEnding', /would not end the subscription any sooner/],
      ['subscription', 'Subscription::create', { InvalidInput: 'Fee' }, 'InvalidInput(Fee)', /Fee: A fee above its bound/],
      ['subscription', 'settle', { Escrow: 'ControllerWorking' }, 'Escrow(ControllerWorking)', /ControllerWorking: .*controller still steers/],
      ['registry', 'publish_offer', { InvalidInput: 'Fee' }, 'InvalidInput(Fee)', /A fee above its bound/],
      ['escrow', 'reclaim', 'ControllerWorking', 'ControllerWorking', /controller still steers/],
      ['escrow', 'withdraw_credit', 'NoCredit', 'NoCredit', /with no credit/],
      ['escrow', 'Admin::apply_change', 'NoSuchChange', 'NoSuchChange', /No pending change has this id/],
      ['award', 'Admin::apply_change', 'NotDue', 'NotDue', /delay has not passed/],
      ['registry', 'Admin::schedule_change', 'TooManyChanges', 'TooManyChanges', /most pending changes/],
      ['subscription', 'Admin::schedule_change', 'InvalidChange', 'InvalidChange', /no such link, or the delay is out of range/],
      ['escrow', 'Admin::schedule_change', 'Overflow', 'Overflow', /overflow/i],
    ];
    for (const [contract, message, err, name, explanation] of cases) {
      const e = refused(contract, message, err);
      assert.equal(e.error, name, `${contract}.${message}`);
      assert.match(e.explanation, explanation, `${contract}.${message} ${name}: ${e.explanation}`);
      assert.ok(e.message.includes(name) && e.message.includes(e.explanation), e.message);
    }
    assert.equal(words('ProposalChanged'), 'proposal changed');
    assert.equal(words('CancelFeeTooHigh'), 'cancel fee too high');
  });

  test('without the ABI an error is still named, with no explanation', () => {
    assert.throws(
      () => unwrapReply('subscription', 'Subscription::accept_price', reply('subscription', 'Subscription::accept_price', { Ok: { Err: 'ProposalChanged' } })),
      (e: unknown) => e instanceof ContractError && e.error === 'ProposalChanged' && e.explanation === '',
    );
  });

  test('a LangError throws CallFailed', () => {
    assert.throws(() => unwrapReply('subscription', 'Subscription::cancel', reply('subscription', 'Subscription::cancel', { Err: 'CouldNotReadInput' })), (e: unknown) => e instanceof CallFailed && /CouldNotReadInput/.test(e.message));
  });

  test('details decode into the documented shape', () => {
    const descriptorHash = `0x${'cd'.repeat(32)}`;
    const subscription = {
      consumer: ALICE, typeId: 2, descriptor: { hash: descriptorHash, uri: 'ipfs://d' },
      requirements: {
        maxPricePerBlock: 2, requiredAttributes: [{ key: 'region', value: 'eu' }], excludedAttributes: [], preferredProviders: [BOB], preferredOnly: true, excludedProviders: [], trustedAttestors: [], minDuration: 100,
        fixedPriceOnly: true, maxRate: 3, maxNoticeBlocks: null, minRepriceNotice: 0, maxCancelFee: 7,
      },
      offerId: 4, provider: BOB, streamId: 6, ratePerBlock: 1, pricing: 'Fixed', minDuration: 50, noticeBlocks: 20, cancelFee: 5, consumerNotice: 10, readyTimeout: 20,
      awardedAt: 10, readyDeadline: 30,
      readyAt: 15, end: [120, 'ConsumerCancelled'], priceChange: null, phase: 'Ending', closed: null,
    };
    const figures = {
      payer: ALICE, payee: BOB, status: 'Streaming', rate: 1, start: 15, end: 120, depletionBlock: null,
      deposited: 300, withdrawn: 60, refunded: 0, held: 240, accrued: 70, withdrawable: 10, refundable: 230,
    };
    const access = { uris: ['wss://rpc.example:443'] };
    const value = plain(unwrapReply('subscription', 'Subscription::details', reply('subscription', 'Subscription::details', { Ok: { subscription, figures, access } })));
    assert.deepEqual(value, {
      subscription: {
        ...subscription, offerId: 4n, streamId: 6n, ratePerBlock: 1n, cancelFee: 5n,
        requirements: { ...subscription.requirements, maxPricePerBlock: 2n, maxRate: 3n, maxCancelFee: 7n },
      },
      figures: { ...figures, rate: 1n, deposited: 300n, withdrawn: 60n, refunded: 0n, held: 240n, accrued: 70n, withdrawable: 10n, refundable: 230n },
      access,
    });
    assert.equal(plain(unwrapReply('subscription', 'Subscription::details', reply('subscription', 'Subscription::details', { Ok: null }))), null);
  });
});

describe('pool', () => {
  let pool: Abi;
  before(() => {
    pool = loadAbi(join(artifactsDir, 'dinfra_pool.contract'), 'pool');
  });
  const reply = (message: string, value: unknown) => {
    const type = pool.findMessage(message).returnType!;
    return pool.registry.createType(type.lookupName ?? type.type, value);
  };
  const refused = (message: string, err: unknown): ContractError => {
    try {
      unwrapReply('pool', message, reply(message, { Ok: { Err: err } }), '', pool);
    } catch (e) {
      if (e instanceof ContractError) return e;
      throw e;
    }
    throw new Error(`pool.${message} did not refuse`);
  };
  const le = (value: bigint, bytes: number): string => {
    let hex = '';
    for (let i = 0; i < bytes; i++) hex += ((value >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
    return hex;
  };

  test('every message the Pool class calls exists with its arity and payability', () => {
    const messages: [string, number, boolean][] = [
      ['contribute', 0, true], ['contribute_and_top_up', 0, true], ['withdraw', 0, false], ['create', 4, false],
      ['top_up', 1, false], ['cancel', 0, false], ['accept_price', 1, false], ['reject_price', 0, false],
      ['transfer_governor', 1, false], ['accept_governor', 0, false], ['close', 0, false], ['reclaim', 0, false], ['books', 0, false],
      ['share_of', 1, false], ['withdrawable', 1, false], ['terms', 0, false], ['governor', 0, false],
      ['pending_governor', 0, false], ['subscription_contract', 0, false], ['subscription', 0, false],
    ];
    for (const [message, args, payable] of messages) {
      const m = pool.findMessage(message);
      assert.equal(m.args.length, args, `pool.${message} arguments`);
      assert.equal(m.isPayable, payable, `pool.${message} payable`);
    }
    for (const event of ['Contributed', 'ContributionReturned', 'Spent', 'Withdrawn', 'PoolClosed', 'StreamReclaimed']) {
      assert.ok(pool.events.some((e) => e.identifier.endsWith(event)), `pool event ${event}`);
    }
  });

  /** A message's call data (the ABI gives it length-prefixed, as the extrinsic carries it). */
  const callData = (message: string, args: unknown[]): string => u8aToHex(compactStripLength(pool.findMessage(message).toU8a(args))[1]);

  test('contribute is its selector alone, the amount travels as the value', () => {
    const m = pool.findMessage('contribute');
    assert.equal(callData('contribute', []), m.selector.toHex());
    assert.equal(m.selector.toHex().length, 10);
  });

  test('create encodes descriptor, requirements, offer id and deposit, checked as the subscription contract checks them', () => {
    const base = { descriptor: { hash: `0x${'12'.repeat(32)}`, uri: 'ipfs://d' }, requirements: { maxPricePerBlock: 5 }, deposit: 1000 };
    const named = poolCreateArgs({ ...base, offerId: 7 });
    assert.equal(named.length, 4);
    assert.equal(named[2], 7n);
    assert.equal(named[3], 1000n);
    const m = pool.findMessage('create');
    const data = callData('create', named);
    assert.ok(data.startsWith(m.selector.toHex()), 'the selector first');
    assert.ok(data.endsWith(`01${le(7n, 8)}${le(1000n, 16)}`), 'then Some(offer id) and the u128 deposit last');
    assert.ok(data.includes('12'.repeat(32)), 'the descriptor hash');
    assert.equal(poolCreateArgs(base)[2], null);
    assert.ok(callData('create', poolCreateArgs(base)).endsWith(`00${le(1000n, 16)}`), 'None for the award to choose');
    assert.throws(() => poolCreateArgs({ ...base, deposit: 0 }), /deposit/);
    assert.throws(() => poolCreateArgs({ ...base, offerId: -1 }), /offer id must be a u64/);
    assert.throws(() => poolCreateArgs({ ...base, descriptor: { hash: '0x12', uri: 'ipfs://d' } }), /descriptor hash/);
  });

  test('a PoolError reply is named and explained in words, nested subscription errors too', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['create', 'OutsideTerms', 'OutsideTerms', /go beyond the pool's terms/],
      ['create', 'NotGovernor', 'NotGovernor', /Only the pool's governor/],
      ['withdraw', 'Committed', 'Committed', /committed while the subscription runs/],
      ['withdraw', 'AlreadyWithdrawn', 'AlreadyWithdrawn', /already paid out/],
      ['close', 'SubscriptionLive', 'SubscriptionLive', /has not closed yet/],
      ['top_up', 'InsufficientFunds', 'InsufficientFunds', /unspent/],
      ['create', { InvalidInput: 'Price' }, 'InvalidInput(Price)', /nothing was written or moved/],
      ['create', { Subscription: { Unfit: 'TooExpensive' } }, 'Subscription(Unfit(TooExpensive))', /subscription contract refused.*Unfit: .*does not meet this requirement.*TooExpensive: /s],
    ];
    for (const [message, err, name, explanation] of cases) {
      const e = refused(message, err);
      assert.equal(e.contract, 'pool');
      assert.equal(e.error, name, `pool.${message}`);
      assert.match(e.explanation, explanation, `pool.${message} ${name}: ${e.explanation}`);
      assert.ok(e.message.startsWith(`pool.${message} refused: ${name}`), e.message);
    }
    assert.equal(refused('create', { Subscription: 'NoProvider' }).variant, 'Subscription');
  });

  test('books and shares decode into the documented shape', () => {
    const books = { phase: { Running: 3 }, contributed: 900, unspent: 100, sent: 800, refunded: 0, distributable: 0, paidOut: 0, settledContributions: 0 };
    assert.deepEqual(plain(unwrapReply('pool', 'books', reply('books', { Ok: books }))), {
      phase: { Running: 3n }, contributed: 900n, unspent: 100n, sent: 800n, refunded: 0n, distributable: 0n, paidOut: 0n, settledContributions: 0n,
    });
    const phase = (value: unknown) => poolPhase((plain(unwrapReply('pool', 'books', reply('books', { Ok: { ...books, phase: value } }))) as { phase: Plain }).phase);
    assert.equal(phase('Funding'), 'Funding', 'a unit variant of a mixed enum decodes as { Funding: null }: Pool.books says Funding');
    assert.deepEqual(phase({ Running: 3 }), { Running: 3n });
    assert.deepEqual(phase({ Closed: 4 }), { Closed: 4n });
    assert.deepEqual(plain(unwrapReply('pool', 'share_of', reply('share_of', { Ok: { contributed: 5, withdrawn: null } }))), { contributed: 5n, withdrawn: null });
    assert.deepEqual(plain(unwrapReply('pool', 'terms', reply('terms', { Ok: { typeId: 2, maxRate: 100, maxCancelFee: 0 } }))), { typeId: 2, maxRate: 100n, maxCancelFee: 0n });
  });
});

describe('deployment files', () => {
  const deployment = (overrides: Record<string, unknown> = {}) => ({
    name: 'local', url: 'ws://127.0.0.1:9944', genesis_hash: `0x${'11'.repeat(32)}`, deployer: ALICE, block: 12,
    contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { address: ALICE, code_hash: `0x${'22'.repeat(32)}`, bundle: bundlePath(name) }])),
    parameters: { min_bond: 1000, unbonding_blocks: 100, max_candidates: 20, ready_timeout: 20, consumer_notice: 10, governance_delay: 14_400 },
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
    const loaded = loadDeployment(write(relative), { root: join(bundlePath('registry'), '..', '..') });
    assert.equal(loaded.abis.subscription.findMessage('Subscription::create').isPayable, true);
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
    assert.throws(() => loadDeployment(write(noBundle), { bundles: true }), /award bundle .* does not exist/);
    assert.throws(() => loadDeployment(write({ ...deployment(), parameters: { ready_timeout: -1 } })), /parameters/);
    const { governance_delay: _, ...before } = deployment().parameters;
    assert.throws(() => loadDeployment(write({ ...deployment(), parameters: before })), /parameters\.governance_delay/, 'a file from before governance');
    assert.throws(() => loadDeployment(write({ ...deployment(), pools: {} })), /"pools" must be an array/);
    assert.throws(() => loadDeployment(write({ ...deployment(), pools: [{ address: '5Bad' }] })), /pools\[0\]\.address/);
  });

  test('pools deploy.sh --pool recorded load beside the suite', () => {
    const pool = { address: BOB, code_hash: `0x${'33'.repeat(32)}`, block: 16, bundle: 'artifacts/dinfra_pool.contract', type_id: 0, max_rate: '100', governor: ALICE, subscription: ALICE };
    const loaded = loadDeployment(write({ ...deployment(), pools: [pool] }));
    assert.deepEqual(loaded.deployment.pools, [pool]);
    assert.equal(loadDeployment(write(deployment())).deployment.pools, undefined);
  });
});

describe('input checks', () => {
  test('requirements get every list filled in and are checked', () => {
    assert.deepEqual(requirements({ maxPricePerBlock: 5 }), {
      maxPricePerBlock: 5n, requiredAttributes: [], excludedAttributes: [], preferredProviders: [], preferredOnly: false,
      excludedProviders: [], trustedAttestors: [], minDuration: 0n,
      fixedPriceOnly: false, maxRate: null, maxNoticeBlocks: null, minRepriceNotice: 0n, maxCancelFee: 0n,
    });
    assert.throws(() => requirements({ maxPricePerBlock: 5, maxRate: 4 }), /maxRate \(4\) must be at least maxPricePerBlock \(5\)/);
    assert.throws(() => requirements({ maxPricePerBlock: 5, maxNoticeBlocks: 10, minRepriceNotice: 20 }), /leaves no Dynamic offer/);
    assert.equal(requirements({ maxPricePerBlock: 5, maxNoticeBlocks: 10, minRepriceNotice: 20, fixedPriceOnly: true })['fixedPriceOnly'], true, 'no Dynamic offer is wanted');
    assert.throws(() => requirements({ maxPricePerBlock: 5, minDuration: 52_560_001 }), /minDuration must be at most/);
    assert.throws(() => requirements({ maxPricePerBlock: 5, maxCancelFee: -1 }), /maxCancelFee/);
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

describe('argument encoding', () => {
  /** `value` encoded as argument `index` of `contract.message`, 0x-hex. */
  const encodeArg = (contract: ContractName, message: string, index: number, value: unknown): string => {
    const arg = abis[contract].findMessage(message).args[index]!;
    return u8aToHex(abis[contract].registry.createType(arg.type.lookupName ?? arg.type.type, value).toU8a());
  };
  const le = (value: bigint, bytes: number): string => {
    let hex = '';
    for (let i = 0; i < bytes; i++) hex += ((value >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
    return hex;
  };
  const pubkey = (address: string) => u8aToHex(decodeAddress(address)).slice(2);
  const base = { typeId: 3, descriptor: { hash: `0x${'12'.repeat(32)}`, uri: 'ipfs://d' }, requirements: { maxPricePerBlock: 5 } };

  test('create takes the offer the consumer names, or None for the award to choose', () => {
    const named = createArgs({ ...base, offerId: 7 });
    assert.equal(named.length, 4);
    assert.equal(named[3], 7n);
    assert.equal(encodeArg('subscription', 'Subscription::create', 3, named[3]), `0x01${le(7n, 8)}`);
    for (const none of [createArgs(base), createArgs({ ...base, offerId: null })]) {
      assert.equal(none[3], null);
      assert.equal(encodeArg('subscription', 'Subscription::create', 3, none[3]), '0x00');
    }
    assert.throws(() => createArgs({ ...base, offerId: -1 }), /offer id must be a u64/);
    assert.throws(() => createArgs({ ...base, offerId: 2n ** 64n }), /offer id must be a u64/);
    // The whole call data: selector, then the four arguments in order.
    const data = u8aToHex(abis.subscription.findMessage('Subscription::create').toU8a(named));
    assert.ok(data.endsWith(`01${le(7n, 8)}`), 'the offer id is the last argument');
  });

  test("mark_ready's access record is checked as the contract checks it, and encodes as a list of strings", () => {
    const record = accessRecord(['wss://a:1', 'https://a/rpc']);
    assert.deepEqual(record, { uris: ['wss://a:1', 'https://a/rpc'] });
    assert.deepEqual(accessRecord([]), { uris: [] });
    assert.throws(() => accessRecord(['a', 'b', 'c', 'd', 'e']), /at most 4 URIs/);
    assert.throws(() => accessRecord(['x'.repeat(129)]), /access URI 0 must be 1 to 128 bytes/);
    assert.throws(() => accessRecord(['a', '']), /access URI 1 must be 1 to 128 bytes/);
    assert.throws(() => accessRecord(['a', 'a']), /twice/);
    // Vec<String>: a compact length, then each as compact length + bytes.
    assert.equal(encodeArg('subscription', 'mark_ready', 1, accessRecord(['ab'])), '0x04086162');
  });

  test('requirements encode their new fields after the old ones, in the contracts\' order', () => {
    const r = requirements({
      maxPricePerBlock: 5, minDuration: 100, fixedPriceOnly: true, maxRate: 9n, maxNoticeBlocks: 20, minRepriceNotice: 3, maxCancelFee: 7,
      excludedProviders: [BOB],
    });
    const hex = encodeArg('subscription', 'Subscription::create', 2, r);
    const expected =
      `0x${le(5n, 16)}` + // max_price_per_block
      '00' + // required_attributes
      '00' + // excluded_attributes
      '00' + // preferred_providers
      '00' + // preferred_only
      `04${pubkey(BOB)}` + // excluded_providers
      '00' + // trusted_attestors
      le(100n, 4) + // min_duration
      '01' + // fixed_price_only
      `01${le(9n, 16)}` + // max_rate: Some(9)
      `01${le(20n, 4)}` + // max_notice_blocks: Some(20)
      le(3n, 4) + // min_reprice_notice
      le(7n, 16); // max_cancel_fee
    assert.equal(hex, expected);
    const none = encodeArg('subscription', 'Subscription::create', 2, requirements({ maxPricePerBlock: 5 }));
    assert.ok(none.endsWith(`${le(0n, 4)}00000000${le(0n, 4)}${le(0n, 16)}`), 'defaults: min duration 0, not fixed only, None, None, 0, 0');
    const arg = abis.subscription.findMessage('Subscription::create').args[2]!;
    assert.deepEqual(plain(abis.subscription.registry.createType(arg.type.lookupName ?? arg.type.type, r)), {
      ...r, maxPricePerBlock: 5n, minDuration: 100, maxRate: 9n, maxNoticeBlocks: 20, minRepriceNotice: 3, maxCancelFee: 7n,
    });
  });

  test('offer terms carry a cancel fee of at most 100 blocks of the price', () => {
    const terms = offerTerms({ pricePerBlock: 10, capacity: 2, minDuration: 5, noticeBlocks: 3, pricing: 'Dynamic', cancelFee: 1000 });
    assert.equal(
      encodeArg('registry', 'publish_offer', 1, terms),
      `0x${le(10n, 16)}${le(2n, 4)}${le(5n, 4)}${le(3n, 4)}01${le(1000n, 16)}`,
    );
    assert.equal(offerTerms({ pricePerBlock: 1, capacity: 1, minDuration: 0, noticeBlocks: 0 })['cancelFee'], 0n);
    assert.throws(() => offerTerms({ pricePerBlock: 10, capacity: 2, minDuration: 5, noticeBlocks: 3, cancelFee: 1001 }), /above 100 blocks of the price/);
    assert.throws(() => offerTerms({ pricePerBlock: 10, capacity: 0, minDuration: 5, noticeBlocks: 3 }), /capacity must be above 0/);
  });

  test('Change: Code, Link and Delay encode as the Admin messages expect', () => {
    const hash = `0x${'ab'.repeat(32)}`;
    const cases: [Parameters<typeof encodeChange>[0], string][] = [
      [{ Code: hash }, `0x00${'ab'.repeat(32)}`],
      [{ Link: ['Controller', ALICE] }, `0x010001${pubkey(ALICE)}`],
      [{ Link: ['Controller', null] }, '0x010000'],
      [{ Link: ['Award', BOB] }, `0x010101${pubkey(BOB)}`],
      [{ Delay: 14_400 }, `0x02${le(14_400n, 4)}`],
    ];
    for (const name of CONTRACT_NAMES) {
      for (const [change, hex] of cases) {
        assert.equal(encodeArg(name, 'Admin::schedule_change', 0, encodeChange(change)), hex, `${name}: ${JSON.stringify(change)}`);
      }
    }
    assert.throws(() => encodeChange({ Link: ['Selector' as 'Controller', ALICE] }), /Controller or Award/);
    assert.throws(() => encodeChange({ Link: ['Controller', 'nope'] }), /linked account is not a valid account address/);
    assert.throws(() => encodeChange({ Delay: -1 }), /governance delay must be a u32/);
    assert.throws(() => encodeChange({ Code: '0x12' }), /code hash must be 32 bytes/);
    assert.throws(() => encodeChange({ Code: hash, Delay: 1 } as never), /exactly one/);
  });

  test('an award compares 17..100 fitting offers', () => {
    assert.equal(awardWindow(17), 17);
    assert.equal(awardWindow(100), 100);
    assert.throws(() => awardWindow(16), /17\.\.100/);
    assert.throws(() => awardWindow(101), /17\.\.100/);
  });
});

describe('governance', () => {
  const report = (delays: Partial<Record<ContractName, number>>, consumerNotice: number, pending: GovernanceReport['contracts']['escrow']['pending'] = []): GovernanceReport => ({
    block: 100,
    contracts: Object.fromEntries(
      CONTRACT_NAMES.map((name) => [name, { delay: delays[name] ?? 14_400, pending: name === 'escrow' ? pending : [] }]),
    ) as GovernanceReport['contracts'],
    parameters: { readyTimeout: 20, consumerNotice },
  });

  test('the consumer notice must be at most half of every contract\'s delay', () => {
    assert.deepEqual(checkGovernance(report({}, 10)), []);
    assert.deepEqual(checkGovernance(report({ registry: 20, escrow: 20, award: 20, subscription: 20 }, 10)), []);
    assert.deepEqual(checkGovernance(report({ escrow: 19 }, 10)), [
      'the consumer notice (10 blocks) is more than half the escrow contract\'s governance delay (19 blocks)',
    ]);
    const problems = checkGovernance(report({ registry: 0, award: 5 }, 10));
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /registry contract's governance delay \(0 blocks\)/);
    assert.match(problems[1]!, /award contract's governance delay \(5 blocks\)/);
    const refused = new GovernanceRefused(problems, report({ registry: 0, award: 5 }, 10));
    assert.match(refused.message, /does not protect consumers: .*registry.*; .*award/);
  });

  test('pending changes decode from the reply and are reported with when they come due', () => {
    const message = abis.escrow.findMessage('Admin::pending_changes');
    const type = message.returnType!;
    const raw = [
      { id: 0, change: { Link: ['Controller', BOB] }, scheduledAt: 90, eta: 14_490 },
      { id: 1, change: { Delay: 600 }, scheduledAt: 10, eta: 100 },
    ];
    const codec = abis.escrow.registry.createType(type.lookupName ?? type.type, { Ok: raw });
    const pending = (plain(unwrapReply('escrow', 'Admin::pending_changes', codec)) as Parameters<typeof scheduledChange>[0][]).map(scheduledChange);
    assert.deepEqual(pending, [
      { id: 0, change: { Link: ['Controller', BOB] }, scheduledAt: 90, eta: 14_490 },
      { id: 1, change: { Delay: 600 }, scheduledAt: 10, eta: 100 },
    ]);
    const lines = formatGovernance(report({}, 10, pending));
    assert.equal(lines.length, 5);
    assert.equal(lines[0], 'registry: governance delay 14400 blocks; no change pending');
    assert.equal(
      lines.find((l) => l.startsWith('escrow')),
      `escrow: governance delay 14400 blocks; pending: #0 Link(Controller, Some(${BOB})) (due at block 14490, in 14390 blocks), #1 Delay(600) (due now)`,
    );
    assert.equal(lines[4], 'subscription parameters: ready timeout 20, consumer notice 10 blocks');
  });
});
