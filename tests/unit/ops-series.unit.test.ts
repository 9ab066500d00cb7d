// How the operator charts hold and reshape series, and the call detail's latency waterfall.
import { expect, test } from 'vitest';
import { waterfall } from '../../ui/ops/call/waterfall.ts';
import { chartColumns, overviewCharts } from '../../ui/ops/overview/chart-specs.ts';
import { mergePoints, ratePer, sumPerMinute, type Points } from '../../ui/ops/series-points.ts';

const t0 = Date.parse('2026-11-24T14:00:00.000Z');
const s = (seconds: number) => t0 + seconds * 1000;

function tenSecondPoints(startSeconds: number, values: Array<number | null>): Points {
  return { t: values.map((_, i) => s(startSeconds + i * 10)), values, stepMs: 10_000 };
}

test('a refresh replaces the points it covers again, appends the new ones and drops those out of the hour', () => {
  const before = tenSecondPoints(0, [1, 2, 3, 4]);
  const refresh = tenSecondPoints(20, [30, 40, 5]);
  expect(mergePoints(before, refresh, s(10))).toEqual(tenSecondPoints(10, [2, 30, 40, 5]));
  expect(mergePoints(undefined, refresh, s(0))).toEqual(refresh);
});

test('additive series are summed per whole minute; minutes seen only in part are left out', () => {
  // 14:00:30 to 14:02:20: only 14:01 is complete.
  const values = Array.from({ length: 12 }, (_, i) => i + 1);
  const points = tenSecondPoints(30, values);
  expect(sumPerMinute(points)).toEqual({ t: [s(60)], values: [4 + 5 + 6 + 7 + 8 + 9], stepMs: 60_000 });
});

test('rates per hour from minute sums stay whole micro-USD; hourly points pass through', () => {
  const minute: Points = { t: [s(0), s(60)], values: [1_500, null], stepMs: 60_000 };
  expect(ratePer(minute, 3_600_000)).toEqual({ t: [s(0), s(60)], values: [90_000, null], stepMs: 60_000 });
  const hourly: Points = { t: [s(0)], values: [7_200], stepMs: 3_600_000 };
  expect(ratePer(hourly, 3_600_000).values).toEqual([7_200]);
  expect(ratePer(hourly, 60_000).values).toEqual([120]);
});

test('a chart aligns its series on the union of their times', () => {
  const latency = overviewCharts.find((chart) => chart.id === 'latency');
  if (!latency) throw new Error('the latency chart is missing');
  const columns = chartColumns(latency, {
    e2e_p95_ms: tenSecondPoints(0, [800, 900]),
    stt_p95_ms: tenSecondPoints(10, [200, 210]),
  });
  expect(columns).toEqual({
    t: [s(0), s(10), s(20)],
    columns: [
      [800, 900, null],
      [null, 200, 210],
      [null, null, null],
      [null, null, null],
    ],
    stepMs: 10_000,
  });
});

test('the waterfall puts STT, LLM and TTS one after another on the scale of the slowest turn', () => {
  const chart = waterfall([
    { turn: 0, ts: '', stt_ms: 100, llm_ms: 300, tts_ms: 100, e2e_ms: 1_000, interrupted: false },
    { turn: 1, ts: '', stt_ms: 200, llm_ms: 200, tts_ms: 100, e2e_ms: 450, interrupted: true },
  ]);
  expect(chart.scaleMs).toBe(1_000);
  const [first, second] = chart.rows;
  expect(first?.bars.map((bar) => [bar.part, bar.leftPct, bar.widthPct])).toEqual([
    ['stt', 0, 10],
    ['llm', 10, 30],
    ['tts', 40, 10],
    ['e2e', 0, 100],
  ]);
  expect(first?.gapMs).toBe(500);
  expect(second?.gapMs).toBe(-50);
  expect(second?.interrupted).toBe(true);
});
