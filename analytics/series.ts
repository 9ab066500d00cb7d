// The chart series the operator dashboard draws (GET /api/ops/series), one name per metric and
// the same names whether the points come from the live buckets or from stored history.
import { rateMetrics, type LiveBucket } from './live-window.ts';

export const seriesMetrics = [
  'calls_started',
  'calls_ended',
  'success_rate',
  'error_rate',
  'tool_failure_rate',
  'escalation_rate',
  'e2e_p50_ms',
  'e2e_p95_ms',
  'e2e_p99_ms',
  'stt_p95_ms',
  'llm_p95_ms',
  'tts_p95_ms',
  'ttfa_p95_ms',
  'cost_micros',
  'provider_cost_micros',
] as const;
export type SeriesMetric = (typeof seriesMetrics)[number];

/** A metric's value over one bucket (null where it has no data, so charts show a gap). */
export function seriesValue(metric: SeriesMetric, bucket: LiveBucket): number | null {
  switch (metric) {
    case 'calls_started':
      return bucket.callsStarted;
    case 'calls_ended':
      return bucket.callsEnded;
    case 'cost_micros':
      return bucket.billedMicros;
    case 'provider_cost_micros':
      return bucket.providerCostMicros;
    default: {
      const m = rateMetrics(bucket);
      const values: Record<Exclude<SeriesMetric, 'calls_started' | 'calls_ended' | 'cost_micros' | 'provider_cost_micros'>, number | null> = {
        success_rate: m.success_rate.value,
        error_rate: m.error_rate.value,
        tool_failure_rate: m.tool_failure_rate.value,
        escalation_rate: m.escalation_rate.value,
        e2e_p50_ms: m.e2e_ms.p50,
        e2e_p95_ms: m.e2e_ms.p95,
        e2e_p99_ms: m.e2e_ms.p99,
        stt_p95_ms: m.stt_ms.p95,
        llm_p95_ms: m.llm_ms.p95,
        tts_p95_ms: m.tts_ms.p95,
        ttfa_p95_ms: m.ttfa_ms.p95,
      };
      return values[metric];
    }
  }
}
