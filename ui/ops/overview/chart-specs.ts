// The overview's time charts: which series each draws, in which unit, and what a click on it
// opens. Turning series into chart columns is here too, so the chart component only draws.
import type { DrillDown } from '../drill-down.ts';
import { hourMs, minuteMs, ratePer, type Points } from '../series-points.ts';
import type { SeriesMetric } from '../wire.ts';

export type ChartUnit = 'ms' | 'per_minute' | 'usd_per_hour' | 'ratio' | 'count';

export interface ChartSeriesSpec {
  metric: SeriesMetric;
  label: string;
  /** Index into the theme's --series-N palette. */
  colour: number;
}

export interface ChartSpec {
  id: string;
  title: string;
  explanation: string;
  unit: ChartUnit;
  /** Additive series become a rate per minute or per hour; quantiles and rates are drawn as they come. */
  rate: 'per_minute' | 'per_hour' | null;
  series: ChartSeriesSpec[];
  drill: DrillDown;
}

export const overviewCharts: ChartSpec[] = [
  {
    id: 'attempts',
    title: 'Call attempts per minute',
    explanation: 'Calls started in each minute (each hour divided by 60 beyond a day).',
    unit: 'per_minute',
    rate: 'per_minute',
    series: [{ metric: 'calls_started', label: 'Calls started', colour: 1 }],
    drill: { sort: '-latency_ms' },
  },
  {
    id: 'latency',
    title: 'Turn latency by component (P95)',
    explanation: 'P95 of end-to-end turn latency and of its STT, LLM and TTS parts: the part that rises with the total is the culprit.',
    unit: 'ms',
    rate: null,
    series: [
      { metric: 'e2e_p95_ms', label: 'End to end', colour: 1 },
      { metric: 'stt_p95_ms', label: 'STT', colour: 2 },
      { metric: 'llm_p95_ms', label: 'LLM', colour: 3 },
      { metric: 'tts_p95_ms', label: 'TTS', colour: 5 },
    ],
    drill: { sort: '-latency_ms' },
  },
  {
    id: 'ttfa',
    title: 'Time to first audio (P95)',
    explanation: 'From the call connecting to the first agent audio, P95 over the calls that ended in each step.',
    unit: 'ms',
    rate: null,
    series: [{ metric: 'ttfa_p95_ms', label: 'TTFA P95', colour: 4 }],
    drill: { sort: '-latency_ms' },
  },
  {
    id: 'cost',
    title: 'Cost per hour',
    explanation: 'Billed amount and estimated provider cost of the calls that ended in each step, as an hourly rate.',
    unit: 'usd_per_hour',
    rate: 'per_hour',
    series: [
      { metric: 'cost_micros', label: 'Billed', colour: 1 },
      { metric: 'provider_cost_micros', label: 'Provider cost', colour: 2 },
    ],
    drill: { sort: '-cost_micros' },
  },
];

export const chartSeriesMetrics: SeriesMetric[] = [...new Set(overviewCharts.flatMap((chart) => chart.series.map((s) => s.metric)))];

export interface ChartColumns {
  /** Times in ms, ascending. */
  t: number[];
  /** One column per series, aligned with `t` (null where a series has no point). */
  columns: Array<Array<number | null>>;
  stepMs: number;
}

/** The chart's series as aligned columns over the union of their times. */
export function chartColumns(spec: ChartSpec, series: Partial<Record<SeriesMetric, Points>>): ChartColumns {
  const prepared = spec.series.map((s) => {
    const points = series[s.metric];
    if (!points) return undefined;
    if (spec.rate === 'per_minute') return ratePer(points, minuteMs);
    if (spec.rate === 'per_hour') return ratePer(points, hourMs);
    return points;
  });
  const times = [...new Set(prepared.flatMap((points) => points?.t ?? []))].sort((a, b) => a - b);
  const columns = prepared.map((points) => {
    const byTime = new Map(points?.t.map((time, i) => [time, points.values[i] ?? null]) ?? []);
    return times.map((time) => byTime.get(time) ?? null);
  });
  const stepMs = prepared.find((points) => points !== undefined)?.stepMs ?? minuteMs;
  return { t: times, columns, stepMs };
}
