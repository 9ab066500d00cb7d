// The operator pages' formatters (their own and those they share with the customer dashboard)
// and thresholds, against hand-written expectations. The formatters use the process's locale and
// time zone, which the unit project runs as en-US / UTC.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  formatAge,
  formatDuration,
  formatMs,
  formatMultiple,
  formatOffset,
  formatPercentOneDecimal,
  formatSample,
  formatTimeTick,
} from '../../ui/ops/format.ts';
import { formatMoney, formatMoneyExact } from '../../ui/shared/format.ts';
import { judge } from '../../ui/ops/thresholds.ts';
import type { Rate } from '../../ui/ops/wire.ts';

beforeAll(() => {
  const { locale, timeZone } = Intl.DateTimeFormat().resolvedOptions();
  expect({ locale, timeZone }, 'these expectations are written for en-US in UTC').toEqual({ locale: 'en-US', timeZone: 'UTC' });
});

describe('formatting for people', () => {
  test('a rate carries its sample: "97.2% (421/433 calls)"', () => {
    const rate = (r: Rate, noun: string) => `${formatPercentOneDecimal(r.value)} ${formatSample(r, noun)}`;
    expect(rate({ value: 421 / 433, numerator: 421, denominator: 433 }, 'calls')).toBe('97.2% (421/433 calls)');
    expect(rate({ value: null, numerator: 0, denominator: 0 }, 'requests')).toBe('— (0/0 requests)');
    expect(rate({ value: 1, numerator: 12_500, denominator: 12_500 }, 'calls')).toBe('100.0% (12,500/12,500 calls)');
  });

  test('a percentage keeps one decimal and rounds, even next to 0% and 100%', () => {
    expect(formatPercentOneDecimal(0.97)).toBe('97.0%');
    expect(formatPercentOneDecimal(9_996 / 10_000)).toBe('100.0%');
    expect(formatPercentOneDecimal(4 / 10_000)).toBe('0.0%');
  });

  test('latency in whole milliseconds with grouping', () => {
    expect(formatMs(810)).toBe('810 ms');
    expect(formatMs(2019.6)).toBe('2,020 ms');
    expect(formatMs(null)).toBe('—');
  });

  test('money: micro-USD to dollars, to the cent or exactly', () => {
    expect(formatMoney(162_450)).toBe('$0.16');
    expect(formatMoney(123_456_789_000)).toBe('$123,456.79');
    expect(formatMoneyExact(13_187)).toBe('$0.013187');
    expect(formatMoneyExact(54_900)).toBe('$0.0549');
    expect(formatMoneyExact(2_000_000)).toBe('$2.00');
  });

  test('load multiples, call durations, ages and offsets', () => {
    expect(formatMultiple(3.14)).toBe('3.1x');
    expect(formatMultiple(0.4)).toBe('0.4x');
    expect(formatDuration(184_000)).toBe('3:04');
    expect(formatDuration(3_729_000)).toBe('1:02:09');
    expect(formatAge(4_200)).toBe('4 s ago');
    expect(formatAge(-300)).toBe('0 s ago');
    expect(formatAge(185_000)).toBe('3 min ago');
    expect(formatAge(7_300_000)).toBe('2 h ago');
    expect(formatOffset('2026-11-24T14:03:12.000Z', '2026-11-24T14:03:07.000Z')).toBe('+0:05');
    expect(formatPercentOneDecimal(0.0249)).toBe('2.5%');
  });

  test('time axis ticks show the time of day within two days and the date beyond', () => {
    const at = Date.parse('2026-11-24T14:05:00.000Z');
    expect(formatTimeTick(at, 3_600_000)).toBe('14:05');
    expect(formatTimeTick(at, 7 * 86_400_000)).toBe('Nov 24');
  });
});

describe('thresholds', () => {
  test.each([
    ['error rate above 5% is critical', judge.errorRate(0.051), 'bad'],
    ['error rate of exactly 5% is elevated, not critical', judge.errorRate(0.05), 'warn'],
    ['error rate of 1% is healthy', judge.errorRate(0.01), 'good'],
    ['success below 95% is degraded', judge.successRate(0.94), 'warn'],
    ['success below 90% is critical', judge.successRate(0.89), 'bad'],
    ['provider success below 50% is critical (outage)', judge.providerSuccess(0.49), 'bad'],
    ['P95 over 3 s is critical', judge.e2eP95(3_001), 'bad'],
    ['P95 over 1.5 s is elevated', judge.e2eP95(1_600), 'warn'],
    ['no data is judged as no data', judge.toolFailure(null), 'unknown'],
  ])('%s', (_, judgement, tone) => {
    expect(judgement.tone).toBe(tone);
    expect(judgement.word.length).toBeGreaterThan(0);
  });
});
