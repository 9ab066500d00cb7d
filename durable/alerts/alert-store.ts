// The AlertDesk's tables: alerts (one row per incident), silences, thresholds, API-configured
// targets. Rows in, records out; the lifecycle decisions live in AlertDesk.
import type { AlertSeverity } from '../../analytics/alert-rules.ts';
import type { AlertRecord, AlertStatus, AlertSubject, AlertTarget } from './alert-types.ts';

export type AlertRow = {
  id: string;
  dedup_key: string;
  incident: number;
  rule: string;
  severity: string;
  status: string;
  subject: string;
  summary: string;
  value: number;
  threshold: number;
  details: string;
  links: string;
  customer_id: string | null;
  condition_since_ms: number;
  triggered_ms: number;
  acknowledged_ms: number | null;
  acknowledged_by: string | null;
  resolved_ms: number | null;
  healthy_since_ms: number | null;
  resolve_after_ms: number;
  trigger_sent: number;
  history_dirty: number;
};

export type SilenceRow = {
  id: string;
  dedup_key: string | null;
  rule: string | null;
  customer_id: string | null;
  starts_ms: number;
  ends_ms: number;
  reason: string;
  created_by: string;
};

export function createAlertTables(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS alerts (
      id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL, incident INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
      status TEXT NOT NULL, subject TEXT NOT NULL, summary TEXT NOT NULL, value REAL NOT NULL, threshold REAL NOT NULL,
      details TEXT NOT NULL, links TEXT NOT NULL, customer_id TEXT, condition_since_ms INTEGER NOT NULL, triggered_ms INTEGER NOT NULL,
      acknowledged_ms INTEGER, acknowledged_by TEXT, resolved_ms INTEGER, healthy_since_ms INTEGER, resolve_after_ms INTEGER NOT NULL,
      trigger_sent INTEGER NOT NULL, history_dirty INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alerts_open ON alerts (dedup_key, status);
    CREATE INDEX IF NOT EXISTS alerts_recent ON alerts (triggered_ms);
    CREATE TABLE IF NOT EXISTS silences (
      id TEXT PRIMARY KEY, dedup_key TEXT, rule TEXT, customer_id TEXT, starts_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL,
      reason TEXT NOT NULL, created_by TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS alert_rules (id INTEGER PRIMARY KEY CHECK (id = 1), rules TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS alert_targets (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL, routing_key TEXT, secret TEXT, created_ms INTEGER NOT NULL
    );
  `);
}

export function toAlertRecord(row: AlertRow, silencedUntilMs: number | null): AlertRecord {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    dedup_key: row.dedup_key,
    rule: row.rule,
    severity: row.severity as AlertSeverity,
    status: row.status as AlertStatus,
    subject: JSON.parse(row.subject) as AlertSubject,
    summary: row.summary,
    value: row.value,
    threshold: row.threshold,
    details: JSON.parse(row.details) as AlertRecord['details'],
    links: JSON.parse(row.links) as Array<{ href: string; text: string }>,
    condition_since: new Date(row.condition_since_ms).toISOString(),
    triggered_at: new Date(row.triggered_ms).toISOString(),
    acknowledged_at: iso(row.acknowledged_ms),
    acknowledged_by: row.acknowledged_by,
    resolved_at: iso(row.resolved_ms),
    silenced_until: iso(silencedUntilMs),
  };
}

/** The latest end of the silences that cover an alert at `nowMs`, or null. */
export function silencedUntil(silences: readonly SilenceRow[], alert: { dedup_key: string; rule: string; customer_id: string | null }, nowMs: number): number | null {
  let until: number | null = null;
  for (const s of silences) {
    if (s.starts_ms > nowMs || s.ends_ms <= nowMs) continue;
    const matches =
      (s.dedup_key === null || s.dedup_key === alert.dedup_key) &&
      (s.rule === null || s.rule === alert.rule) &&
      (s.customer_id === null || s.customer_id === alert.customer_id);
    if (matches) until = Math.max(until ?? 0, s.ends_ms);
  }
  return until;
}

export type TargetRow = { id: string; kind: string; name: string; url: string; routing_key: string | null; secret: string | null; created_ms: number };

export function toTarget(row: TargetRow): AlertTarget {
  return {
    id: row.id,
    kind: row.kind === 'pagerduty' ? 'pagerduty' : 'webhook',
    name: row.name,
    url: row.url,
    routingKey: row.routing_key,
    secret: row.secret,
    source: 'api',
  };
}
