// Tests against a node with the suite deployed: DINFRA_URL (default
// ws://127.0.0.1:9944), DINFRA_DEPLOYMENT (the deployments json, required),
// DINFRA_SURI (a funded account, default //Alice). Each run works with fresh
// accounts and a deployment type of its own, so runs do not collide.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeyringPair } from '@polkadot/keyring/types';
import { blake2AsHex } from '@polkadot/util-crypto';
import { repoRoot } from './env.js';
import { accountFromSuri, ContractError, Dinfra, eventNamed, fund, type ContractEvent, type Details } from '../src/index.js';

const URL = process.env['DINFRA_URL'] ?? 'ws://127.0.0.1:9944';
const DEPLOYMENT = process.env['DINFRA_DEPLOYMENT'];
const SURI = process.env['DINFRA_SURI'] ?? '//Alice';

const RATE = 1_000_000n;
const MIN_DURATION = 10;
const DEPOSIT = 100n * RATE;
const DESCRIPTOR = { hash: blake2AsHex('{"chain":"dev"}'), uri: 'ipfs://ts-test' };

let dinfra: Dinfra;
let funder: KeyringPair;
let provider: KeyringPair;
let consumer: KeyringPair;
let keeper: KeyringPair;
let typeId: number;
let offerId: bigint;

before(async () => {
  if (!DEPLOYMENT) {
    throw new Error('DINFRA_DEPLOYMENT is not set: point it at deploy/deployments/<name>.json (deploy/deploy.sh writes it)');
  }
  dinfra = await Dinfra.connect(URL, DEPLOYMENT, { root: repoRoot });
  funder = await accountFromSuri(SURI);
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  [provider, consumer, keeper] = await Promise.all(['provider', 'consumer', 'keeper'].map((r) => accountFromSuri(`${SURI}//dinfra-ts-test//${run}//${r}`))) as [KeyringPair, KeyringPair, KeyringPair];
  const unit = 10n ** BigInt(dinfra.api.registry.chainDecimals[0] ?? 12);
  await fund(dinfra.api, funder, [provider.address, consumer.address, keeper.address], 100n * unit);
  typeId = (await dinfra.registerType(provider, `ts-test-${run}`, blake2AsHex(run))).typeId;
  await dinfra.registerProvider(provider, { name: 'ts test provider', endpoint: 'wss://ts-test.example', bond: BigInt(dinfra.loaded.deployment.parameters.min_bond) });
  offerId = (await dinfra.publishOffer(provider, typeId, { pricePerBlock: RATE, capacity: 10, minDuration: MIN_DURATION, noticeBlocks: 5 })).offerId;
});

after(async () => {
  await dinfra?.disconnect();
});

function subscribe(deposit = DEPOSIT) {
  return dinfra.create(consumer, { typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 2n * RATE, minDuration: MIN_DURATION }, deposit });
}

async function details(id: bigint): Promise<Details> {
  const d = await dinfra.details(id);
  assert.ok(d, `details(${id}) is None`);
  return d;
}

function args(events: ContractEvent[], contract: ContractEvent['contract'], name: string) {
  return eventNamed(events, name, contract).args;
}

describe('on a node', { timeout: 300_000 }, () => {
  test('subscribe: the deposit is held, and withdrawable grows from the ready block', async () => {
    const heldBefore = await dinfra.totalHeld();
    const balanceBefore = await dinfra.freeBalance(consumer.address);
    const created = await subscribe();
    assert.equal(created.provider, provider.address);
    assert.equal(await dinfra.freeBalance(consumer.address), balanceBefore - DEPOSIT - created.fee - created.storageDeposit, 'the consumer paid deposit + fee + storage deposit');
    assert.equal(await dinfra.totalHeld(), heldBefore + DEPOSIT);

    let d = await details(created.id);
    assert.equal(d.subscription.phase, 'Awarded');
    assert.equal(d.subscription.consumer, consumer.address);
    assert.equal(d.subscription.offerId, offerId);
    assert.equal(d.figures.status, 'Pending');
    assert.deepEqual([d.figures.deposited, d.figures.held, d.figures.accrued, d.figures.withdrawable, d.figures.refundable], [DEPOSIT, DEPOSIT, 0n, 0n, DEPOSIT]);

    const page = await dinfra.subscriptionsOfConsumer(consumer.address);
    assert.ok(page.entries.some((e) => e.id === created.id && e.subscription.typeId === typeId), 'listed among the consumer\'s subscriptions');

    const ready = await dinfra.markReady(provider, created.id);
    const at = ready.blockNumber;
    const best = (await dinfra.advanceTo(at + 5, funder)).reached;
    d = await details(created.id);
    assert.equal(d.subscription.phase, 'Active');
    assert.equal(d.subscription.readyAt, at);
    assert.equal(d.figures.status, 'Streaming');
    assert.equal(d.figures.start, at);
    assert.equal(d.figures.accrued, RATE * BigInt(best - at), 'accrued = rate × blocks since ready');
    assert.equal(d.figures.withdrawable, d.figures.accrued);
    assert.equal(d.figures.refundable, DEPOSIT - d.figures.accrued);
    assert.equal(d.figures.depletionBlock, at + Number(DEPOSIT / RATE));

    await dinfra.advanceTo(best + 1, funder);
    assert.equal((await details(created.id)).figures.withdrawable, d.figures.withdrawable + RATE, 'one block more, one rate more');
  });

  test('events of create, mark_ready, claim, cancel and settle decode with all four ABIs', async () => {
    const created = await subscribe();
    const id = created.id;
    assert.deepEqual(args(created.events, 'subscription', 'SubscriptionCreated'), { id, consumer: consumer.address, typeId, deposit: DEPOSIT });
    assert.deepEqual(args(created.events, 'subscription', 'Awarded'), {
      id, provider: provider.address, typeId, offerId, ratePerBlock: RATE, descriptorHash: DESCRIPTOR.hash, descriptorUri: DESCRIPTOR.uri,
      readyDeadline: created.blockNumber + dinfra.loaded.deployment.parameters.ready_timeout,
    });
    assert.equal(args(created.events, 'award', 'OfferSelected')['offerId'], offerId);
    assert.equal(args(created.events, 'registry', 'CapacityReserved')['offerId'], offerId);
    const opened = args(created.events, 'escrow', 'StreamOpened');
    assert.deepEqual([opened['payer'], opened['payee'], opened['rate'], opened['deposit']], [consumer.address, provider.address, RATE, DEPOSIT]);

    const ready = await dinfra.markReady(provider, id);
    assert.deepEqual(args(ready.events, 'subscription', 'DeploymentReady'), { id, provider: provider.address, at: ready.blockNumber });
    assert.equal(args(ready.events, 'escrow', 'StreamStarted')['at'], ready.blockNumber);

    await dinfra.advanceTo(ready.blockNumber + 3, funder);
    const claimed = await dinfra.claim(provider, id);
    const earned = RATE * BigInt(claimed.blockNumber - ready.blockNumber);
    assert.deepEqual(args(claimed.events, 'subscription', 'Claimed'), { id, provider: provider.address, amount: earned });
    assert.equal(args(claimed.events, 'escrow', 'Withdrawn')['amount'], earned);

    const cancelled = await dinfra.cancel(consumer, id);
    const end = Math.max(cancelled.blockNumber + dinfra.loaded.deployment.parameters.consumer_notice, ready.blockNumber + MIN_DURATION);
    assert.deepEqual(args(cancelled.events, 'subscription', 'EndScheduled'), { id, end, reason: 'ConsumerCancelled' });
    assert.equal(args(cancelled.events, 'escrow', 'EndScheduled')['end'], end);

    await dinfra.advanceTo(end, funder);
    const settled = await dinfra.settle(keeper, id);
    const paid = RATE * BigInt(end - ready.blockNumber) - earned;
    assert.deepEqual(args(settled.events, 'subscription', 'Closed'), { id, reason: 'ConsumerCancelled', paid, refunded: DEPOSIT - earned - paid });
    assert.deepEqual(args(settled.events, 'escrow', 'StreamClosed')['paid'], paid);
    assert.equal(args(settled.events, 'registry', 'CapacityReleased')['offerId'], offerId);
    assert.equal(args(settled.events, 'registry', 'OutcomeRecorded')['outcome'], 'Completed');
  });

  test('a deposit below the minimum is refused in the dry run with InsufficientDeposit, and nothing is sent', async () => {
    const nonce = (await dinfra.api.rpc.system.accountNextIndex(consumer.address)).toNumber();
    const balance = await dinfra.freeBalance(consumer.address);
    const count = await dinfra.subscriptionCount();
    const tooSmall = RATE * BigInt(MIN_DURATION) - 1n;
    await assert.rejects(subscribe(tooSmall), (e: unknown) => e instanceof ContractError && e.error === 'InsufficientDeposit' && e.contract === 'subscription');
    await assert.rejects(dinfra.markReady(consumer, count - 1n), (e: unknown) => e instanceof ContractError && e.error === 'Unauthorized');
    await assert.rejects(
      dinfra.create(consumer, { typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: RATE - 1n }, deposit: DEPOSIT }),
      (e: unknown) => e instanceof ContractError && e.error === 'NoProvider',
    );
    assert.equal((await dinfra.api.rpc.system.accountNextIndex(consumer.address)).toNumber(), nonce, 'no transaction was sent');
    assert.equal(await dinfra.freeBalance(consumer.address), balance, 'the consumer paid nothing');
    assert.equal(await dinfra.subscriptionCount(), count);
  });

  test('cancel and settle: the provider is paid to the end block, the consumer refunded the rest', async () => {
    const created = await subscribe();
    const ready = await dinfra.markReady(provider, created.id);
    const cancelled = await dinfra.cancel(consumer, created.id);
    const { end } = (await details(created.id)).figures;
    assert.ok(end !== null && end > cancelled.blockNumber, 'an end block after the notice');
    await assert.rejects(dinfra.settle(keeper, created.id), (e: unknown) => e instanceof ContractError && e.error === 'TooEarly');

    await dinfra.advanceTo(end, funder);
    const heldBefore = await dinfra.totalHeld();
    const consumerBefore = await dinfra.freeBalance(consumer.address);
    const providerBefore = await dinfra.freeBalance(provider.address);
    const settled = await dinfra.settle(keeper, created.id);
    const { paid, refunded } = args(settled.events, 'subscription', 'Closed') as { paid: bigint; refunded: bigint };
    assert.equal(paid, RATE * BigInt(end - ready.blockNumber));
    assert.equal(refunded, DEPOSIT - paid);
    assert.equal(await dinfra.freeBalance(consumer.address), consumerBefore + refunded, 'the consumer got the refund');
    assert.equal(await dinfra.freeBalance(provider.address), providerBefore + paid, 'the provider got its pay');
    assert.equal(await dinfra.totalHeld(), heldBefore - DEPOSIT);

    const d = await details(created.id);
    assert.equal(d.subscription.phase, 'Closed');
    assert.equal(d.subscription.closed, 'ConsumerCancelled');
    assert.deepEqual([d.figures.status, d.figures.held, d.figures.withdrawn + d.figures.refunded], ['Closed', 0n, DEPOSIT]);
  });
});
