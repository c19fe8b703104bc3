// The status API's requests as the client signs them: the documented
// message, headers the reactor reads, signatures that verify (the reactor's
// Rust tests verify polkadot.js signatures of the same message), and a
// refusal turned into StatusRefused — against a local HTTP server that
// checks what it receives as the reactor does.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { providerLogs, providerStatus, statusHeaders, statusMessage, StatusRefused } from '../src/index.js';

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');

describe('status API requests', () => {
  test('the message and headers are the documented ones and the signature verifies', () => {
    assert.equal(statusMessage('GET', '/subscriptions/7', 100), 'GET /subscriptions/7 100');
    const headers = statusHeaders(alice, 'GET', '/subscriptions/7', 100);
    assert.equal(headers['x-dinfra-account'], u8aToHex(alice.publicKey));
    assert.equal(headers['x-dinfra-block'], '100');
    assert.match(headers['x-dinfra-signature']!, /^0x[0-9a-f]{128}$/);
    const check = signatureVerify('GET /subscriptions/7 100', hexToU8a(headers['x-dinfra-signature']), alice.address);
    assert.ok(check.isValid);
    assert.equal(check.crypto, 'sr25519');
    assert.throws(() => statusMessage('GET', 'subscriptions/7', 1), /does not start with \//);
    assert.throws(() => statusMessage('GET', '/x', -1), /not a block number/);
    const ed = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
    assert.throws(() => statusHeaders(ed, 'GET', '/x', 1), /sr25519/);
  });

  test('status and logs are fetched signed, and a refusal says why', async () => {
    // Answers Alice only, after checking her signature over the target.
    const server = createServer((request, response) => {
      const account = String(request.headers['x-dinfra-account']);
      const block = String(request.headers['x-dinfra-block']);
      const signature = String(request.headers['x-dinfra-signature']);
      const signed = signatureVerify(`GET ${request.url} ${block}`, hexToU8a(signature), account).isValid;
      if (!signed) return response.writeHead(401).end(JSON.stringify({ error: 'bad signature' }));
      if (account !== u8aToHex(alice.publicKey)) return response.writeHead(403).end(JSON.stringify({ error: 'not the consumer' }));
      if (request.url === '/subscriptions/7') {
        return response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 7, phase: 'running', health: 'up', uris: ['wss://x:1'], ports: [1], restarts: 0 }),
        );
      }
      if (request.url === '/subscriptions/7/logs?lines=2') return response.writeHead(200).end('a\nb\n');
      response.writeHead(404).end(JSON.stringify({ error: 'not served here' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const status = await providerStatus(endpoint, 7n, alice, 100);
      assert.equal(status.phase, 'running');
      assert.deepEqual(status.uris, ['wss://x:1']);
      assert.equal(await providerLogs(endpoint, 7, alice, 100, 2), 'a\nb\n');
      await assert.rejects(providerStatus(endpoint, 7, bob, 100), (e: unknown) => e instanceof StatusRefused && e.status === 403 && e.reason === 'not the consumer');
      await assert.rejects(providerStatus(endpoint, 8, alice, 100), (e: unknown) => e instanceof StatusRefused && e.status === 404);
      await assert.rejects(providerLogs(endpoint, 7, alice, 100, 0), /lines: 0/);
      await assert.rejects(providerStatus('ftp://x', 7, alice, 1), /not http/);
    } finally {
      server.close();
    }
  });
});
