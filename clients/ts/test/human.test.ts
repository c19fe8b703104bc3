// What a person reads: amounts in the chain's token and blocks with their
// expected time, offline (the clock and the token are given).
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { blockTimeFrom, duration, estimateBlockTime, formatAmount, formatBlock, formatDate, hex, parseAmount, topUpUntil, type ChainClock } from '../src/human.js';

const DOT = { decimals: 10, symbol: 'DOT' };
const clock: ChainClock = { block: 1_000, at: Date.UTC(2026, 11, 11, 14, 0, 0), msPerBlock: 6_000 };

describe('amounts', () => {
  test('are shown in the token with grouped digits and no trailing zeros', () => {
    assert.equal(formatAmount(12_345_000_000_000n, DOT), '1,234.5 DOT');
    assert.equal(formatAmount(1n, DOT), '0.0000000001 DOT');
    assert.equal(formatAmount(0n, DOT), '0 DOT');
    assert.equal(formatAmount(-25_000_000_000n, DOT), '-2.5 DOT');
    assert.equal(formatAmount(12_345_678_900n, DOT, 2), '1.23… DOT', 'cut digits are marked');
    assert.equal(formatAmount(1_000n, { decimals: 0, symbol: 'UNIT' }), '1,000 UNIT');
  });

  test('are read back exactly, and bad input is refused with the reason', () => {
    assert.equal(parseAmount('1,234.5', DOT), 12_345_000_000_000n);
    assert.equal(parseAmount('0.0000000001 DOT', DOT), 1n);
    assert.equal(parseAmount(' 20 dot ', DOT), 200_000_000_000n);
    assert.throws(() => parseAmount('0.00000000001', DOT), /11 decimals; DOT has 10/);
    assert.throws(() => parseAmount('-1', DOT), /not an amount/);
    assert.throws(() => parseAmount('1e5', DOT), /not an amount/);
    assert.throws(() => parseAmount('', DOT), /not an amount/);
    assert.throws(() => parseAmount('3 KSM', DOT), /in KSM, this chain's token is DOT/);
    for (const value of [0n, 1n, 10_000_000_000n, 123_456_789_012_345n]) {
      assert.equal(parseAmount(formatAmount(value, DOT).replace('…', ''), DOT), value, `round trip ${value}`);
    }
  });
});

describe('blocks', () => {
  test('carry the time they are expected at', () => {
    assert.equal(estimateBlockTime(1_600, clock), clock.at + 3_600_000);
    assert.equal(formatBlock(1_600, clock), 'block 1600 (≈ Fri 2026-12-11 15:00 UTC, in 1 h)');
    assert.equal(formatBlock(1_000 + 14_400 * 2 + 10, clock), 'block 29810 (≈ Sun 2026-12-13 14:01 UTC, in 2 d)');
    assert.equal(formatBlock(990, clock), 'block 990 (≈ Fri 2026-12-11 13:59 UTC, 1 min ago)');
    assert.equal(formatBlock(1_000, clock), 'block 1000 (≈ Fri 2026-12-11 14:00 UTC, now)');
  });

  test('on a chain without a block time say so instead of inventing a date', () => {
    const instant = { ...clock, msPerBlock: null };
    assert.equal(estimateBlockTime(1_600, instant), null);
    assert.equal(formatBlock(1_012, instant), 'block 1012 (in 12 blocks; this chain has no regular block time)');
    assert.equal(formatBlock(999, instant), 'block 999 (1 block ago; this chain has no regular block time)');
    assert.throws(() => topUpUntil(clock.at + 1, instant, 1_100, 5n), /no regular block time/);
  });

  test('a block time below a second is an instant-seal chain, not a pace', () => {
    assert.equal(blockTimeFrom([6_000, 0, 12_000]), 6_000, "Aura's slot first");
    assert.equal(blockTimeFrom([0, 0, 12_000]), 12_000, 'twice the minimum period');
    assert.equal(blockTimeFrom([0, 0, 2]), null, 'substrate-contracts-node --dev: 1 ms minimum period');
    assert.equal(blockTimeFrom([]), null);
  });

  test('"extend to date" asks for what the missing blocks cost', () => {
    // Runs out at block 1,100; Sunday 14:00 is 28,800 blocks ahead.
    const sunday = Date.UTC(2026, 11, 13, 14, 0, 0);
    assert.deepEqual(topUpUntil(sunday, clock, 1_100, 7n), { block: 29_800, amount: 7n * 28_700n });
    assert.deepEqual(topUpUntil(clock.at, clock, 1_100, 7n), { block: 1_000, amount: 0n }, 'already funded');
  });

  test('durations and dates read the same in every locale', () => {
    assert.equal(duration(0), '0 s');
    assert.equal(duration(40_000), '40 s');
    assert.equal(duration(3 * 3_600_000 + 5 * 60_000 + 7_000), '3 h 5 min');
    assert.equal(formatDate(Date.UTC(2027, 0, 1, 0, 5)), 'Fri 2027-01-01 00:05 UTC');
    assert.equal(hex([0, 255, 16]), '0x00ff10');
  });
});
