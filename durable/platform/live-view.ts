// The shapes the PlatformMeter answers for GET /api/ops/live (CONTRACT section 3) and the report a
// TenantMeter sends it. Values are computed by analytics/; this file only names and arranges them.
import type { LiveBucket, ProviderHealth, Quantiles, RateMetrics } from '../../analytics/live-window.ts';
import type { CustomerFlag } from '../../analytics/load.ts';
import type { Rate } from '../../analytics/rate.ts';
import type { RequestDurations } from '../../analytics/request-durations.ts';
import type { ServiceHealth } from './service-health.ts';

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

/** A TenantMeter's durable buffer: events answered 202 but not written to Postgres yet. */
export interface EventBufferStatus {
  events: number;
  /** When the oldest of them was received; null while the buffer is empty. */
  oldestReceivedMs: number | null;
  /** Flush attempts that failed in a row; 0 once one succeeds. */
  failedFlushAttempts: number;
}

export interface TenantSnapshot {
  asOfMs: number;
  /**
   * Until when the values stay exact with no new events (the meter reports again by then); null
   * when they never change again. Snapshots stored before meters sent it have none: read as null.
   */
  validUntilMs: number | null;
  eventBuffer: EventBufferStatus;
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

export interface CustomerEventBuffer extends EventBufferStatus {
  customerId: string;
}

/** What GET /metrics exposes: the live view for all regions and for each, and Switchboard's own health. */
export interface PlatformMetricsView {
  nowMs: number;
  live: LiveView;
  regions: LiveView[];
  eventBuffers: CustomerEventBuffer[];
  requestDurations: RequestDurations[];
  cacheReads: ServiceHealth['cacheReads'];
  refreshes: ServiceHealth['refreshes'];
}

export type { Quantiles };
