import { describe, expect, it } from 'vitest';
import { addDurations, emptyDurationHistogram, observeDuration, statusClass } from '../../analytics/request-durations.ts';
import { RequestTimingBatch } from '../../workers/metrics/request-timing-batch.ts';

describe('request duration histograms', () => {
  it('counts a duration in the first bucket whose upper bound it does not exceed, above the last bound in the overflow bucket', () => {
    const histogram = emptyDurationHistogram([0.1, 1]);
    for (const seconds of [0, 0.1, 0.1000001, 1, 7]) observeDuration(histogram, seconds);
    expect(histogram.counts).toEqual([2, 2, 1]);
    expect(histogram.sumSeconds).toBeCloseTo(8.2000001, 9);
  });

  it('adds a batch to a running total bucket by bucket', () => {
    const total = { bounds: [0.1, 1], counts: [5, 1, 0], sumSeconds: 1.5 };
    const batch = { bounds: [0.1, 1], counts: [1, 0, 2], sumSeconds: 20 };
    expect(addDurations(total, batch)).toEqual({ bounds: [0.1, 1], counts: [6, 1, 2], sumSeconds: 21.5 });
  });

  it('starts the total over from a batch counted with other bounds', () => {
    const total = { bounds: [0.1, 1], counts: [5, 1, 0], sumSeconds: 1.5 };
    const batch = { bounds: [0.5], counts: [1, 1], sumSeconds: 2 };
    expect(addDurations(total, batch)).toEqual(batch);
  });

  it('names status classes by their first digit', () => {
    expect([200, 204, 302, 401, 404, 500, 503].map(statusClass)).toEqual(['2xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx']);
  });
});

describe('a Worker isolate batch of request durations', () => {
  const live = { route: '/api/ops/live', method: 'GET', statusClass: '2xx' };
  const refused = { route: '/api/ops/*', method: 'GET', statusClass: '4xx' };

  it('sends on its first request, then at most once every 5 s, each batch holding what came since the last', () => {
    const batch = new RequestTimingBatch();
    batch.observe(live, 0.02);
    const first = batch.takeDue(1_000_000);
    expect(first?.map((e) => [e.route, e.histogram.counts.reduce((a, b) => a + b, 0)])).toEqual([['/api/ops/live', 1]]);

    batch.observe(live, 0.03);
    batch.observe(live, 0.2);
    batch.observe(refused, 0.001);
    expect(batch.takeDue(1_004_999)).toBeNull();
    const second = batch.takeDue(1_005_000);
    expect(second?.map((e) => [e.route, e.statusClass, e.histogram.counts.reduce((a, b) => a + b, 0), e.histogram.sumSeconds])).toEqual([
      ['/api/ops/live', '2xx', 2, 0.23],
      ['/api/ops/*', '4xx', 1, 0.001],
    ]);
    expect(batch.takeDue(2_000_000)).toBeNull();
  });
});
