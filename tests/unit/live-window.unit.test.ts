// When a quiet meter's windows next move: a bucket counts from the as_of after it ends until one
// span later, so the instants are hand-computed from bucket starts and spans.
import { describe, expect, it } from 'vitest';
import { nextWindowChangeMs } from '../../analytics/live-window.ts';

const fiveMinutes = 300_000;
const hour = 3_600_000;

describe('nextWindowChangeMs', () => {
  it('is the as_of at which a complete bucket leaves the shortest window it is in', () => {
    // 5-second buckets at 0 s and 40 s, as_of 60 s: both in; the one at 0 s leaves the 5-minute window at 305 s.
    expect(nextWindowChangeMs([0, 40_000], [fiveMinutes, hour], 60_000)).toBe(305_000);
    // Past that, the one at 40 s leaves at 345 s.
    expect(nextWindowChangeMs([0, 40_000], [fiveMinutes, hour], 305_000)).toBe(345_000);
    // With both gone from 5 minutes, the hour is next: 3,605 s.
    expect(nextWindowChangeMs([0, 40_000], [fiveMinutes, hour], 345_000)).toBe(3_605_000);
  });

  it('counts a bucket still filling: it enters the windows once complete', () => {
    // as_of 60 s, a bucket at 60 s (events up to 64.999 s) enters at 65 s.
    expect(nextWindowChangeMs([0, 60_000], [fiveMinutes], 60_000)).toBe(65_000);
  });

  it('is null when no bucket will enter or leave any window', () => {
    expect(nextWindowChangeMs([], [fiveMinutes, hour], 60_000)).toBeNull();
    expect(nextWindowChangeMs([0], [fiveMinutes, hour], 3_605_000)).toBeNull();
  });
});
