// What the customer dashboard's tiles say (ui/dashboard/overview/tiles.ts): trends in words,
// sample sizes, small samples said as such, estimates marked. Expected sentences are hand-written.
import { describe, expect, test } from 'vitest';
import { tileWords, trendWords } from '../../ui/dashboard/overview/tiles.ts';
import { overviewKeys, type Overview, type OverviewKey, type OverviewMetric } from '../../ui/dashboard/wire.ts';

function metric(values: Partial<OverviewMetric>): OverviewMetric {
  return { value: null, last_7d: null, previous: null, numerator: null, denominator: null, explanation: 'Why this number.', estimated: false, low_sample: false, ...values };
}

function overview(metrics: Partial<Record<OverviewKey, OverviewMetric>>): Overview {
  const all = Object.fromEntries(overviewKeys.map((key) => [key, metrics[key] ?? metric({})])) as Record<OverviewKey, OverviewMetric>;
  return { as_of: '2026-11-24T14:00:00.000Z', month: '2026-11', stale: false, metrics: all };
}

function tile(key: OverviewKey, m: OverviewMetric, others: Partial<Record<OverviewKey, OverviewMetric>> = {}) {
  const found = tileWords(overview({ ...others, [key]: m })).find((t) => t.key === key);
  if (!found) throw new Error(`no tile for ${key}`);
  return found;
}

describe('trend against the week before', () => {
  const percent = { format: (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`), noun: 'calls' };

  test.each([
    [{ last_7d: 0.85, previous: 0.8 }, '85% in the last 7 days, up from 80% the week before'],
    [{ last_7d: 0.7, previous: 0.8 }, '70% in the last 7 days, down from 80% the week before'],
    [{ last_7d: 0.801, previous: 0.8 }, '80% in the last 7 days, the same as the week before'],
    [{ last_7d: 0.85, previous: null }, '85% in the last 7 days; no calls the week before'],
    [{ last_7d: null, previous: 0.8 }, 'No calls in the last 7 days; 80% the week before'],
    [{ last_7d: null, previous: null }, 'No calls in the last 14 days'],
  ])('%o reads "%s"', (values, words) => {
    expect(trendWords(percent, values)).toBe(words);
  });
});

describe('tiles', () => {
  test('a rate shows its sample beside it', () => {
    const words = tile('error_rate', metric({ value: 0.1, last_7d: 0.125, previous: 0.05, numerator: 3, denominator: 30 }));
    expect(words).toMatchObject({ label: 'Error rate', headline: '10%', sample: '(3 of 30 calls)', trend: '12.5% in the last 7 days, up from 5% the week before', estimated: false });
  });

  test('a small sample replaces the bold rate with its counts and says it is too few', () => {
    const words = tile('task_success_rate', metric({ value: 2 / 3, last_7d: 2 / 3, previous: null, numerator: 2, denominator: 3, low_sample: true }));
    expect(words.headline).toBeNull();
    expect(words.sample).toBe('2 of 3 calls: too few for a reliable rate');
  });

  test('a small sample of ratings says so beside the average', () => {
    const words = tile('csat', metric({ value: 3.75, last_7d: 4, previous: 3.5, numerator: 15, denominator: 4, low_sample: true }));
    expect(words.headline).toBeNull();
    expect(words.sample).toBe('3.8 / 5 from 4 ratings: too few for a reliable average');
    expect(words.trend).toBe('4.0 / 5 in the last 7 days, up from 3.5 / 5 the week before');
  });

  test('the month cost is in cents up front and exact beside, and marked estimated until reconciled', () => {
    const words = tile('cost_micros', metric({ value: 3_250_141, last_7d: 1_208_506, previous: 1_238_381, estimated: true }));
    expect(words).toMatchObject({ headline: '$3.25', sample: '(exactly $3.250141)', trend: '$1.21 in the last 7 days, down from $1.24 the week before', estimated: true });
  });

  test('cost per call shows a hundredth of a cent over its calls', () => {
    const words = tile('cost_per_call_micros', metric({ value: 50_783, last_7d: 50_354, previous: 51_599, numerator: 3_250_141, denominator: 64, estimated: true }));
    expect(words).toMatchObject({ headline: '$0.0508', sample: '(over 64 calls)', trend: '$0.0504 in the last 7 days, down from $0.0516 the week before' });
  });

  test('the call count trend names calls', () => {
    const words = tile('total_calls', metric({ value: 64, last_7d: 24, previous: 1, low_sample: false }));
    expect(words).toMatchObject({ headline: '64', sample: null, trend: '24 calls in the last 7 days, up from 1 call the week before' });
  });

  test('the projection stands beside the month to date', () => {
    const words = tile('projected_month_cost_micros', metric({ value: 3_810_000, estimated: true }), { cost_micros: metric({ value: 3_250_141 }) });
    expect(words).toMatchObject({ headline: '$3.81', trend: '$3.25 so far this month', estimated: true });
  });

  test('uptime keeps two decimals and never rounds up to a perfect month', () => {
    const words = tile('uptime', metric({ value: 43_199 / 43_200, last_7d: 1, previous: 1, numerator: 43_199, denominator: 43_200 }));
    expect(words).toMatchObject({ headline: '>99.99%', sample: '(43,199 of 43,200 minutes)', trend: '100% in the last 7 days, the same as the week before' });
  });

  test('a month without calls says so instead of showing a dash alone', () => {
    const words = tile('avg_call_duration_ms', metric({ value: null, numerator: 0, denominator: 0, low_sample: true }));
    expect(words).toMatchObject({ headline: '—', sample: 'No calls yet this month', trend: 'No calls in the last 14 days' });
  });

  test('there are ten tiles in the contract order, each with its explanation', () => {
    const words = tileWords(overview({}));
    expect(words.map((t) => t.key)).toEqual([...overviewKeys]);
    expect(words.every((t) => t.explanation === 'Why this number.')).toBe(true);
  });
});
