// The node: connecting, sending an extrinsic and waiting for its block,
// balances, and making blocks pass.

import '@polkadot/api-augment';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Signer as InjectedSigner } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { CallFailed } from './errors.js';

/** Who signs: a keyring pair, or an address with an injected signer (a
 * browser extension's). */
export type Signer = KeyringPair | { address: string; signer: InjectedSigner };

/** An extrinsic in a block. */
export interface Included {
  blockHash: string;
  blockNumber: number;
  txHash: string;
  /** The extrinsic's own event records (not the whole block's). */
  records: EventRecord[];
  /** What the signer paid in fees (`transactionPayment.TransactionFeePaid`). */
  fee: bigint;
}

/** Connects to `url`; fails after `timeoutMs` (or at the first socket
 * error) with a message naming the url, instead of retrying for ever. */
export async function connectApi(url: string, timeoutMs = 15_000): Promise<ApiPromise> {
  if (!/^wss?:\/\//.test(url)) throw new TypeError(`node url must start with ws:// or wss://, got ${url}`);
  const provider = new WsProvider(url, 1_000, {}, timeoutMs);
  let cleanup = (): void => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const offError = provider.on('error', (error: unknown) =>
        reject(new Error(error instanceof Error ? error.message : 'connection refused')),
      );
      cleanup = () => {
        clearTimeout(timer);
        offError();
      };
      provider.isReady.then(() => resolve(), reject);
    });
  } catch (error) {
    cleanup();
    await provider.disconnect().catch(() => undefined);
    throw new Error(`cannot reach a node at ${url}: ${(error as Error).message}`);
  }
  cleanup();
  return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
}

/** `section.Name` of a dispatch error, e.g. `contracts.StorageDepositLimitExhausted`. */
export function dispatchErrorName(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return error.type === 'Token' || error.type === 'Arithmetic' ? `${error.type}.${error.value.toString()}` : error.type;
}

/** Signs and sends `tx`; resolves once it is in a block. A failed dispatch,
 * a dropped or invalid transaction, or no block within `timeoutMs` rejects. */
export function submit(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: Signer, label: string, timeoutMs = 60_000): Promise<Included> {
  return new Promise<Included>((resolve, reject) => {
    let finished = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (outcome: () => void): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unsubscribe?.();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new CallFailed(undefined, label, `not in a block within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const sent =
      'signer' in signer
        ? tx.signAndSend(signer.address, { signer: signer.signer }, onStatus)
        : tx.signAndSend(signer, onStatus);
    sent.then(
      (unsub) => (finished ? unsub() : (unsubscribe = unsub)),
      (error: Error) => finish(() => reject(new CallFailed(undefined, label, `not accepted by the node: ${error.message}`))),
    );

    function onStatus(result: { status: any; dispatchError?: DispatchError; events: EventRecord[]; txHash: { toHex(): string } }): void {
      const { status } = result;
      if (status.isInBlock) {
        finish(() => {
          if (result.dispatchError) {
            reject(new CallFailed(undefined, label, `the extrinsic failed: ${dispatchErrorName(api, result.dispatchError)}`));
            return;
          }
          const blockHash = status.asInBlock.toHex();
          api.rpc.chain.getHeader(blockHash).then(
            (header) =>
              resolve({
                blockHash,
                blockNumber: header.number.toNumber(),
                txHash: result.txHash.toHex(),
                records: result.events,
                fee: feePaid(result.events),
              }),
            reject,
          );
        });
      } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
        finish(() => reject(new CallFailed(undefined, label, `transaction ${status.type}`)));
      }
    }
  });
}

function feePaid(records: EventRecord[]): bigint {
  let fee = 0n;
  for (const { event } of records) {
    if (event.section === 'transactionPayment' && event.method === 'TransactionFeePaid') {
      fee += BigInt(event.data[1]!.toString());
    }
  }
  return fee;
}

export async function bestNumber(api: ApiPromise): Promise<number> {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

export async function freeBalance(api: ApiPromise, address: string): Promise<bigint> {
  const account = await api.query.system.account(address);
  return BigInt(account.data.free.toString());
}

/** Makes blocks pass until the best block is at least `target`, by sending
 * `system.remark`s signed by `signer`: an instant-seal node (such as
 * `substrate-contracts-node --dev`) makes a block only when a transaction
 * comes; on a chain that makes blocks by itself each remark just waits for
 * one. Returns the best block reached and how many remarks it took. */
export async function advanceTo(api: ApiPromise, target: number, signer: Signer): Promise<{ reached: number; remarks: number }> {
  let reached = await bestNumber(api);
  let remarks = 0;
  while (reached < target) {
    const included = await submit(api, api.tx.system.remark(`dinfra: block ${reached + 1}`), signer, 'system.remark');
    remarks += 1;
    reached = Math.max(included.blockNumber, await bestNumber(api));
  }
  return { reached, remarks };
}

/** Transfers `amount` from `from` to `to`, keeping `from` alive. */
export async function transfer(api: ApiPromise, from: Signer, to: string, amount: bigint): Promise<Included> {
  return submit(api, api.tx.balances.transferKeepAlive(to, amount), from, 'balances.transferKeepAlive');
}
