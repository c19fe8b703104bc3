// A dApp page's import of the client, bundled with esbuild for the browser
// (test/package.sh): the main entry must bundle with no Node built-in. When
// bundled as an IIFE it also runs, offline, where Node's globals are not
// (consumer.test.mjs runs it in a bare V8 context): it leaves what it
// found in globalThis.dinfraCheck, as JSON.
import { CONTRACT_NAMES, createArgs, decodeEvents, Dinfra, loadSuite, METADATA, metadataAbi } from '@dinfra/client';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const hex = (bytes) => `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;

const escrow = METADATA.escrow;
const endScheduled = escrow.spec.events.find((e) => e.label === 'EndScheduled');
const events = decodeEvents(
  [{
    event: { section: 'contracts', method: 'ContractEmitted', data: [ALICE, Uint8Array.from([7, 0, 0, 0, 0, 0, 0, 0, 150, 0, 0, 0])] },
    topics: [{ toHex: () => endScheduled.signature_topic }],
  }],
  new Map([[ALICE, { name: 'escrow', abi: metadataAbi('escrow') }]]),
);
const args = createArgs({
  typeId: 2,
  descriptor: { hash: `0x${'ab'.repeat(32)}`, uri: 'ipfs://bafy…/sité.json' },
  requirements: { maxPricePerBlock: 5n },
});
const suite = loadSuite({
  name: 'page', url: 'wss://node.example', genesis_hash: `0x${'11'.repeat(32)}`, deployer: ALICE, block: 1,
  contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { address: ALICE, code_hash: `0x${'22'.repeat(32)}` }])),
  parameters: { min_bond: 1, unbonding_blocks: 1, max_candidates: 20, ready_timeout: 1, consumer_notice: 1, governance_delay: 2 },
});

globalThis.dinfraCheck = JSON.stringify({
  connect: typeof Dinfra.connect,
  offerCall: hex(metadataAbi('registry').findMessage('offer').toU8a([7])),
  event: events.map((e) => ({ contract: e.contract, name: e.name, id: String(e.args.id), end: e.args.end })),
  createArgs: args.length,
  suite: Object.keys(suite.abis),
});
