// Property tests of the money arithmetic (analytics/money.ts) with fast-check, fixed seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder, billedAmountMicros, divideRoundHalfUpSigned, maxStoredMicros, storableBilledAmount, type AllocationItem } from '../../analytics/money.ts';

const seed = 20261127;
const runs = 2_000;

const item = fc.record({
  customerId: fc.stringMatching(/^[a-c]{1,2}$/),
  callId: fc.stringMatching(/^c[0-9]{1,3}$/),
  weight: fc.bigInt({ min: 0n, max: 10n ** 12n }),
});
const items = fc.uniqueArray(item, { minLength: 1, maxLength: 40, selector: (i) => `${i.customerId}/${i.callId}` });
const total = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe('allocateLargestRemainder', () => {
  it('always sums exactly to the total and never goes negative', () => {
    fc.assert(
      fc.property(total, items, (t, list) => {
        const parts = allocateLargestRemainder(t, list);
        expect(parts.reduce((sum, p) => sum + p.part, 0n)).toBe(t);
        expect(parts.every((p) => p.part >= 0n)).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });

  it('does not depend on the order of its input', () => {
    fc.assert(
      fc.property(total, items, fc.integer(), (t, list, shuffleSeed) => {
        const shuffled = [...list].sort((a, b) => ((a.callId.length * 31 + shuffleSeed) % 7) - ((b.callId.length * 31 + shuffleSeed) % 7) || (a.callId < b.callId ? 1 : -1));
        const key = (p: AllocationItem & { part: bigint }) => `${p.customerId}/${p.callId}=${p.part}`;
        expect(allocateLargestRemainder(t, shuffled).map(key).sort()).toEqual(allocateLargestRemainder(t, list).map(key).sort());
      }),
      { seed, numRuns: runs },
    );
  });

  it('gives each part its floor or one more, in proportion to the weights', () => {
    fc.assert(
      fc.property(total, items, (t, list) => {
        const weightSum = list.reduce((sum, i) => sum + i.weight, 0n);
        for (const p of allocateLargestRemainder(t, list)) {
          const exactFloor = weightSum === 0n ? t / BigInt(list.length) : (t * p.weight) / weightSum;
          expect(p.part === exactFloor || p.part === exactFloor + 1n).toBe(true);
        }
      }),
      { seed, numRuns: runs },
    );
  });

  it('hands leftover micros to the largest remainders, ties by customer then call', () => {
    // 100 over weights 1,1,1: 33 each, one micro left; equal remainders, so the first by customer_id, call_id.
    const parts = allocateLargestRemainder(100n, [
      { customerId: 'b', callId: 'x', weight: 1n },
      { customerId: 'a', callId: 'z', weight: 1n },
      { customerId: 'a', callId: 'y', weight: 1n },
    ]);
    expect(parts.map((p) => [p.customerId, p.callId, p.part])).toEqual([
      ['a', 'y', 34n],
      ['a', 'z', 33n],
      ['b', 'x', 33n],
    ]);
    // 10 over 3:7 estimates -> 3 and 7; 1000 over 1:2 -> 333.33 / 666.66: floors 333 + 666, the micro to the larger remainder (666.66).
    expect(allocateLargestRemainder(1000n, [{ customerId: 'a', callId: 'c1', weight: 1n }, { customerId: 'a', callId: 'c2', weight: 2n }]).map((p) => p.part)).toEqual([333n, 667n]);
  });

  it('splits equally when every estimate is zero', () => {
    expect(allocateLargestRemainder(5n, [{ customerId: 'a', callId: '1', weight: 0n }, { customerId: 'a', callId: '2', weight: 0n }]).map((p) => p.part)).toEqual([3n, 2n]);
  });
});

describe('billedAmountMicros', () => {
  const card = fc.record({ markupBps: fc.integer({ min: 0, max: 100_000 }), feePerMinuteMicros: fc.bigInt({ min: 0n, max: 1_000_000n }) });
  const cost = fc.bigInt({ min: 0n, max: 2n ** 53n });
  const duration = fc.bigInt({ min: 0n, max: 24n * 3_600_000n });

  it('never bills less for more provider cost or a longer call', () => {
    fc.assert(
      fc.property(card, cost, cost, duration, duration, (c, a, b, d1, d2) => {
        const [lowCost, highCost] = a <= b ? [a, b] : [b, a];
        const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(billedAmountMicros(lowCost, short, c) <= billedAmountMicros(highCost, short, c)).toBe(true);
        expect(billedAmountMicros(lowCost, short, c) <= billedAmountMicros(lowCost, long, c)).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('storableBilledAmount', () => {
  const max = Number.MAX_SAFE_INTEGER;

  it('bills the largest single cost line the contract allows, with the default card', () => {
    // 9,007,199,254,740,991 * 1.2 = 10,808,639,105,689,189.2, rounded half up; 1 minute at 10,000.
    expect(storableBilledAmount([max, 0], 60_000, { markupBps: 2_000, feePerMinuteMicros: 10_000n })).toBe(10_808_639_105_689_189n + 10_000n);
  });

  it('refuses a call whose lines add up past what a bigint column holds', () => {
    // 1,024 lines of 2^53 - 1 are 2^63 - 1,024 before the markup; 20% more is past 2^63 - 1.
    expect(storableBilledAmount(Array.from({ length: 1_024 }, () => max), 0, { markupBps: 0, feePerMinuteMicros: 0n })).toBe(2n ** 63n - 1_024n);
    expect(storableBilledAmount(Array.from({ length: 1_024 }, () => max), 0, { markupBps: 2_000, feePerMinuteMicros: 0n })).toBeNull();
  });

  it('refuses a fee per minute that bills past a bigint over a long call, and takes the exact edge', () => {
    const minutes = 150_119_987_580n; // the started minutes in 2^53 - 1 ms
    const fee = maxStoredMicros / minutes;
    expect(storableBilledAmount([], max, { markupBps: 0, feePerMinuteMicros: fee })).toBe(fee * minutes);
    expect(storableBilledAmount([], max, { markupBps: 0, feePerMinuteMicros: fee + 1n })).toBeNull();
  });
});

describe('divideRoundHalfUpSigned', () => {
  it('rounds halves toward +infinity on both sides of zero', () => {
    expect([15n, 25n, -15n, -25n, -14n, -16n].map((n) => divideRoundHalfUpSigned(n, 10n))).toEqual([2n, 3n, -1n, -2n, -1n, -2n]);
  });
});
