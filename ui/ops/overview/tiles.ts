// The nine core numbers (PRODUCT.md "Operator dashboard"), each read from the live view with its
// sample, its judgement and where its sparkline and drill-down come from.
import { formatCount } from '../../shared/format.ts';
import type { DrillDown } from '../drill-down.ts';
import { formatMs, formatPercentOneDecimal, formatSample } from '../format.ts';
import { judge, type Judgement } from '../thresholds.ts';
import type { LiveView, ProviderHealth, Rate, SeriesMetric } from '../wire.ts';

/** Values the page keeps from its own polls, for numbers that have no stored series. */
export type PolledMetric = 'active_calls' | 'stt_success' | 'llm_success' | 'tts_success';

export type SparkSource = { series: SeriesMetric } | { polled: PolledMetric };
export type SparkUnit = 'count' | 'ratio' | 'ms';

export interface TileView {
  id: string;
  label: string;
  /** The headline figure. */
  value: string;
  /** Its sample or companions: "(421/433 calls)", "P50 620 ms · P99 1,900 ms". */
  detail: string;
  judgement: Judgement | null;
  explanation: string;
  spark: SparkSource;
  sparkUnit: SparkUnit;
  drill: DrillDown;
}

const byLatency: DrillDown = { sort: '-latency_ms' };

export function kindHealth(view: LiveView, kind: string): ProviderHealth | null {
  return view.providers.find((entry) => entry.kind === kind && entry.provider === null) ?? null;
}

const noRequests: Rate = { value: null, numerator: 0, denominator: 0 };

function providerTile(view: LiveView, kind: 'stt' | 'llm' | 'tts', label: string): TileView {
  const health = kindHealth(view, kind);
  const success = health?.success_rate ?? noRequests;
  return {
    id: `${kind}_success`,
    label,
    value: formatPercentOneDecimal(success.value),
    detail: formatSample(success, 'requests'),
    judgement: judge.providerSuccess(success.value),
    explanation: `Successful ${kind.toUpperCase()} provider requests over the last 5 minutes, all providers of the kind. P95 ${formatMs(health?.latency_ms.p95)}.`,
    spark: { polled: `${kind}_success` },
    sparkUnit: 'ratio',
    drill: byLatency,
  };
}

export function coreTiles(view: LiveView): TileView[] {
  const p = view.platform;
  return [
    {
      id: 'active_calls',
      label: 'Active calls',
      value: formatCount(p.active_calls),
      detail: `${formatCount(p.call_attempts_per_minute)} attempts in the last minute`,
      judgement: null,
      explanation: 'Calls started and not ended, leaving out calls started over 4 hours ago (stale).',
      spark: { polled: 'active_calls' },
      sparkUnit: 'count',
      drill: { sort: '-started_at' },
    },
    {
      id: 'success_rate',
      label: 'Success rate',
      value: formatPercentOneDecimal(p.success_rate.value),
      detail: formatSample(p.success_rate, 'calls'),
      judgement: judge.successRate(p.success_rate.value),
      explanation: 'Calls ended in the last 5 minutes with a status other than failed.',
      spark: { series: 'success_rate' },
      sparkUnit: 'ratio',
      drill: { sort: '-latency_ms', status: ['failed'] },
    },
    {
      id: 'error_rate',
      label: 'Error rate',
      value: formatPercentOneDecimal(p.error_rate.value),
      detail: formatSample(p.error_rate, 'calls'),
      judgement: judge.errorRate(p.error_rate.value),
      explanation: 'Calls ended in the last 5 minutes that failed or reported at least one error.',
      spark: { series: 'error_rate' },
      sparkUnit: 'ratio',
      drill: { sort: '-latency_ms', hasError: true },
    },
    {
      id: 'e2e_p95',
      label: 'P95 turn latency',
      value: formatMs(p.e2e_ms.p95),
      detail: `P50 ${formatMs(p.e2e_ms.p50)} · P99 ${formatMs(p.e2e_ms.p99)}`,
      judgement: judge.e2eP95(p.e2e_ms.p95),
      explanation: 'End of the caller speaking to the first agent audio, over turns in the last 5 minutes.',
      spark: { series: 'e2e_p95_ms' },
      sparkUnit: 'ms',
      drill: byLatency,
    },
    providerTile(view, 'stt', 'STT provider success'),
    providerTile(view, 'llm', 'LLM provider success'),
    providerTile(view, 'tts', 'TTS provider success'),
    {
      id: 'tool_failure_rate',
      label: 'Tool failure rate',
      value: formatPercentOneDecimal(p.tool_failure_rate.value),
      detail: formatSample(p.tool_failure_rate, 'tool calls'),
      judgement: judge.toolFailure(p.tool_failure_rate.value),
      explanation: 'Tool calls in the last 5 minutes that returned ok=false.',
      spark: { series: 'tool_failure_rate' },
      sparkUnit: 'ratio',
      drill: byLatency,
    },
    {
      id: 'escalation_rate',
      label: 'Escalation rate',
      value: formatPercentOneDecimal(p.escalation_rate.value),
      detail: formatSample(p.escalation_rate, 'calls'),
      judgement: judge.escalation(p.escalation_rate.value),
      explanation: 'Calls ended in the last 5 minutes that were handed to a human.',
      spark: { series: 'escalation_rate' },
      sparkUnit: 'ratio',
      drill: byLatency,
    },
  ];
}

/** The polled values a live view adds to the page's own sparkline history. */
export function polledValues(view: LiveView): Record<PolledMetric, number | null> {
  return {
    active_calls: view.platform.active_calls,
    stt_success: kindHealth(view, 'stt')?.success_rate.value ?? null,
    llm_success: kindHealth(view, 'llm')?.success_rate.value ?? null,
    tts_success: kindHealth(view, 'tts')?.success_rate.value ?? null,
  };
}

export const sparkSeriesMetrics: SeriesMetric[] = ['success_rate', 'error_rate', 'e2e_p95_ms', 'tool_failure_rate', 'escalation_rate'];
