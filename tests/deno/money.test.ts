// Runs under `deno test` (node:test is Deno-compatible), proving analytics/ is web-standard code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { billedAmountMicros, divideCeil, divideRoundHalfUp, formatMicrosAsUsd } from '../../analytics/money.ts';

test('rounds exact halves up and everything else to the nearest integer', () => {
  assert.equal(divideRoundHalfUp(5n, 10n), 1n);
  assert.equal(divideRoundHalfUp(4n, 10n), 0n);
  assert.equal(divideRoundHalfUp(15n, 10n), 2n);
  assert.equal(divideRoundHalfUp(0n, 7n), 0n);
  assert.equal(divideRoundHalfUp(62_808_000n, 10_000n), 6281n);
});

test('ceils every started unit', () => {
  assert.equal(divideCeil(0n, 60_000n), 0n);
  assert.equal(divideCeil(1n, 60_000n), 1n);
  assert.equal(divideCeil(60_000n, 60_000n), 1n);
  assert.equal(divideCeil(60_001n, 60_000n), 2n);
});

test('bills a 61-second call with $0.005234 of provider cost at 20% markup and 1 cent a minute', () => {
  // 5234 * 1.2 = 6280.8 -> 6281; two started minutes at 10,000 -> 20,000; total 26,281.
  assert.equal(billedAmountMicros(5234n, 61_000n, { markupBps: 2000, feePerMinuteMicros: 10_000n }), 26_281n);
});

test('stays exact beyond 2^53', () => {
  const huge = 2n ** 60n;
  assert.equal(billedAmountMicros(huge, 0n, { markupBps: 0, feePerMinuteMicros: 0n }), huge);
});

test('refuses negative amounts instead of rounding them the wrong way', () => {
  assert.throws(() => divideRoundHalfUp(-5n, 10n), RangeError);
});

test('formats micro-USD as exact dollars, cents always, sub-cent digits only when present', () => {
  assert.equal(formatMicrosAsUsd(83_201), '$0.083201');
  assert.equal(formatMicrosAsUsd(1_200_000), '$1.20');
  assert.equal(formatMicrosAsUsd(1_234_567_890_000n), '$1,234,567.89');
  assert.equal(formatMicrosAsUsd(-21_500), '-$0.0215');
  assert.equal(formatMicrosAsUsd(0), '$0.00');
});
