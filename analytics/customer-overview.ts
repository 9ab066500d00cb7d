// The customer overview (CONTRACT section 3, GET /api/customer/overview) from the window totals
// the refresh stores: every metric's value, its trend windows, sample size, rounding and the
// one-line explanation a non-engineer reads. Money is integer micro-USD throughout.
import { divideRoundHalfUp } from './money.ts';

export const lowSampleBelow = 20;

/** Sums over one window, as mv_customer_overview_v1 stores them (null: no calls at all). */
export interface WindowTotals {
  calls: number;
  completed: number;
  failed: number;
  abandoned: number;
  with_error: number;
  escalated: number;
  task_success: number;
  task_known: number;
  duration_ms_sum: number;
  billed_micros: number;
  csat_sum: number;
  csat_count: number;
}

export interface OverviewSource {
  asOf: Date;
  month: string;
  daysLeftAfterToday: number;
  monthTotals: WindowTotals | null;
  last7Totals: WindowTotals | null;
  prev7Totals: WindowTotals | null;
  full7BilledMicros: number;
  monthEstimated: boolean;
  last7Estimated: boolean;
  prev7Estimated: boolean;
  projectionEstimated: boolean;
  incidentMinutes: number;
  elapsedMinutes: number;
  incidentMinutesLast7: number;
  incidentMinutesPrev7: number;
}

export const overviewKeys = [
  'total_calls',
  'cost_micros',
  'cost_per_call_micros',
  'projected_month_cost_micros',
  'task_success_rate',
  'avg_call_duration_ms',
  'error_rate',
  'completion_rate',
  'csat',
  'uptime',
] as const;
export type OverviewKey = (typeof overviewKeys)[number];

export interface OverviewMetric {
  value: number | null;
  last_7d: number | null;
  previous: number | null;
  numerator: number | null;
  denominator: number | null;
  explanation: string;
  estimated: boolean;
  low_sample: boolean;
}

export interface CustomerOverview {
  as_of: string;
  month: string;
  stale: boolean;
  metrics: Record<OverviewKey, OverviewMetric>;
}

const empty: WindowTotals = {
  calls: 0,
  completed: 0,
  failed: 0,
  abandoned: 0,
  with_error: 0,
  escalated: 0,
  task_success: 0,
  task_known: 0,
  duration_ms_sum: 0,
  billed_micros: 0,
  csat_sum: 0,
  csat_count: 0,
};

const explanations: Record<OverviewKey, string> = {
  total_calls: 'Calls that ended this month; a call still in progress counts once it ends.',
  cost_micros: "What this month's calls are billed so far: the amount your invoice will show.",
  cost_per_call_micros: "This month's cost divided by this month's calls.",
  projected_month_cost_micros: "This month so far, plus the last 7 full days' daily average for each day left in the month.",
  task_success_rate: "Calls in which the agent completed the caller's task, out of the calls where that is known.",
  avg_call_duration_ms: "The average length of this month's calls.",
  error_rate: 'Calls that failed or ran into an error, out of all calls.',
  completion_rate: 'Calls the caller did not abandon, out of all calls.',
  csat: 'The average satisfaction score (1 to 5) callers gave after their calls.',
  uptime: 'The share of minutes this month in which calls were handled normally.',
};

type Figure = { value: number | null; numerator: number | null; denominator: number | null };

function ratio(numerator: number, denominator: number): Figure {
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

/** A mean rounded half up to an integer, exactly (integer inputs). */
function roundedMean(sum: number, count: number): Figure {
  return { value: count === 0 ? null : Number(divideRoundHalfUp(BigInt(sum), BigInt(count))), numerator: sum, denominator: count };
}

const figures: Record<Exclude<OverviewKey, 'projected_month_cost_micros' | 'uptime'>, (t: WindowTotals) => Figure> = {
  total_calls: (t) => ({ value: t.calls, numerator: null, denominator: null }),
  cost_micros: (t) => ({ value: t.billed_micros, numerator: null, denominator: null }),
  cost_per_call_micros: (t) => roundedMean(t.billed_micros, t.calls),
  task_success_rate: (t) => ratio(t.task_success, t.task_known),
  avg_call_duration_ms: (t) => roundedMean(t.duration_ms_sum, t.calls),
  error_rate: (t) => ratio(t.with_error, t.calls),
  completion_rate: (t) => ratio(t.calls - t.abandoned, t.calls),
  csat: (t) => ratio(t.csat_sum, t.csat_count),
};

const moneyKeys = new Set<OverviewKey>(['cost_micros', 'cost_per_call_micros', 'projected_month_cost_micros']);
const sevenDaysOfMinutes = 7 * 24 * 60;

export function composeOverview(source: OverviewSource, stale = false): CustomerOverview {
  const month = source.monthTotals ?? empty;
  const last7 = source.last7Totals ?? empty;
  const prev7 = source.prev7Totals ?? empty;
  const metrics = {} as Record<OverviewKey, OverviewMetric>;
  for (const [key, figure] of Object.entries(figures) as Array<[keyof typeof figures, (t: WindowTotals) => Figure]>) {
    const value = figure(month);
    metrics[key] = {
      value: value.value,
      last_7d: figure(last7).value,
      previous: figure(prev7).value,
      numerator: value.numerator,
      denominator: value.denominator,
      explanation: explanations[key],
      estimated: moneyKeys.has(key) && source.monthEstimated,
      low_sample: (value.denominator ?? Number.POSITIVE_INFINITY) < lowSampleBelow || (key === 'total_calls' && month.calls < lowSampleBelow),
    };
  }
  const projected =
    BigInt(month.billed_micros) + divideRoundHalfUp(BigInt(source.full7BilledMicros) * BigInt(source.daysLeftAfterToday), 7n);
  metrics.projected_month_cost_micros = {
    value: Number(projected),
    last_7d: null,
    previous: null,
    numerator: null,
    denominator: null,
    explanation: explanations.projected_month_cost_micros,
    estimated: source.monthEstimated || source.projectionEstimated,
    low_sample: false,
  };
  const up = (incident: number, minutes: number) => (minutes === 0 ? null : 1 - incident / minutes);
  metrics.uptime = {
    value: up(source.incidentMinutes, source.elapsedMinutes),
    last_7d: up(source.incidentMinutesLast7, sevenDaysOfMinutes),
    previous: up(source.incidentMinutesPrev7, sevenDaysOfMinutes),
    numerator: source.elapsedMinutes - source.incidentMinutes,
    denominator: source.elapsedMinutes,
    explanation: explanations.uptime,
    estimated: false,
    low_sample: false,
  };
  return { as_of: source.asOf.toISOString(), month: source.month, stale, metrics };
}
