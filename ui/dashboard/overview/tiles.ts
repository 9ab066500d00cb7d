// What each overview tile says, in words a non-engineer trusts: the month's figure with its
// sample, the last 7 days against the 7 before, and honesty about small samples. Pure, so the
// wording is tested without a browser.
import {
  formatCount,
  formatDurationWords,
  formatMoney,
  formatMoneyExact,
  formatMoneyFine,
  formatOneDecimal,
  formatPercent,
  noValue,
} from '../../shared/format.ts';
import type { Overview, OverviewKey, OverviewMetric } from '../wire.ts';

type Shape = 'count' | 'money' | 'average' | 'rate' | 'projection';

interface TileSpec {
  key: OverviewKey;
  label: string;
  shape: Shape;
  format: (value: number | null) => string;
  /** How the trend writes a value, when not as the headline does. */
  trend?: (value: number | null) => string;
  /** What the denominator counts, for sample sizes and "no calls the week before". */
  noun: string;
}

const calls = (value: number | null) => (value === null ? noValue : `${formatCount(value)} ${value === 1 ? 'call' : 'calls'}`);
const csat = (value: number | null) => (value === null ? noValue : `${formatOneDecimal(value)} / 5`);
const uptime = (value: number | null) => formatPercent(value, 2);

export const tileSpecs: readonly TileSpec[] = [
  { key: 'total_calls', label: 'Calls this month', shape: 'count', format: formatCount, trend: calls, noun: 'calls' },
  { key: 'cost_micros', label: 'Cost this month', shape: 'money', format: formatMoney, noun: 'calls' },
  { key: 'cost_per_call_micros', label: 'Cost per call', shape: 'average', format: formatMoneyFine, noun: 'calls' },
  { key: 'projected_month_cost_micros', label: 'Projected month cost', shape: 'projection', format: formatMoney, noun: 'calls' },
  { key: 'task_success_rate', label: 'Task success rate', shape: 'rate', format: formatPercent, noun: 'calls' },
  { key: 'avg_call_duration_ms', label: 'Average call duration', shape: 'average', format: formatDurationWords, noun: 'calls' },
  { key: 'error_rate', label: 'Error rate', shape: 'rate', format: formatPercent, noun: 'calls' },
  { key: 'completion_rate', label: 'Completion rate', shape: 'rate', format: formatPercent, noun: 'calls' },
  { key: 'csat', label: 'Caller satisfaction (CSAT)', shape: 'average', format: csat, noun: 'ratings' },
  { key: 'uptime', label: 'Uptime', shape: 'rate', format: uptime, noun: 'minutes' },
];

export interface TileWords {
  key: OverviewKey;
  label: string;
  /** The figure in large type; null when a small sample makes a bold figure misleading. */
  headline: string | null;
  /** "(8 of 10 calls)", "over 24 calls", or the small-sample sentence that replaces the headline. */
  sample: string | null;
  /** The last 7 days against the 7 before, or (for the projection) the month to date. */
  trend: string | null;
  explanation: string;
  estimated: boolean;
}

/**
 * What stands beside the figure ("(8 of 10 calls)"), or, when too few calls make a bold figure
 * misleading, the sentence that replaces it ("2 of 3 calls: too few for a reliable rate").
 */
function sampleWords(spec: TileSpec, metric: OverviewMetric): { text: string | null; tooFew: boolean } {
  const { value, numerator, denominator } = metric;
  if (value === null) return { text: `No ${spec.noun} yet this month`, tooFew: false };
  // The month's cost in cents up front, and to the micro-dollar, as the invoice has it.
  if (spec.key === 'cost_micros' && value % 10_000 !== 0) return { text: `(exactly ${formatMoneyExact(value)})`, tooFew: false };
  if (denominator === null || (spec.shape !== 'rate' && spec.shape !== 'average')) return { text: null, tooFew: false };
  const counted =
    spec.shape === 'rate' ? `${formatCount(numerator)} of ${formatCount(denominator)} ${spec.noun}` : `${spec.key === 'csat' ? 'from' : 'over'} ${formatCount(denominator)} ${spec.noun}`;
  if (!metric.low_sample) return { text: `(${counted})`, tooFew: false };
  return { text: spec.shape === 'rate' ? `${counted}: too few for a reliable rate` : `${spec.format(value)} ${counted}: too few for a reliable average`, tooFew: true };
}

export function trendWords(spec: Pick<TileSpec, 'format' | 'trend' | 'noun'>, metric: Pick<OverviewMetric, 'last_7d' | 'previous'>): string {
  const { last_7d: recent, previous } = metric;
  const format = spec.trend ?? spec.format;
  if (recent === null && previous === null) return `No ${spec.noun} in the last 14 days`;
  if (recent === null) return `No ${spec.noun} in the last 7 days; ${format(previous)} the week before`;
  const now = `${format(recent)} in the last 7 days`;
  if (previous === null) return `${now}; no ${spec.noun} the week before`;
  const [shownNow, shownBefore] = [format(recent), format(previous)];
  if (shownNow === shownBefore) return `${now}, the same as the week before`;
  return `${now}, ${recent > previous ? 'up' : 'down'} from ${shownBefore} the week before`;
}

export function tileWords(overview: Overview): TileWords[] {
  const monthToDate = overview.metrics.cost_micros;
  return tileSpecs.map((spec) => {
    const metric = overview.metrics[spec.key];
    const sample = sampleWords(spec, metric);
    return {
      key: spec.key,
      label: spec.label,
      headline: sample.tooFew ? null : spec.format(metric.value),
      sample: sample.text,
      trend: spec.shape === 'projection' ? `${formatMoney(monthToDate.value)} so far this month` : trendWords(spec, metric),
      explanation: metric.explanation,
      estimated: metric.estimated,
    };
  });
}
