// The alert records the AlertDesk keeps and the messages targets receive (CONTRACT section 4).
import type { AlertSeverity, ConditionState } from '../../analytics/alert-rules.ts';
import type { Rate } from '../../analytics/rate.ts';

/** What alert details may hold: plain values, rates and per-key amounts (finite, so RPC types stay shallow). */
export type AlertDetailValue = string | number | boolean | null | number[] | Rate | Rate[] | Record<string, number>;

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';
export type AlertAction = 'trigger' | 'resolve';

export interface AlertSubject {
  customer_id?: string;
  kind?: string;
  provider?: string;
  region?: string;
  call_id?: string;
}

/** What a meter says about one rule's condition at one moment. */
export interface AlertObservation {
  dedupKey: string;
  rule: string;
  severity: AlertSeverity;
  subject: AlertSubject;
  state: ConditionState;
  value: number;
  threshold: number;
  summary: string;
  details: Record<string, AlertDetailValue>;
  /** Operator-view paths (the desk makes them absolute with its public URL). */
  links: Array<{ href: string; text: string }>;
  /** How long the value must stay healthy before the alert resolves (default 2 minutes). */
  resolveAfterMs?: number;
}

export interface AlertRecord {
  id: string;
  dedup_key: string;
  rule: string;
  severity: AlertSeverity;
  status: AlertStatus;
  subject: AlertSubject;
  summary: string;
  value: number;
  threshold: number;
  details: Record<string, AlertDetailValue>;
  links: Array<{ href: string; text: string }>;
  condition_since: string;
  triggered_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  silenced_until: string | null;
}

/** One message to one target: stable `messageId` per (incident, action) across every retry. */
export interface AlertMessage {
  messageId: string;
  action: AlertAction;
  alert: AlertRecord;
}

export type AlertTargetKind = 'pagerduty' | 'webhook';

export interface AlertTarget {
  id: string;
  kind: AlertTargetKind;
  name: string;
  url: string;
  /** PagerDuty routing key. */
  routingKey: string | null;
  /** Standard Webhooks signing secret (`whsec_...`). */
  secret: string | null;
  /** Configured by environment variables (not deletable through the API) or through the API. */
  source: 'env' | 'api';
}

/** Why an attempt failed: `throttled`, `server_error`, `timeout`, `network_error` are retried. */
export type DeliveryErrorCode = 'rejected' | 'throttled' | 'server_error' | 'redirected' | 'timeout' | 'network_error' | 'target_misconfigured';

export type DeliveryOutcome =
  | { ok: true; status: number; latencyMs: number }
  | { ok: false; retry: boolean; code: DeliveryErrorCode; status: number | null; latencyMs: number; error: string; retryAfterMs: number | null };
