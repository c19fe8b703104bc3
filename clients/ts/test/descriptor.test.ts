// The catalogue of deployment types (types/) as the TypeScript client sees
// it: every example fares as its type's README says — the same table the
// reactor's Rust test reads, so ajv here and jsonschema there agree — and
// the hashes are coreutils' b2sum of the files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { blake2AsHex } from '@polkadot/util-crypto';
import { repoRoot } from './env.js';
import { checkDescriptor, descriptorFor, parseDescriptor } from '../src/index.js';

const catalogue = join(repoRoot, 'types');
const typeNames = readdirSync(catalogue).filter((name) => existsSync(join(catalogue, name, 'schema.json'))).sort();

/** The README's `| `examples/…` | outcome |` rows: 'valid', 'unparsable' or the pointer. */
function table(readme: string): [string, string][] {
  const rows: [string, string][] = [];
  for (const line of readme.split('\n')) {
    const match = /^\| `(examples\/[^`]+)` \| (valid|unparsable|invalid at `([^`]*)`)/.exec(line);
    if (match) rows.push([match[1]!, match[3] ?? match[2]!]);
  }
  return rows;
}

function b2sum(path: string): string {
  return `0x${execFileSync('b2sum', ['-l', '256', path], { encoding: 'utf8' }).split(' ')[0]}`;
}

describe('the catalogue of deployment types', () => {
  test('has the three types', () => {
    assert.deepEqual(typeNames, ['container', 'kube-manifest', 'substrate-node']);
  });

  for (const name of typeNames) {
    test(`${name}: every example fares as its README says`, () => {
      const dir = join(catalogue, name);
      const schema = readFileSync(join(dir, 'schema.json'), 'utf8');
      const rows = table(readFileSync(join(dir, 'README.md'), 'utf8'));
      const files = ['valid', 'invalid'].flatMap((kind) => readdirSync(join(dir, 'examples', kind)).map((f) => `examples/${kind}/${f}`)).sort();
      assert.deepEqual(rows.map(([file]) => file).sort(), files, 'the README lists every example');
      for (const [file, outcome] of rows) {
        const bytes = readFileSync(join(dir, file));
        const check = checkDescriptor(schema, bytes);
        assert.equal(check.hash, b2sum(join(dir, file)), `${file}: hash`);
        if (outcome === 'valid') {
          assert.deepEqual(check.violations, [], `${file}`);
          assert.equal(check.valid, true);
        } else if (outcome === 'unparsable') {
          assert.equal(check.valid, false);
          assert.match(check.violations[0]!.message, /^not (JSON|YAML)/, file);
        } else {
          assert.equal(check.valid, false, file);
          assert.ok(check.violations.some((v) => v.pointer === outcome), `${file}: expected a violation at ${JSON.stringify(outcome)}, got ${JSON.stringify(check.violations)}`);
        }
      }
    });

    test(`${name}: the schema's hash is its file's blake2-256`, () => {
      const path = join(catalogue, name, 'schema.json');
      assert.equal(blake2AsHex(readFileSync(path)), b2sum(path));
    });
  }

  test("create's argument only for a valid descriptor, at a URI the contract accepts", () => {
    const dir = join(catalogue, 'container');
    const schema = readFileSync(join(dir, 'schema.json'), 'utf8');
    const valid = checkDescriptor(schema, readFileSync(join(dir, 'examples/valid/static-site.json')));
    assert.deepEqual(descriptorFor(valid, 'ipfs://bafy/site.json'), { hash: valid.hash, uri: 'ipfs://bafy/site.json' });
    assert.throws(() => descriptorFor(valid, `https://example.org/${'a'.repeat(120)}`), /1 to 128 bytes/);
    assert.throws(() => descriptorFor(valid, 'ftp://example.org/x'), /must start with one of/);
    const invalid = checkDescriptor(schema, readFileSync(join(dir, 'examples/invalid/zero-cpu.json')));
    assert.throws(() => descriptorFor(invalid, 'https://example.org/x'), /not valid: at \/resources\/cpu/);
  });

  test('YAML and JSON parse to the same document; broken JSON is said to be JSON', () => {
    assert.deepEqual(parseDescriptor('{"a": [1, "x"]}'), parseDescriptor('a: [1, x]\n'));
    assert.throws(() => parseDescriptor('{"a": '), /^Error: not JSON/);
  });
});
