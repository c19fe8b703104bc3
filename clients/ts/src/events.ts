// Contract events out of a block's event records, decoded with the ABI of
// the contract that emitted them. ink! 5 events carry their signature topic
// (blake2 of the event's signature) as the first topic; `Abi.decodeEvent`
// matches on it, so two events of the same name in different contracts
// (escrow's and subscription's `EndScheduled`) are never confused.

import type { Abi } from '@polkadot/api-contract';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { plain, show, type Plain } from './codec.js';
import type { ContractLabel } from './deployment.js';

export interface ContractEvent {
  /** The contract that emitted it. */
  contract: ContractLabel;
  address: string;
  /** The event's name in the metadata: `Awarded`, `StreamOpened` … */
  name: string;
  /** Its fields by camelCase name, as plain values (see `plain`). */
  args: Record<string, Plain>;
  /** The same fields as codecs. */
  codecs: Record<string, Codec>;
}

/** What `decodeEvents` needs of an event record (a real `EventRecord`
 * from `api.query.system.events` or a tx result has it). */
export interface EmittedRecord {
  event: { section: string; method: string; data: ArrayLike<unknown> };
  topics: ArrayLike<{ toHex(): string }>;
}

export type ContractsByAddress = Map<string, { name: ContractLabel; abi: Abi }>;

/** Decodes every `contracts.ContractEmitted` record emitted by one of
 * `contracts`; events of other contracts are skipped. An event a known
 * contract emitted that its ABI cannot decode throws: the bundles do not
 * match the deployed code. */
export function decodeEvents(records: readonly (EventRecord | EmittedRecord)[], contracts: ContractsByAddress): ContractEvent[] {
  const out: ContractEvent[] = [];
  for (const record of records) {
    const { section, method, data } = record.event;
    if (section !== 'contracts' || method !== 'ContractEmitted') continue;
    const address = String(data[0]);
    const known = contracts.get(address);
    if (!known) continue;
    let decoded;
    try {
      decoded = known.abi.decodeEvent(record as EventRecord);
    } catch (error) {
      throw new Error(`an event of ${known.name} (${address}) does not decode with its bundle: ${(error as Error).message}`);
    }
    const args: Record<string, Plain> = {};
    const codecs: Record<string, Codec> = {};
    decoded.event.args.forEach((param, i) => {
      const codec = decoded.args[i]!;
      codecs[param.name] = codec;
      args[param.name] = plain(codec);
    });
    out.push({ contract: known.name, address, name: decoded.event.identifier.split('::').pop()!, args, codecs });
  }
  return out;
}

/** The events named `name` (of `contract`, if given). */
export function eventsNamed(events: readonly ContractEvent[], name: string, contract?: ContractLabel): ContractEvent[] {
  return events.filter((e) => e.name === name && (contract === undefined || e.contract === contract));
}

/** The one event named `name`; throws if there is none. */
export function eventNamed(events: readonly ContractEvent[], name: string, contract?: ContractLabel): ContractEvent {
  const found = eventsNamed(events, name, contract)[0];
  if (!found) {
    const seen = events.map((e) => `${e.contract}.${e.name}`).join(', ') || 'none';
    throw new Error(`expected a ${contract ? `${contract}.` : ''}${name} event; the call emitted: ${seen}`);
  }
  return found;
}

/** `subscription: Awarded { id: 0, provider: 5F…, … }` */
export function formatEvent(event: ContractEvent): string {
  const fields = Object.entries(event.args).map(([k, v]) => `${k}: ${show(v)}`);
  return `${event.contract}: ${event.name} { ${fields.join(', ')} }`;
}
