// Tests against a node with the suite deployed: DINFRA_URL (default
// ws://127.0.0.1:9944), DINFRA_DEPLOYMENT (the deployments json, required),
// DINFRA_SURI (a funded account, default //Alice). Each run works with fresh
// accounts and a deployment type of its own, so runs do not collide. The
// governance tests instantiate a suite of their own from the same code with a
// delay of a few blocks (test/suite.ts), so a scheduled change comes due
// within the test and the deployment under test is never rewired. When the
// deployment file lists pools (deploy.sh --pool), the first is exercised
// through Pool and left as it was found; without them that test is skipped.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KeyringPair } from '@polkadot/keyring/types';
import { blake2AsHex } from '@polkadot/util-crypto';
import { repoRoot } from './env.js';
import { main as cliMain } from '../src/cli/main.js';
import { chainClock, closeReasonText, estimateBlockTime, formatBlock } from '../src/human.js';
import { loadBundledDeployment } from '../src/files.js';
import { instantiateSuite } from './suite.js';
import { accountFromSuri, checkGovernance, ContractError, Dinfra, eventNamed, eventsNamed, fund, MAX_CLAIM_BATCH, Pool, type ContractEvent, type Details } from '../src/index.js';

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
let provider2: KeyringPair;
let consumer: KeyringPair;
let keeper: KeyringPair;
let typeId: number;
let offerId: bigint;
/** Offers at 3 × RATE, above what `subscribe` accepts: only asked for by name
 * or with a higher bound. One of `provider`'s, one of `provider2`'s. */
let dearOffer: bigint;
let otherOffer: bigint;
const DEAR = 3n * RATE;
let run: string;
let unit: bigint;

before(async () => {
  if (!DEPLOYMENT) {
    throw new Error('DINFRA_DEPLOYMENT is not set: point it at deploy/deployments/<name>.json (deploy/deploy.sh writes it)');
  }
  dinfra = await Dinfra.connect(URL, loadBundledDeployment(DEPLOYMENT, repoRoot));
  funder = await accountFromSuri(SURI);
  run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  [provider, provider2, consumer, keeper] = (await Promise.all(
    ['provider', 'provider2', 'consumer', 'keeper'].map((r) => accountFromSuri(`${SURI}//dinfra-ts-test//${run}//${r}`)),
  )) as [KeyringPair, KeyringPair, KeyringPair, KeyringPair];
  unit = 10n ** BigInt(dinfra.api.registry.chainDecimals[0] ?? 12);
  await fund(dinfra.api, funder, [provider.address, provider2.address, consumer.address, keeper.address], 100n * unit);
  typeId = (await dinfra.registerType(provider, `ts-test-${run}`, blake2AsHex(run))).typeId;
  const bond = BigInt(dinfra.loaded.deployment.parameters.min_bond);
  await dinfra.registerProvider(provider, { name: 'ts test provider', endpoint: 'wss://ts-test.example', bond });
  await dinfra.registerProvider(provider2, { name: 'ts test provider 2', endpoint: 'wss://ts-test-2.example', bond });
  offerId = (await dinfra.publishOffer(provider, typeId, { pricePerBlock: RATE, capacity: 10, minDuration: MIN_DURATION, noticeBlocks: 5 })).offerId;
  dearOffer = (await dinfra.publishOffer(provider, typeId, { pricePerBlock: DEAR, capacity: 10, minDuration: MIN_DURATION, noticeBlocks: 5 })).offerId;
  otherOffer = (await dinfra.publishOffer(provider2, typeId, { pricePerBlock: DEAR, capacity: 10, minDuration: MIN_DURATION, noticeBlocks: 5 })).offerId;
});

after(async () => {
  await dinfra?.disconnect();
});

/** A subscription at RATE: the award picks `offerId`, the only offer of
 * the type at most 2 × RATE. */
function subscribe(deposit = DEPOSIT) {
  return dinfra.create(consumer, { typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 2n * RATE, minDuration: MIN_DURATION }, deposit });
}

function refusedWith(error: string) {
  return (e: unknown) => e instanceof ContractError && e.error === error;
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
  test("deploy.sh registered the catalogue's types with their schema files' blake2-256", async () => {
    const types = dinfra.loaded.deployment.types ?? {};
    const catalogue = join(repoRoot, 'types');
    const names = readdirSync(catalogue).filter((name) => existsSync(join(catalogue, name, 'schema.json'))).sort();
    assert.deepEqual(Object.keys(types).sort(), names);
    for (const name of names) {
      const schemaHash = blake2AsHex(readFileSync(join(catalogue, name, 'schema.json')));
      assert.equal(types[name]!.schema_hash, schemaHash, name);
      assert.equal(await dinfra.typeIdByName(name), types[name]!.id, name);
      const onChain = await dinfra.deploymentType(types[name]!.id);
      assert.equal(onChain?.name, name);
      assert.equal(onChain?.schemaHash, schemaHash, `${name} on chain`);
    }
  });

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

    assert.equal(d.access, null, 'no access record before ready');
    const access = ['wss://ts-test.example:443', 'https://ts-test.example/rpc'];
    const ready = await dinfra.markReady(provider, created.id, access);
    assert.deepEqual(eventNamed(ready.events, 'DeploymentReady', 'subscription').args['access'], { uris: access });
    const at = ready.blockNumber;
    const best = (await dinfra.advanceTo(at + 5, funder)).reached;
    d = await details(created.id);
    assert.deepEqual(d.access, { uris: access }, 'the access record, from the chain');
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
    // The registry chose (the award link names it): one registry call, no award contract asked.
    assert.equal(args(created.events, 'registry', 'OfferAwarded')['offerId'], offerId);
    assert.deepEqual(eventsNamed(created.events, 'OfferSelected', 'award'), [], 'the award contract was not asked');
    assert.equal(args(created.events, 'registry', 'CapacityReserved')['offerId'], offerId);
    const opened = args(created.events, 'escrow', 'StreamOpened');
    assert.deepEqual([opened['payer'], opened['payee'], opened['rate'], opened['deposit']], [consumer.address, provider.address, RATE, DEPOSIT]);

    const ready = await dinfra.markReady(provider, id, ['wss://ts-events.example:443']);
    assert.deepEqual(args(ready.events, 'subscription', 'DeploymentReady'), { id, provider: provider.address, at: ready.blockNumber, access: { uris: ['wss://ts-events.example:443'] } });
    assert.equal(args(ready.events, 'escrow', 'StreamStarted')['at'], ready.blockNumber);

    await dinfra.advanceTo(ready.blockNumber + 3, funder);
    // The client claims at the escrow, as the reactor does: the subscription contract is not called.
    const streamId = (await details(id)).subscription.streamId;
    const claimed = await dinfra.claim(provider, id);
    const earnedFirst = RATE * BigInt(claimed.blockNumber - ready.blockNumber);
    assert.deepEqual(args(claimed.events, 'escrow', 'Withdrawn'), { payee: provider.address, amount: earnedFirst, streams: [[streamId, earnedFirst]] });
    assert.deepEqual([claimed.amount, claimed.claims], [earnedFirst, [[id, earnedFirst]]]);
    assert.deepEqual(eventsNamed(claimed.events, 'Claimed', 'subscription'), [], 'the subscription contract was not called');
    // Its own claim still pays, with its Claimed event, at about three times the cost.
    await dinfra.advanceTo(claimed.blockNumber + 2, funder);
    const own = await dinfra.send(provider, 'subscription', 'claim', [id]);
    const ownEarned = RATE * BigInt(own.blockNumber - claimed.blockNumber);
    assert.deepEqual(args(own.events, 'subscription', 'Claimed'), { provider: provider.address, amount: ownEarned, claims: [[id, ownEarned]] });
    assert.equal(args(own.events, 'escrow', 'Withdrawn')['amount'], ownEarned);
    const [viaEscrow, viaSubscription] = [claimed.dryRun.gasRequired, own.dryRun.gasRequired];
    assert.ok(viaEscrow.refTime * 2n < viaSubscription.refTime && viaEscrow.proofSize * 2n < viaSubscription.proofSize, `the escrow path ${viaEscrow.refTime}/${viaEscrow.proofSize}, the subscription's ${viaSubscription.refTime}/${viaSubscription.proofSize}`);
    const earned = earnedFirst + ownEarned;

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

  test('a claim is checked against the subscription contract\'s rules before the escrow is asked, and nothing is sent when refused', async () => {
    const created = await subscribe();
    const nonces = async () => Promise.all([consumer, provider].map(async (a) => (await dinfra.api.rpc.system.accountNextIndex(a.address)).toNumber()));
    const before = await nonces();
    // Not the provider; not yet ready (nothing streams); an unknown id: each the contract's own error.
    await assert.rejects(dinfra.claimMany(consumer, [created.id]), (e: unknown) => e instanceof ContractError && e.contract === 'subscription' && e.error === 'Unauthorized');
    await assert.rejects(dinfra.claim(provider, created.id), (e: unknown) => e instanceof ContractError && e.error === 'WrongState');
    await assert.rejects(dinfra.claim(provider, (await dinfra.subscriptionCount()) + 5n), (e: unknown) => e instanceof ContractError && e.error === 'NotFound');
    // A batch names 1 to MAX_CLAIM_BATCH subscriptions, each once.
    await assert.rejects(dinfra.claimMany(provider, []), RangeError);
    await assert.rejects(dinfra.claimMany(provider, [created.id, created.id]), RangeError);
    await assert.rejects(dinfra.claimMany(provider, Array.from({ length: MAX_CLAIM_BATCH + 1 }, (_, i) => BigInt(i))), RangeError);
    assert.deepEqual(await nonces(), before, 'no transaction was sent');
    // Ready, but the dry run runs at the ready block: nothing earned yet, nothing sent.
    const ready = await dinfra.markReady(provider, created.id);
    await assert.rejects(dinfra.claim(provider, created.id), refusedWith('NothingToClaim'));
    assert.equal((await nonces())[1], before[1] + 1, 'only mark_ready was sent');
    // Blocks later it pays what was earned since the ready block.
    await dinfra.advanceTo(ready.blockNumber + 3, funder);
    const claimed = await dinfra.claimMany(provider, [created.id]);
    assert.equal(claimed.amount, RATE * BigInt(claimed.blockNumber - ready.blockNumber));
    assert.deepEqual(claimed.claims, [[created.id, claimed.amount]]);
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

  test('connect reports each contract\'s governance delay and pending changes', async () => {
    const report = dinfra.governance;
    assert.deepEqual(checkGovernance(report), [], 'the consumer notice is at most half of every delay');
    for (const name of ['registry', 'award', 'escrow', 'subscription'] as const) {
      assert.equal(report.contracts[name].delay, dinfra.loaded.deployment.parameters.governance_delay, `${name} delay as deployed`);
      assert.deepEqual(await dinfra.pendingChanges(name), report.contracts[name].pending);
    }
    assert.equal(report.parameters.consumerNotice, dinfra.loaded.deployment.parameters.consumer_notice);
    assert.equal(await dinfra.link('escrow', 'Controller'), dinfra.address('subscription'));
    assert.equal(await dinfra.link('registry', 'Controller'), dinfra.address('subscription'));
    assert.equal(await dinfra.link('award', 'Controller'), dinfra.address('subscription'));
    assert.equal(await dinfra.link('subscription', 'Award'), dinfra.address('registry'), 'the registry chooses; the award contract stands by');
  });

  test('create naming an offer: that offer, no award asked; one that does not fit is refused as Unfit', async () => {
    const named = await dinfra.create(consumer, {
      typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 4n * RATE, minDuration: MIN_DURATION }, deposit: DEPOSIT, offerId: dearOffer,
    });
    assert.equal(named.offerId, dearOffer);
    assert.equal(named.provider, provider.address);
    assert.equal(named.ratePerBlock, DEAR);
    assert.deepEqual(eventsNamed(named.events, 'OfferSelected', 'award'), [], 'the award was not asked');
    assert.deepEqual(eventsNamed(named.events, 'OfferAwarded', 'registry'), [], 'nor the registry\'s own award');
    assert.equal(args(named.events, 'registry', 'CapacityReserved')['offerId'], dearOffer);
    const d = await details(named.id);
    assert.deepEqual([d.subscription.offerId, d.subscription.cancelFee, d.subscription.consumerNotice], [dearOffer, 0n, dinfra.governance.parameters.consumerNotice]);
    await dinfra.cancel(consumer, named.id);

    const count = await dinfra.subscriptionCount();
    await assert.rejects(
      dinfra.create(consumer, { typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 2n * RATE, minDuration: MIN_DURATION }, deposit: DEPOSIT, offerId: dearOffer }),
      (e: unknown) => e instanceof ContractError && e.error === 'Unfit(TooExpensive)' && e.variant === 'Unfit' && /price/i.test(e.explanation),
    );
    await assert.rejects(
      dinfra.create(consumer, { typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 4n * RATE, excludedProviders: [provider.address], minDuration: MIN_DURATION }, deposit: DEPOSIT, offerId: dearOffer }),
      refusedWith('Unfit(ExcludedProvider)'),
    );
    assert.equal(await dinfra.subscriptionCount(), count, 'nothing was created');
  });

  test('accept_price: a proposal replaced since the consumer saw it is refused (ProposalChanged); the one pending applies', async () => {
    const created = await subscribe();
    await dinfra.markReady(provider, created.id);
    const seen = RATE + 1n;
    const proposed = await dinfra.proposePrice(provider, created.id, seen);
    assert.equal(proposed.needsConsent, true, 'a Fixed offer needs the consumer\'s consent');
    assert.equal((await details(created.id)).subscription.priceChange?.rate, seen);
    // The provider front-runs the consumer's acceptance with a dearer proposal.
    const replaced = RATE + 2n;
    await dinfra.proposePrice(provider, created.id, replaced);
    const nonce = (await dinfra.api.rpc.system.accountNextIndex(consumer.address)).toNumber();
    await assert.rejects(dinfra.acceptPrice(consumer, created.id, seen), refusedWith('ProposalChanged'));
    assert.equal((await dinfra.api.rpc.system.accountNextIndex(consumer.address)).toNumber(), nonce, 'nothing was sent');
    assert.equal((await details(created.id)).subscription.ratePerBlock, RATE, 'the rate did not change');
    const accepted = await dinfra.acceptPrice(consumer, created.id, replaced);
    assert.equal(args(accepted.events, 'subscription', 'PriceChanged')['rate'], replaced);
    assert.equal(args(accepted.events, 'escrow', 'RateChanged')['rate'], replaced);
    const d = await details(created.id);
    assert.deepEqual([d.subscription.ratePerBlock, d.subscription.priceChange, d.figures.rate], [replaced, null, replaced]);
    await dinfra.cancel(consumer, created.id);
  });

  test('decline: the award goes to the next provider that fits, and with none left the consumer is refunded in full', async () => {
    const balance = await dinfra.freeBalance(consumer.address);
    const created = await dinfra.create(consumer, {
      typeId, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: 4n * RATE, minDuration: MIN_DURATION }, deposit: DEPOSIT, offerId: dearOffer,
    });
    await assert.rejects(dinfra.decline(consumer, created.id), refusedWith('Unauthorized'), 'only the awarded provider declines');
    const declined = await dinfra.decline(provider, created.id);
    assert.deepEqual(args(declined.events, 'subscription', 'AwardDeclined'), { id: created.id, provider: provider.address });
    assert.deepEqual(declined.next, { provider: provider2.address, offerId: otherOffer });
    assert.equal(declined.closed, false);
    assert.deepEqual(eventsNamed(declined.events, 'OutcomeRecorded', 'registry'), [], 'no mark against a provider that declines');
    let d = await details(created.id);
    assert.equal(d.subscription.provider, provider2.address);
    assert.ok(d.subscription.requirements.excludedProviders.includes(provider.address), 'the decliner is excluded from now on');

    const last = await dinfra.decline(provider2, created.id);
    assert.equal(last.next, null);
    assert.equal(last.closed, true);
    assert.deepEqual(args(last.events, 'subscription', 'Closed'), { id: created.id, reason: 'Declined', paid: 0n, refunded: DEPOSIT });
    d = await details(created.id);
    assert.deepEqual([d.subscription.phase, d.subscription.closed], ['Closed', 'Declined']);
    assert.equal(
      await dinfra.freeBalance(consumer.address),
      balance - created.fee - created.storageDeposit,
      'the consumer got the whole deposit back (it paid only the fee and the storage deposit)',
    );
  });

  describe('governance on a suite of the test\'s own (delay 4 blocks)', () => {
    const DELAY = 4;
    const NOTICE = 2;
    const LONG = 30;
    let suite: Dinfra;

    before(async () => {
      const made = await instantiateSuite(URL, dinfra, funder, {
        governanceDelay: DELAY, consumerNotice: NOTICE, readyTimeout: 20, minBond: 1000n, unbondingBlocks: 10, maxCandidates: 20,
      });
      suite = made.suite;
      assert.deepEqual(made.wired.map((w) => w.applied), [true, true, true], 'the first wiring of each link applies at once');
    });

    after(async () => {
      await suite?.disconnect();
    });

    test('a wired suite reports its delay, no pending change, and governance_pending false', async () => {
      for (const name of ['registry', 'award', 'escrow', 'subscription'] as const) {
        assert.equal(await suite.governanceDelay(name), DELAY);
        assert.deepEqual(await suite.pendingChanges(name), []);
      }
      assert.equal(await suite.governancePending(), false);
      assert.equal(await suite.link('escrow', 'Controller'), suite.address('subscription'));
      assert.equal(await suite.controllerEpoch(), 1);
    });

    test('a scheduled controller change: governance_pending, the cancel waiver, NotDue, apply by anyone, then the payer reclaims', async () => {
      await suite.registerProvider(provider, { name: 'gov test provider', endpoint: 'wss://gov-test.example', bond: 1000n });
      const govType = (await suite.registerType(provider, `gov-${run}`, blake2AsHex(`gov-${run}`))).typeId;
      const govOffer = (await suite.publishOffer(provider, govType, { pricePerBlock: RATE, capacity: 4, minDuration: LONG, noticeBlocks: 5 })).offerId;
      const created = await suite.create(consumer, { typeId: govType, descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: RATE, minDuration: LONG }, deposit: DEPOSIT, offerId: govOffer });
      const ready = await suite.markReady(provider, created.id);
      const { streamId } = (await suite.details(created.id))!.subscription;
      await assert.rejects(suite.reclaim(consumer, streamId), refusedWith('ControllerWorking'), 'the subscription contract still steers it');

      const scheduled = await suite.scheduleChange(funder, 'escrow', { Link: ['Controller', keeper.address] });
      assert.equal(scheduled.applied, false, 'a wired link only changes after the delay');
      assert.equal(scheduled.eta, scheduled.blockNumber + DELAY);
      assert.deepEqual(args(scheduled.events, 'escrow', 'ChangeScheduled'), {
        id: scheduled.id, change: { Link: ['Controller', keeper.address] }, eta: scheduled.eta,
      });
      assert.deepEqual(await suite.pendingChanges('escrow'), [
        { id: scheduled.id, change: { Link: ['Controller', keeper.address] }, scheduledAt: scheduled.blockNumber, eta: scheduled.eta },
      ]);
      assert.equal(await suite.governancePending(), true);
      assert.equal(await suite.link('escrow', 'Controller'), suite.address('subscription'), 'not in effect yet');
      await assert.rejects(suite.applyChange(keeper, 'escrow', scheduled.id), refusedWith('NotDue'));
      await assert.rejects(suite.scheduleChange(keeper, 'escrow', { Delay: 1 }), refusedWith('Unauthorized'));

      // While a change is pending the minimum duration is waived: only the consumer notice.
      const cancelled = await suite.cancel(consumer, created.id);
      const end = cancelled.blockNumber + NOTICE;
      assert.ok(end < ready.blockNumber + LONG);
      assert.deepEqual(args(cancelled.events, 'subscription', 'EndScheduled'), { id: created.id, end, reason: 'ConsumerCancelled' });

      await suite.advanceTo(scheduled.eta, funder);
      const applied = await suite.applyChange(keeper, 'escrow', scheduled.id);
      assert.deepEqual(args(applied.events, 'escrow', 'ChangeApplied'), { id: scheduled.id, change: { Link: ['Controller', keeper.address] } });
      assert.equal(await suite.link('escrow', 'Controller'), keeper.address);
      assert.equal(await suite.controllerEpoch(), 2);
      assert.deepEqual(await suite.pendingChanges('escrow'), []);
      assert.equal(await suite.governancePending(), false);
      await assert.rejects(suite.settle(keeper, created.id), refusedWith('Escrow(Unauthorized)'), 'the old controller no longer steers the stream');

      const reclaimed = await suite.reclaim(consumer, streamId);
      assert.deepEqual(args(reclaimed.events, 'escrow', 'StreamReclaimed'), { id: streamId, payer: consumer.address });
      assert.equal(reclaimed.paid, RATE * BigInt(end - ready.blockNumber), 'the provider is paid to the end block');
      assert.equal(reclaimed.paid + reclaimed.refunded, DEPOSIT);
      assert.equal((await suite.details(created.id))?.figures.status, 'Closed', 'the stream is closed');
    });

    test('credits: a payment the runtime refuses is kept for its owner, who withdraws it later', async (t) => {
      const existential = BigInt(suite.api.consts.balances.existentialDeposit.toString());
      if (existential <= 10n) {
        t.skip(`the existential deposit (${existential}) is too small to refuse a payment here`);
        return;
      }
      if ((await suite.link('escrow', 'Controller')) !== keeper.address) {
        t.skip('needs the controller change of the previous test');
        return;
      }
      // The keeper steers the escrow now: a stream to a payee that does not exist yet.
      const payee = await accountFromSuri(`${SURI}//dinfra-ts-test//${run}//unfunded`);
      const opened = await suite.send(keeper, 'escrow', 'Escrow::open', [keeper.address, payee.address, 1, 0], { value: 1000n });
      const streamId = args(opened.events, 'escrow', 'StreamOpened')['id'] as bigint;
      const started = await suite.send(keeper, 'escrow', 'Escrow::start', [streamId]);
      await suite.advanceTo(started.blockNumber + 3, funder);
      const before = await suite.totalCredited();
      const withdrawn = await suite.send(keeper, 'escrow', 'Escrow::withdraw', [streamId]);
      const amount = args(withdrawn.events, 'escrow', 'Withdrawn')['amount'] as bigint;
      assert.ok(amount > 0n && amount < existential);
      assert.deepEqual(args(withdrawn.events, 'escrow', 'Credited'), { account: payee.address, amount });
      assert.equal(await suite.creditOf(payee.address), amount);
      assert.equal(await suite.totalCredited(), before + amount);

      await assert.rejects(suite.withdrawCredit(keeper), refusedWith('NoCredit'));
      await fund(suite.api, funder, [payee.address], unit);
      const paid = await suite.withdrawCredit(payee);
      assert.equal(paid.amount, amount);
      assert.deepEqual(args(paid.events, 'escrow', 'CreditWithdrawn'), { account: payee.address, amount });
      assert.equal(await suite.creditOf(payee.address), 0n);
    });
  });

  test('dinfra status (the CLI) gives the end date formatBlock gives for details\' end', async () => {
    const created = await subscribe();
    await dinfra.markReady(provider, created.id, ['wss://ts-cli.example:443']);
    await dinfra.cancel(consumer, created.id);
    const d = await details(created.id);
    assert.ok(d.subscription.end, 'a cancelled subscription has an end block');
    const [end, reason] = d.subscription.end;
    // The CLI as a person runs it: its own connection, the package's metadata.
    const cli = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await cliMain([...argv, '--url', URL, '--deployment', DEPLOYMENT!], { out: (l) => out.push(l), err: (l) => err.push(l) });
      assert.equal(code, 0, err.join('\n'));
      return out.join('\n');
    };
    for (let attempt = 0; ; attempt++) {
      const text = await cli(['status', String(created.id)]);
      const clock = await chainClock(dinfra.api);
      if (!text.includes(`(at block ${clock.block})`) && attempt < 3) continue; // a block came in between
      assert.ok(text.includes(`ends         ${formatBlock(end, clock)} — ${closeReasonText(reason)}`), text);
      assert.match(text, /access {7}wss:\/\/ts-cli\.example:443/);
      break;
    }
    const json = JSON.parse(await cli(['status', String(created.id), '--json']));
    assert.equal(json.end.block, end);
    assert.equal(json.end.reason, reason);
    assert.equal(json.ratePerBlock, d.subscription.ratePerBlock.toString());
    assert.equal(json.deposited, d.figures.deposited.toString());
    const clock = await chainClock(dinfra.api);
    const at = estimateBlockTime(end, { ...clock, block: json.block, at: clock.at - (clock.block - json.block) * (clock.msPerBlock ?? 0) });
    assert.equal(json.end.at, at === null ? null : new Date(at).toISOString());
  });
});

// A pool deploy.sh --pool recorded in the deployment file (none: skipped).
// Each run leaves it as it found it: a contribution taken back before the
// subscription exists, refusals that send nothing.
const recordedPools = DEPLOYMENT && existsSync(DEPLOYMENT) ? ((JSON.parse(readFileSync(DEPLOYMENT, 'utf8')) as { pools?: unknown[] }).pools ?? []) : [];
describe('a pool from the deployment file', { timeout: 300_000, skip: recordedPools.length === 0 && 'the deployment file lists no .pools (deploy.sh --pool)' }, () => {
  test('its terms are the recorded ones; a contribution is counted and, before the subscription, taken back whole; refusals are PoolErrors', async () => {
    const recorded = dinfra.loaded.deployment.pools![0]!;
    const pool = await Pool.at(dinfra, recorded.address);
    assert.deepEqual(await pool.terms(), { typeId: recorded.type_id, maxRate: BigInt(recorded.max_rate), maxCancelFee: 0n });
    const governor = await pool.governor();
    assert.equal(await pool.subscriptionContract(), dinfra.address('subscription'));
    const books = await pool.books();
    const amount = unit;
    if (typeof books.phase === 'object' && 'Closed' in books.phase) {
      await assert.rejects(pool.contribute(consumer, amount), refusedWith('PoolClosed'));
      return;
    }
    const contributed = await pool.contribute(consumer, amount);
    assert.equal(contributed.contributed, amount);
    assert.deepEqual(eventNamed(contributed.events, 'Contributed', 'pool').args, { contributor: consumer.address, amount, contributed: amount });
    assert.deepEqual(await pool.shareOf(consumer.address), { contributed: amount, withdrawn: null });
    const after = await pool.books();
    assert.equal(after.contributed, books.contributed + amount);
    assert.equal(after.unspent, books.unspent + amount);

    // Only the governor creates (checked first, whatever the terms).
    const create = { descriptor: DESCRIPTOR, requirements: { maxPricePerBlock: BigInt(recorded.max_rate) + 1n }, deposit: amount };
    if (governor !== consumer.address) await assert.rejects(pool.create(consumer, create), refusedWith('NotGovernor'));
    if (governor === funder.address && books.phase === 'Funding') {
      await assert.rejects(pool.create(funder, create), (e: unknown) => refusedWith('OutsideTerms')(e) && /pool's terms/.test((e as ContractError).explanation));
    }

    if (books.phase === 'Funding') {
      assert.equal(await pool.withdrawable(consumer.address), amount);
      const back = await pool.withdraw(consumer);
      assert.equal(back.amount, amount);
      assert.deepEqual(eventNamed(back.events, 'ContributionReturned', 'pool').args, { contributor: consumer.address, amount });
      assert.deepEqual(await pool.books(), books);
    } else {
      await assert.rejects(pool.withdraw(consumer), refusedWith('Committed'));
    }
  });
});
