// The shapes the PlatformMeter answers for GET /api/ops/live (CONTRACT section 3) and the report a
// TenantMeter sends it. Values are computed by analytics/; this file only names and arranges them.
import type { LiveBucket, ProviderHealth, Quantiles, RateMetrics } from '../../analytics/live-window.ts';
import type { CustomerFlag } from '../../analytics/load.ts';
import type { Rate } from '../../analytics/rate.ts';

/** One customer's live values, for all its regions (`*`) or one region. */
export interface TenantLiveRow {
  active_calls: number;
  calls_per_hour: number;
  cost_per_hour_micros: number;
  provider_cost_per_hour_micros: number;
  success_rate: Rate;
  error_rate: Rate;
  p95_e2e_ms: number | null;
}

export const allRegions = '*';

export interface TenantSnapshot {
  asOfMs: number;
  normalCallsPerHour: number;
  normalIsLearned: boolean;
  startedLast15Minutes: number;
  hourlySpendLimitMicros: number;
  rows: Record<string, TenantLiveRow>;
}

export interface TenantReport {
  customerId: string;
  /** Increases with every new set of deltas; a resent report keeps its number. */
  seq: number;
  deltas: Array<{ bucketMs: number; region: string; bucket: LiveBucket }>;
  snapshot: TenantSnapshot;
}

export interface PlatformValues extends RateMetrics {
  active_calls: number;
  call_attempts_per_minute: number;
  calls_per_hour: number;
  ended_calls: number;
  cost_per_hour_micros: number;
  provider_cost_per_hour_micros: number;
  provider_cost_per_hour_by_component_micros: Record<string, number>;
}

export interface CustomerLiveRow extends TenantLiveRow {
  customer_id: string;
  as_of: string;
  load_ratio: number;
  noisy: boolean;
  normal_calls_per_hour: number;
  flags: CustomerFlag[];
}

export interface LiveView {
  as_of: string;
  window_s: number;
  region: string | null;
  platform: PlatformValues;
  providers: ProviderHealth[];
  customers: CustomerLiveRow[];
}

export type { Quantiles };
