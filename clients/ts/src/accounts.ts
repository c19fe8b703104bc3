// Accounts from secret URIs, and funding fresh ones.

import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { submit, type Included, type Signer } from './chain.js';

/** An sr25519 key pair from a secret URI: `//Alice`, a mnemonic, or either
 * with a derivation path (`//Alice//dinfra-demo//consumer`). */
export async function accountFromSuri(suri: string, ss58Format = 42): Promise<KeyringPair> {
  if (typeof suri !== 'string' || suri.trim() === '') throw new TypeError('a secret URI (--suri) is required, e.g. //Alice');
  await cryptoWaitReady();
  try {
    return new Keyring({ type: 'sr25519', ss58Format }).addFromUri(suri);
  } catch (error) {
    throw new Error(`not a valid secret URI: ${(error as Error).message}`);
  }
}

/** Sends `amount` from `funder` to each of `to` in one block (`utility.batchAll`). */
export async function fund(api: ApiPromise, funder: Signer, to: string[], amount: bigint): Promise<Included> {
  if (to.length === 0) throw new RangeError('no account to fund');
  const transfers = to.map((address) => api.tx.balances.transferKeepAlive(address, amount));
  const tx = transfers.length === 1 ? transfers[0]! : api.tx.utility.batchAll(transfers);
  return submit(api, tx, funder, `funding ${to.length} account(s)`);
}
