// A provider's status API (the reactor's `GET /subscriptions/{id}` and its
// logs), as the subscription's consumer calls it: every request signed by
// the consumer's sr25519 key over "<METHOD> <path and query> <block>",
// with a recent block of the chain. See reactor/README.md, "The status API",
// and the OpenAPI document a reactor serves at /openapi.json.

import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';

/** What a reactor says of a subscription it serves. */
export interface ProviderStatus {
  id: number;
  phase: 'pending' | 'refused' | 'starting' | 'running' | 'failed' | 'stopped';
  why?: string;
  health: 'up' | 'down' | 'starting' | 'none';
  type?: string;
  uris: string[];
  ports: number[];
  restarts: number;
  last_error?: string;
  ready_at?: number;
  end?: number;
}

/** The status API refused: its HTTP status and the reason it gave. */
export class StatusRefused extends Error {
  constructor(readonly status: number, readonly reason: string) {
    super(`the status API answered ${status}: ${reason}`);
    this.name = 'StatusRefused';
  }
}

/** The message a request signs. */
export function statusMessage(method: string, target: string, block: number): string {
  if (!/^[A-Z]+$/.test(method)) throw new Error(`method: ${JSON.stringify(method)} is not an HTTP method`);
  if (!target.startsWith('/')) throw new Error(`target: ${JSON.stringify(target)} does not start with /`);
  if (!Number.isInteger(block) || block < 0 || block > 0xffff_ffff) throw new Error(`block: ${block} is not a block number`);
  return `${method} ${target} ${block}`;
}

/** The three headers of a request signed by `pair` (an sr25519 key) at `block`. */
export function statusHeaders(pair: KeyringPair, method: string, target: string, block: number): Record<string, string> {
  if (pair.type !== 'sr25519') throw new Error(`the status API takes sr25519 signatures, not ${pair.type}`);
  const message = statusMessage(method, target, block);
  return {
    'x-dinfra-account': u8aToHex(pair.publicKey),
    'x-dinfra-block': String(block),
    'x-dinfra-signature': u8aToHex(pair.sign(new TextEncoder().encode(message))),
  };
}

async function signedGet(endpoint: string, target: string, pair: KeyringPair, block: number): Promise<Response> {
  const base = new URL(endpoint);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`endpoint: ${endpoint} is not http(s)`);
  const answer = await fetch(new URL(target, base), { headers: statusHeaders(pair, 'GET', target, block), redirect: 'error' });
  if (!answer.ok) {
    const text = await answer.text();
    let reason = text;
    try {
      reason = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: the text is the reason
    }
    throw new StatusRefused(answer.status, reason);
  }
  return answer;
}

function checkId(id: bigint | number): string {
  const value = BigInt(id);
  if (value < 0n || value >= 1n << 64n) throw new Error(`id: ${id} is not a subscription id`);
  return value.toString();
}

/** `GET /subscriptions/{id}` at the provider's `endpoint`, signed by the consumer at `block`. */
export async function providerStatus(endpoint: string, id: bigint | number, consumer: KeyringPair, block: number): Promise<ProviderStatus> {
  const answer = await signedGet(endpoint, `/subscriptions/${checkId(id)}`, consumer, block);
  return (await answer.json()) as ProviderStatus;
}

/** The last `lines` lines (1 to 1000) of the deployment's log. */
export async function providerLogs(endpoint: string, id: bigint | number, consumer: KeyringPair, block: number, lines = 100): Promise<string> {
  if (!Number.isInteger(lines) || lines < 1 || lines > 1000) throw new Error(`lines: ${lines} is not 1 to 1000`);
  const answer = await signedGet(endpoint, `/subscriptions/${checkId(id)}/logs?lines=${lines}`, consumer, block);
  return answer.text();
}
