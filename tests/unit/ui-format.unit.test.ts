// Numbers and times for people (ui/shared/format.ts), in Node's en-US locale. Expected strings
// are written out by hand.
import { describe, expect, test } from 'vitest';
import {
  formatCount,
  formatDateTime,
  formatDurationWords,
  formatMoney,
  formatMoneyExact,
  formatMoneyFine,
  formatMonth,
  formatOneDecimal,
  formatPercent,
  formatUpdatedAt,
  formatUtcDay,
} from '../../ui/shared/format.ts';

test('runs in the en-US locale these expectations are written for', () => {
  expect(new Intl.NumberFormat().resolvedOptions().locale).toBe('en-US');
});

describe('money from integer micro-USD', () => {
  test.each([
    [1_234_565_000, '$1,234.57'],
    [1_234_564_999, '$1,234.56'],
    [5_000, '$0.01'],
    [4_999, '$0.00'],
    [0, '$0.00'],
    [-12_345_000, '-$12.35'],
  ])('to the cent, half up from the exact amount: %i -> %s', (micros, text) => {
    expect(formatMoney(micros)).toBe(text);
  });

  test.each([
    [87_500, '$0.0875'],
    [123_457, '$0.123457'],
    [1_200_000, '$1.20'],
    [3_250_141, '$3.250141'],
    [9_007_199_254_740_991, '$9,007,199,254.740991'],
  ])('to the micro-dollar with zeros past the cents dropped: %i -> %s', (micros, text) => {
    expect(formatMoneyExact(micros)).toBe(text);
  });

  test('averages show a hundredth of a cent', () => {
    expect(formatMoneyFine(50_783)).toBe('$0.0508');
    expect(formatMoneyFine(50_750)).toBe('$0.0508');
    expect(formatMoneyFine(2_000_000)).toBe('$2.00');
  });

  test('a missing amount is a dash', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoneyExact(undefined)).toBe('—');
  });
});

describe('percentages', () => {
  test.each([
    [29 / 100, 1, '29%'],
    [2 / 3, 1, '66.7%'],
    [1 / 16, 1, '6.3%'],
    [1, 1, '100%'],
    [0, 1, '0%'],
    [0.0004, 1, '<0.1%'],
    [0.9996, 1, '>99.9%'],
    [0.99996, 2, '>99.99%'],
    [0.99949, 2, '99.95%'],
  ])('%d with %i decimals reads %s', (value, digits, text) => {
    expect(formatPercent(value, digits)).toBe(text);
  });
});

test('counts, one decimal and durations in words', () => {
  expect(formatCount(1234567)).toBe('1,234,567');
  expect(formatOneDecimal(3.45)).toBe('3.5');
  expect(formatOneDecimal(3.75)).toBe('3.8');
  expect(formatDurationWords(44_499)).toBe('44 s');
  expect(formatDurationWords(59_500)).toBe('1 min 0 s');
  expect(formatDurationWords(136_000)).toBe('2 min 16 s');
  expect(formatDurationWords(3_725_000)).toBe('1 h 2 min');
  expect(formatDurationWords(null)).toBe('—');
});

describe('times', () => {
  const at = '2026-11-24T14:03:07.120Z';

  test('a moment in UTC names its zone', () => {
    expect(formatDateTime(at, 'utc')).toBe('Nov 24, 2026, 14:03:07 UTC');
  });

  test('"updated" is a clock time today and carries the day otherwise', () => {
    expect(formatUpdatedAt(at, 'utc', new Date('2026-11-24T20:00:00Z'))).toBe('14:03 UTC');
    expect(formatUpdatedAt(at, 'utc', new Date('2026-11-25T00:30:00Z'))).toBe('Nov 24, 14:03 UTC');
  });

  test('days and months are UTC calendar dates', () => {
    expect(formatUtcDay('2026-11-01')).toBe('Nov 1');
    expect(formatUtcDay(Date.UTC(2026, 10, 30))).toBe('Nov 30');
    expect(formatMonth('2026-11')).toBe('November 2026');
  });
});
