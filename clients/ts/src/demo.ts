// The main job against a real node: one whole subscription, from a
// provider's registration to the consumer's refund — the same steps and
// output as the embedded-chain demo (e2e-tests/src/bin/demo.rs) — printing
// every step with its block number, the events the contracts emitted and the
// balances that moved.
//
//   npx tsx src/demo.ts --url ws://127.0.0.1:9944 --suri //Alice --deployment ../../deploy/deployments/local.json \
//       [--reactor ../../target/reactor/debug/dinfra-reactor [--serve 'command with {port}']]
//
// With --reactor the provider's side is the reactor binary: it deploys what
// the award describes (by default a substrate-contracts-node --dev on a port
// of its own, or --serve's command), marks it ready when it answers, claims
// every 50 blocks and at the end, and stops it at the end block. Without it
// the demo sends the provider's mark_ready and claim itself.

import type { KeyringPair } from '@polkadot/keyring/types';
import { blake2AsHex } from '@polkadot/util-crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { accountFromSuri, fund } from './accounts.js';
import { Dinfra, type TxResult } from './dinfra.js';
import { loadBundledDeployment } from './files.js';
import { formatEvent } from './events.js';
import { formatGovernance } from './governance.js';
import { chainClock, chainToken, formatAmount, formatBlock } from './human.js';
import { ProviderReactor, rpcAnswer, waitFor } from './reactor.js';

/** Price per block of the provider's offer. */
const RATE = 1_000_000n;
/** The consumer's first deposit: 200 blocks. */
const DEPOSIT = 200n * RATE;
/** The consumer's top-up: 100 more blocks. */
const TOP_UP = 100n * RATE;
/** The deployment type: the catalogue's (types/substrate-node). */
const TYPE_NAME = 'substrate-node';
/** The consumer's descriptor, from the catalogue's examples: a dev-chain RPC node. */
const DESCRIPTOR_EXAMPLE = 'examples/valid/contracts-dev.json';

const USAGE =
  'usage: npx tsx src/demo.ts --url ws://127.0.0.1:9944 --suri //Alice --deployment <deploy/deployments/NAME.json> [--fund TOKENS] [--root REPO] ' +
  "[--reactor <dinfra-reactor binary> [--serve '<command with {port}>']]";
/** What the reactor runs for a "substrate-node" award by default: a dev node
 * with its RPC on the allocated port and p2p on any free one. */
const SERVE_NODE =
  'exec substrate-contracts-node --dev --tmp --rpc-port {port} --listen-addr /ip4/127.0.0.1/tcp/0 --no-prometheus --no-telemetry --no-hardware-benchmarks';
/** The reactor claims every this many blocks. */
const CLAIM_PERIOD = 50;

class Demo {
  readonly #last = new Map<string, bigint>();
  constructor(
    readonly dinfra: Dinfra,
    /** Pays for the remarks that make blocks pass. */
    readonly funder: KeyringPair,
    readonly watched: [string, string][],
  ) {}

  /** `what`, done by `signer` at `tx`'s block: its events and the balances
   * that moved (the signer's with the fee and storage deposit it paid). */
  async step(tx: TxResult, signer: string, what: string): Promise<void> {
    console.log(`\n[block ${pad(tx.blockNumber, 4)}] ${what}`);
    for (const event of tx.events) console.log(`    event  ${formatEvent(event)}`);
    await this.balances({ name: signer, fee: tx.fee, deposit: tx.storageDeposit });
  }

  /** Prints each watched balance that changed since last time. */
  async balances(paid?: { name: string; fee: bigint; deposit: bigint }): Promise<void> {
    for (const [name, address] of this.watched) {
      const now = await this.dinfra.freeBalance(address);
      const before = this.#last.get(address) ?? now;
      this.#last.set(address, now);
      if (now === before) continue;
      const delta = now - before;
      const token = chainToken(this.dinfra.api);
      const money = (v: bigint) => formatAmount(v, token);
      const costs = paid?.name === name ? `; fee ${money(paid.fee)}${paid.deposit !== 0n ? `, storage deposit ${money(paid.deposit)}` : ''}` : '';
      console.log(`    balance ${name.padEnd(9)} ${money(now).padStart(28)}  (${delta > 0n ? '+' : ''}${money(delta)}${costs})`);
    }
  }

  /** Makes `n` blocks pass; on an instant-seal node each is a remark. */
  async blocksPass(n: number): Promise<number> {
    const target = (await this.dinfra.bestNumber()) + n;
    return this.blocksUntil(target);
  }

  async blocksUntil(target: number): Promise<number> {
    const from = await this.dinfra.bestNumber();
    if (target <= from) return from;
    const { reached, remarks } = await this.dinfra.advanceTo(target, this.funder);
    const how = remarks === reached - from ? 'the node seals a block per transaction' : 'the chain also makes blocks by itself';
    console.log(`\n[block ${pad(reached, 4)}] ${reached - from} blocks pass (${remarks} remarks sent by the funder: ${how})`);
    return reached;
  }
}

function pad(value: number | bigint, width: number): string {
  return value.toString().padStart(width);
}

async function main(): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      suri: { type: 'string' },
      deployment: { type: 'string' },
      fund: { type: 'string', default: '100' },
      root: { type: 'string' },
      reactor: { type: 'string' },
      serve: { type: 'string', default: SERVE_NODE },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.url || !values.suri || !values.deployment) throw new Error(`--url, --suri and --deployment are required\n${USAGE}`);
  if (!/^\d+$/.test(values.fund!)) throw new Error(`--fund must be a whole number of tokens, got ${values.fund}`);

  // The demo runs from the repository: the ABIs are the bundles in
  // artifacts/ the deployment names, the catalogue is types/ beside them.
  const loaded = loadBundledDeployment(values.deployment, values.root);
  const dinfra = await Dinfra.connect(values.url, loaded);
  const reactor = values.reactor ? { binary: values.reactor, command: values.serve!, deployment: values.deployment } : null;
  try {
    await run(dinfra, loaded.root, values.url, values.suri, BigInt(values.fund!), started, reactor);
  } finally {
    await dinfra.disconnect();
  }
}

async function run(
  dinfra: Dinfra,
  root: string,
  url: string,
  suri: string,
  fundTokens: bigint,
  started: number,
  reactorOptions: { binary: string; command: string; deployment: string } | null,
): Promise<void> {
  const { api } = dinfra;
  const { deployment } = dinfra.loaded;
  const funder = await accountFromSuri(suri);
  const runId = Date.now().toString(36);
  const base = `${suri}//dinfra-demo//${runId}`;
  const [provider, consumer, keeper] = await Promise.all(['provider', 'consumer', 'keeper'].map((role) => accountFromSuri(`${base}//${role}`)));
  const providerSuri = `${base}//provider`;
  const minBond = (await dinfra.registryParameters()).minBond;
  const [chain, nodeName, nodeVersion] = await Promise.all([api.rpc.system.chain(), api.rpc.system.name(), api.rpc.system.version()]);

  console.log(`DINFRA demo on a node: ${nodeName} ${nodeVersion}, chain "${chain}" at ${url}, deployment "${deployment.name}"`);
  for (const name of ['registry', 'award', 'subscription', 'escrow'] as const) console.log(`  ${name.padEnd(12)} ${dinfra.address(name)}`);
  console.log(`  funder ${funder.address} (${suri})\n  provider ${provider!.address}\n  consumer ${consumer!.address}\n  keeper ${keeper!.address}`);
  console.log(`  fresh accounts derived as ${base}//<role>`);
  // What connect checked: every contract's delay is above the consumer
  // notice, so a consumer can always leave before a scheduled change applies.
  console.log(`  governance at block ${dinfra.governance.block} (consumer notice at most half of every delay):`);
  for (const line of formatGovernance(dinfra.governance)) console.log(`    ${line}`);

  const demo = new Demo(dinfra, funder, [
    ['provider', provider!.address],
    ['consumer', consumer!.address],
    ['keeper', keeper!.address],
    ['escrow', dinfra.address('escrow')],
  ]);
  await demo.balances();
  const decimals = api.registry.chainDecimals[0] ?? 12;
  const amount = fundTokens * 10n ** BigInt(decimals);
  const funded = await fund(api, funder, [provider!.address, consumer!.address, keeper!.address], amount);
  console.log(`\n[block ${pad(funded.blockNumber, 4)}] the funder sends ${amount} (${fundTokens} ${api.registry.chainTokens[0] ?? 'tokens'}) to each fresh account`);
  await demo.balances();

  const typeDir = join(root, 'types', TYPE_NAME);
  const schemaPath = join(typeDir, 'schema.json');
  const schemaHash = blake2AsHex(readFileSync(schemaPath));
  let typeId = await dinfra.typeIdByName(TYPE_NAME);
  if (typeId === null) {
    const registered = await dinfra.registerType(provider!, TYPE_NAME, schemaHash);
    typeId = registered.typeId;
    await demo.step(registered, 'provider', `provider registers deployment type ${typeId} "${TYPE_NAME}" (the catalogue's schema, blake2-256 ${schemaHash})`);
  } else {
    const onChain = await dinfra.deploymentType(typeId);
    if (onChain?.schemaHash !== schemaHash) {
      throw new Error(`type ${typeId} "${TYPE_NAME}" is registered with schema ${onChain?.schemaHash}, not the catalogue's ${schemaHash} (${schemaPath}): a reactor would refuse its awards`);
    }
    console.log(`\n[block ${pad(await dinfra.bestNumber(), 4)}] deployment type ${typeId} "${TYPE_NAME}" is registered already, with the catalogue's schema: reused`);
  }
  const descriptorBody = readFileSync(join(typeDir, DESCRIPTOR_EXAMPLE), 'utf8');

  const registered = await dinfra.registerProvider(provider!, {
    name: 'Hetzner EU',
    endpoint: 'wss://rpc.hetzner-eu.example',
    attributes: [
      { key: 'region', value: 'eu-west' },
      { key: 'network', value: 'hetzner' },
    ],
    bond: minBond,
  });
  await demo.step(registered, 'provider', `provider registers with a bond of ${minBond}`);

  const published = await dinfra.publishOffer(provider!, typeId, { pricePerBlock: RATE, capacity: 4, minDuration: 50, noticeBlocks: 20, pricing: 'Fixed' });
  const offerId = published.offerId;
  await demo.step(published, 'provider', `provider publishes offer ${offerId}: ${RATE} per block, at least 50 blocks, 20 blocks' notice`);

  let reactor: ProviderReactor | null = null;
  if (reactorOptions) {
    reactor = ProviderReactor.start({
      ...reactorOptions,
      url,
      providerSuri,
      typeName: TYPE_NAME,
      schema: schemaPath,
      // A node serves JSON-RPC over WebSocket and HTTP on its RPC port.
      access: ['ws://{host}:{port}', 'http://{host}:{port}'],
      claimPeriod: CLAIM_PERIOD,
      firstPort: 32000,
    });
    console.log(`\n[block ${pad(await dinfra.bestNumber(), 4)}] the provider starts its reactor (${reactorOptions.binary}, in ${reactor.dir}): "${TYPE_NAME}" awards run \`${reactorOptions.command}\``);
  }
  try {
    await subscription(dinfra, demo, dinfra.governance.parameters.consumerNotice, { provider: provider!, consumer: consumer!, keeper: keeper! }, typeId, offerId, descriptorBody, reactor);
  } finally {
    if (reactor) {
      const code = await reactor.stop();
      console.log(`\n[block ${pad(await dinfra.bestNumber(), 4)}] the provider stops its reactor (SIGTERM): exit code ${code}`);
    }
  }
  console.log(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** One subscription from the consumer's request to its settlement; the
 * provider's side is `reactor` when there is one. */
async function subscription(
  dinfra: Dinfra,
  demo: Demo,
  notice: number,
  who: { provider: KeyringPair; consumer: KeyringPair; keeper: KeyringPair },
  typeId: number,
  offerId: bigint,
  descriptorBody: string,
  reactor: ProviderReactor | null,
): Promise<void> {
  const { provider, consumer, keeper } = who;
  await demo.blocksPass(3);
  const descriptorUri = reactor ? reactor.publish('descriptor.json', descriptorBody) : 'ipfs://bafy-substrate-rpc-node';
  const created = await dinfra.create(consumer!, {
    typeId,
    descriptor: { hash: blake2AsHex(descriptorBody), uri: descriptorUri },
    requirements: {
      maxPricePerBlock: 2n * RATE,
      requiredAttributes: [{ key: 'region', value: 'eu-west' }],
      excludedAttributes: [{ key: 'network', value: 'aws' }],
      minDuration: 100,
      // The chain may hold offers of earlier runs: ask for this run's provider.
      preferredProviders: [provider!.address],
      preferredOnly: true,
    },
    deposit: DEPOSIT,
  });
  const id = created.id;
  await demo.step(
    created,
    'consumer',
    `consumer creates subscription ${id} (region=eu-west, not network=aws, ≤ ${2n * RATE} per block, this run's provider only), depositing ${DEPOSIT}`,
  );

  let readyAt: number;
  /** The deployment's JSON-RPC URL, from the access record on chain. */
  let rpcUrl: string | null = null;
  if (reactor) {
    readyAt = await waitFor('the reactor marked the deployment ready', 180, async () => (await dinfra.details(id))?.subscription.readyAt);
    const served = reactor.served(id);
    const access = (await dinfra.details(id))?.access?.uris ?? [];
    console.log(`\n[block ${pad(readyAt, 4)}] the reactor deployed it (pid ${served?.pid}) and marked it ready, publishing its access record: ${access.join(', ') || 'none'}; billing starts`);
    rpcUrl = access.find((uri) => uri.startsWith('http://') || uri.startsWith('https://')) ?? null;
    const answer = rpcUrl ? await rpcAnswer(rpcUrl) : null;
    console.log(`    the consumer reaches its deployment at ${rpcUrl ?? '(no http URI published)'}: ${answer ?? 'no JSON-RPC answer'}`);
    await demo.balances();
  } else {
    await demo.blocksPass(5);
    const ready = await dinfra.markReady(provider!, id, ['wss://rpc.hetzner-eu.example:443']);
    await demo.step(ready, 'provider', "provider's agent deployed it and marks it ready: billing starts");
    readyAt = ready.blockNumber;
  }

  await demo.blocksUntil(readyAt + 60);
  let details = (await dinfra.details(id))!;
  const now = await dinfra.bestNumber();
  const token = chainToken(dinfra.api);
  const money = (v: bigint) => formatAmount(v, token);
  const runsOut = async (block: number | null) =>
    block === null ? 'the money lasts to the end block' : `the money runs out at ${formatBlock(block, await chainClock(dinfra.api))}`;
  console.log(
    `\n[block ${pad(now, 4)}] ${now - readyAt} blocks later, details(${id}): accrued ${money(details.figures.accrued)}, withdrawn ${money(details.figures.withdrawn)}, ` +
      `withdrawable ${money(details.figures.withdrawable)}, refundable ${money(details.figures.refundable)}, ${await runsOut(details.figures.depletionBlock ?? null)}`,
  );
  if (reactor) {
    const withdrawn = await waitFor(`the reactor's claim ${CLAIM_PERIOD} blocks after ready`, 30, async () => (await dinfra.details(id))!.figures.withdrawn);
    console.log(`\n[block ${pad(await dinfra.bestNumber(), 4)}] the reactor claimed ${money(withdrawn)} so far (it claims every ${CLAIM_PERIOD} blocks)`);
    await demo.balances();
  } else {
    const claimed = await dinfra.claim(provider!, id);
    await demo.step(claimed, 'provider', `provider claims ${money(claimed.amount)}`);
  }

  const toppedUp = await dinfra.topUp(consumer!, id, TOP_UP);
  await demo.step(toppedUp, 'consumer', `consumer tops up ${money(TOP_UP)}`);
  details = (await dinfra.details(id))!;
  console.log(`    now ${await runsOut(details.figures.depletionBlock ?? null)}`);

  await demo.blocksPass(40);
  const cancelled = await dinfra.cancel(consumer!, id);
  await demo.step(cancelled, 'consumer', `consumer cancels: billing ends after its notice of ${notice} blocks`);

  // settle is refused before the end block; the dry run runs at the best block.
  const end = (await dinfra.details(id))!.figures.end!;
  if (reactor) {
    await demo.blocksUntil(end - 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log(`    at block ${end - 1} the deployment still answers at ${rpcUrl}: ${rpcUrl ? ((await rpcAnswer(rpcUrl)) ?? 'no') : 'no URI'}`);
  }
  await demo.blocksUntil(end);
  if (reactor) {
    const phase = await waitFor('the reactor stopped the deployment', 60, async () => {
      const served = reactor.served(id);
      return served && served.phase !== 'running' ? served.phase : null;
    });
    console.log(`\n[block ${pad(await dinfra.bestNumber(), 4)}] the reactor stopped the deployment at the end block ${end} (its phase: ${phase}); ${rpcUrl} answers: ${rpcUrl ? ((await rpcAnswer(rpcUrl)) ?? 'no') : 'no URI'}`);
    await demo.balances();
  }
  const settled = await dinfra.settle(keeper!, id);
  await demo.step(settled, 'keeper', 'a keeper settles: the provider is paid to the end block, the consumer refunded the rest');

  const withdrawn = await dinfra.withdrawOffer(provider!, offerId);
  await demo.step(withdrawn, 'provider', `provider withdraws offer ${offerId} (so later runs find only their own)`);

  const d = (await dinfra.details(id))!;
  const { deposited, withdrawn: paid, refunded, held } = d.figures;
  console.log(
    `\nsummary: subscription ${id} ${d.subscription.phase} (${d.subscription.closed ?? 'open'}); deposited ${money(deposited)}, paid to the provider ${money(paid)}, ` +
      `refunded to the consumer ${money(refunded)}, left in escrow ${money(held)}; escrow total_held ${money(await dinfra.totalHeld())}`,
  );
  if (deposited !== paid + refunded || held !== 0n) {
    throw new Error(`money not conserved: deposited ${deposited} ≠ paid ${paid} + refunded ${refunded} (held ${held})`);
  }
  const expected = d.subscription.ratePerBlock * BigInt(end - readyAt);
  if (paid !== expected) throw new Error(`paid ${paid}, not rate × (end ${end} − ready ${readyAt}) = ${expected}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
