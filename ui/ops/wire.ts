// The JSON the operator pages read, as the browser receives it. The live view and the series
// names come from their server definitions (type-only imports: nothing of the server is
// bundled); calls and alerts are written out here from docs/api.md and CONTRACT sections 3-4,
// because their server types sit next to database and Durable Object code.
import type { CustomerFlag } from '../../analytics/load.ts';
import type { Rate } from '../../analytics/rate.ts';
import type { SeriesMetric } from '../../analytics/series.ts';
import type { CustomerLiveRow, LiveView, PlatformValues } from '../../durable/platform/live-view.ts';
import type { ProviderHealth, Quantiles } from '../../analytics/live-window.ts';

export type { CustomerFlag, CustomerLiveRow, LiveView, PlatformValues, ProviderHealth, Quantiles, Rate, SeriesMetric };

export interface SeriesResponse {
  metric: SeriesMetric;
  region: string | null;
  resolution_s: number;
  source: 'live' | 'stored';
  t: string[];
  values: Array<number | null>;
}

export const callStatuses = ['completed', 'failed', 'abandoned', 'in_progress', 'stale'] as const;
export type CallStatus = (typeof callStatuses)[number];

export const providerKinds = ['stt', 'llm', 'tts', 'telephony'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export interface CallListRow {
  customer_id: string;
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  status: CallStatus;
  duration_ms: number | null;
  /** The worst turn's e2e_ms; null before the first turn. */
  latency_ms: number | null;
  /** Billed amount. */
  cost_micros: number;
  provider_cost_micros: number;
  region: string | null;
  from: string | null;
  to: string | null;
  agent_id: string | null;
  agent_version: string | null;
  providers: Record<ProviderKind, string | null>;
  has_error: boolean;
  error_count: number;
  turn_count: number;
}

export interface CallListPage {
  data: CallListRow[];
  has_more: boolean;
  next_cursor: string | null;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CallDetail {
  customer_id: string;
  call_id: string;
  metadata: {
    customer_id: string;
    agent_id: string | null;
    agent_version: string | null;
    region: string | null;
    direction: string | null;
    from: string | null;
    to: string | null;
    providers: Record<ProviderKind, string | null>;
    trace_id: string | null;
    started_at: string | null;
    ended_at: string | null;
    status: CallStatus;
    duration_ms: number | null;
    ttfa_ms: number | null;
    latency_ms: number | null;
    escalated: boolean | null;
    task_success: boolean | null;
    csat: number | null;
  };
  transcript: Array<{ turn: number; ts: string; user_text: string | null; agent_text: string | null }>;
  turns: CallTurn[];
  tool_calls: Array<{ ts: string; name: string; ok: boolean; latency_ms: number; arguments: JsonValue | null; result: JsonValue | null; error: string | null }>;
  errors: Array<{ ts: string; component: string; code: string; message: string; stack: string | null }>;
  provider_requests: Array<{ ts: string; kind: string; provider: string; ok: boolean; latency_ms: number; error_code: string | null }>;
  cost_lines: Array<{ component: string; provider: string; quantity: number; unit: string; estimated_micros: number; reconciled_micros: number | null }>;
  cost_micros: number;
  provider_cost_micros: number;
  audio_url: string | null;
}

export interface CallTurn {
  turn: number;
  ts: string;
  stt_ms: number;
  llm_ms: number;
  tts_ms: number;
  e2e_ms: number;
  interrupted: boolean;
}

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';
export type AlertSeverity = 'critical' | 'warning';

export interface AlertSubject {
  customer_id?: string;
  kind?: string;
  provider?: string;
  region?: string;
  call_id?: string;
}

export interface AlertDeliveryAttempt {
  at: string;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface AlertDelivery {
  target_id: string;
  action: 'trigger' | 'resolve';
  message_id: string;
  /** pending, delivered, failed or cancelled. */
  status: string;
  attempts: AlertDeliveryAttempt[];
}

export interface Alert {
  id: string;
  dedup_key: string;
  rule: string;
  severity: AlertSeverity;
  status: AlertStatus;
  subject: AlertSubject;
  summary: string;
  value: number;
  threshold: number;
  links: Array<{ href: string; text: string }>;
  condition_since: string;
  triggered_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  silenced_until: string | null;
  deliveries: AlertDelivery[];
}

export interface AlertTargetSummary {
  id: string;
  kind: 'pagerduty' | 'webhook';
  name: string;
}
