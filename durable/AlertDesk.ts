// One per platform. The alerts' single source of truth: the meters evaluate the rules where their
// state lives and tell the desk what each condition is doing (breached, in its band, healthy);
// the desk runs the lifecycle (trigger once, acknowledge, silence, resolve after the value has
// stayed healthy), keeps a durable outbox per target and delivers it from its alarm, at least
// once and in order per dedup key, and copies alert history to Postgres when it can.
import { DurableObject } from 'cloudflare:workers';
import { sql as drizzleSql } from 'drizzle-orm';
import { resolveAfterMs as defaultResolveAfterMs } from '../analytics/alert-rules.ts';
import { openDatabase } from '../workers/db/client.ts';
import { createAlertTables, silencedUntil, toAlertRecord, toTarget, type AlertRow, type SilenceRow, type TargetRow } from './alerts/alert-store.ts';
import type { AlertAction, AlertMessage, AlertObservation, AlertRecord, AlertStatus, AlertTarget } from './alerts/alert-types.ts';
import { deliverAlert, maxDeliveryWindowMs, nextAttemptDelayMs } from './alerts/delivery.ts';
import { AlertOutbox, maxConcurrentDeliveries, type AttemptRow, type OutboxRow } from './alerts/outbox.ts';
import { alertRulesSchema, defaultAlertRules, type AlertRulesConfig } from './alerts/rules-config.ts';
import { envTargets } from './alerts/targets.ts';

export interface AlertFilters {
  status?: AlertStatus[];
  rule?: string;
  customerId?: string;
  limit?: number;
}

export interface DeliveryView {
  target_id: string;
  action: AlertAction;
  message_id: string;
  status: string;
  attempts: Array<{ at: string; ok: boolean; status_code: number | null; latency_ms: number; error: string | null }>;
}

export interface AlertView extends AlertRecord {
  deliveries: DeliveryView[];
}

export interface SilenceInput {
  dedupKey: string | null;
  rule: string | null;
  customerId: string | null;
  endsAtMs: number;
  reason: string;
  actor: string;
}

const recentAlertsMs = 7 * 24 * 3_600_000;

export class AlertDesk extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly outbox: AlertOutbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    createAlertTables(this.sql);
    this.outbox = new AlertOutbox(this.sql);
  }

  // --- thresholds -------------------------------------------------------------------------

  rules(): AlertRulesConfig {
    const row = this.sql.exec<{ rules: string }>('SELECT rules FROM alert_rules').toArray()[0];
    return row ? alertRulesSchema.parse(JSON.parse(row.rules)) : defaultAlertRules;
  }

  setRules(rules: AlertRulesConfig): AlertRulesConfig {
    const valid = alertRulesSchema.parse(rules);
    this.sql.exec('INSERT OR REPLACE INTO alert_rules (id, rules) VALUES (1, ?)', JSON.stringify(valid));
    return valid;
  }

  // --- targets ----------------------------------------------------------------------------

  listTargets(): AlertTarget[] {
    const stored = this.sql.exec<TargetRow>('SELECT * FROM alert_targets ORDER BY created_ms, id').toArray().map(toTarget);
    return [...envTargets(this.env), ...stored];
  }

  getTarget(id: string): AlertTarget | null {
    return this.listTargets().find((t) => t.id === id) ?? null;
  }

  addTarget(target: AlertTarget, nowMs: number = Date.now()): AlertTarget {
    this.sql.exec(
      'INSERT INTO alert_targets (id, kind, name, url, routing_key, secret, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      target.id,
      target.kind,
      target.name,
      target.url,
      target.routingKey,
      target.secret,
      nowMs,
    );
    return { ...target, source: 'api' };
  }

  removeTarget(id: string): boolean {
    return this.sql.exec('DELETE FROM alert_targets WHERE id = ?', id).rowsWritten > 0;
  }

  // --- lifecycle ------------------------------------------------------------------------------

  private silences(): SilenceRow[] {
    return this.sql.exec<SilenceRow>('SELECT * FROM silences').toArray();
  }

  private openAlert(dedupKey: string): AlertRow | null {
    return this.sql.exec<AlertRow>("SELECT * FROM alerts WHERE dedup_key = ? AND status <> 'resolved'", dedupKey).toArray()[0] ?? null;
  }

  private messageId(row: AlertRow, action: AlertAction): string {
    return `msg_${row.dedup_key}_${row.incident}_${action}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
  }

  private enqueue(row: AlertRow, action: AlertAction, nowMs: number): void {
    const alert = toAlertRecord(row, null);
    this.outbox.enqueue({ alert, action, messageId: this.messageId(row, action) }, this.listTargets().map((t) => t.id), nowMs);
  }

  /** Applies what the meters observed; answers the dedup keys with an open alert afterwards. */
  async observe(observations: AlertObservation[], nowMs: number = Date.now()): Promise<string[]> {
    const silences = this.silences();
    this.ctx.storage.transactionSync(() => {
      for (const obs of observations) {
        const open = this.openAlert(obs.dedupKey);
        if (obs.state === 'breached') {
          if (open) {
            this.sql.exec(
              'UPDATE alerts SET value = ?, threshold = ?, summary = ?, details = ?, healthy_since_ms = NULL, history_dirty = 1 WHERE id = ?',
              obs.value,
              obs.threshold,
              obs.summary,
              JSON.stringify(obs.details),
              open.id,
            );
            continue;
          }
          const incident = (this.sql.exec<{ n: number | null }>('SELECT max(incident) AS n FROM alerts WHERE dedup_key = ?', obs.dedupKey).one().n ?? 0) + 1;
          const row: AlertRow = {
            id: `alt_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
            dedup_key: obs.dedupKey,
            incident,
            rule: obs.rule,
            severity: obs.severity,
            status: 'triggered',
            subject: JSON.stringify(obs.subject),
            summary: obs.summary,
            value: obs.value,
            threshold: obs.threshold,
            details: JSON.stringify(obs.details),
            links: JSON.stringify(obs.links),
            customer_id: obs.subject.customer_id ?? null,
            condition_since_ms: nowMs,
            triggered_ms: nowMs,
            acknowledged_ms: null,
            acknowledged_by: null,
            resolved_ms: null,
            healthy_since_ms: null,
            resolve_after_ms: obs.resolveAfterMs ?? defaultResolveAfterMs,
            trigger_sent: 0,
            history_dirty: 1,
          };
          const silenced = silencedUntil(silences, row, nowMs) !== null;
          row.trigger_sent = silenced ? 0 : 1;
          this.sql.exec(
            `INSERT INTO alerts (id, dedup_key, incident, rule, severity, status, subject, summary, value, threshold, details, links, customer_id,
               condition_since_ms, triggered_ms, acknowledged_ms, acknowledged_by, resolved_ms, healthy_since_ms, resolve_after_ms, trigger_sent, history_dirty)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, 1)`,
            row.id, row.dedup_key, row.incident, row.rule, row.severity, row.status, row.subject, row.summary, row.value, row.threshold,
            row.details, row.links, row.customer_id, row.condition_since_ms, row.triggered_ms, row.resolve_after_ms, row.trigger_sent,
          );
          if (!silenced) this.enqueue(row, 'trigger', nowMs);
        } else if (open) {
          const healthySince = obs.state === 'healthy' ? (open.healthy_since_ms ?? nowMs) : null;
          this.sql.exec('UPDATE alerts SET value = ?, healthy_since_ms = ?, history_dirty = 1 WHERE id = ?', obs.value, healthySince, open.id);
        }
      }
      this.resolveRecovered(nowMs);
    });
    await this.scheduleAlarm(nowMs);
    return this.sql.exec<{ dedup_key: string }>("SELECT dedup_key FROM alerts WHERE status <> 'resolved'").toArray().map((r) => r.dedup_key);
  }

  /** Resolves every open alert whose value has stayed healthy long enough. */
  private resolveRecovered(nowMs: number): void {
    const due = this.sql
      .exec<AlertRow>("SELECT * FROM alerts WHERE status <> 'resolved' AND healthy_since_ms IS NOT NULL AND healthy_since_ms + resolve_after_ms <= ?", nowMs)
      .toArray();
    for (const row of due) {
      this.sql.exec("UPDATE alerts SET status = 'resolved', resolved_ms = ?, history_dirty = 1 WHERE id = ?", nowMs, row.id);
      // A trigger that was never sent (silenced throughout) needs no resolve.
      if (row.trigger_sent === 1) this.enqueue(row, 'resolve', nowMs);
    }
  }

  /** Sends the triggers of open alerts whose silence has ended. */
  private releaseExpiredSilences(nowMs: number): void {
    const silences = this.silences();
    const held = this.sql.exec<AlertRow>("SELECT * FROM alerts WHERE status <> 'resolved' AND trigger_sent = 0").toArray();
    for (const row of held) {
      if (silencedUntil(silences, row, nowMs) !== null) continue;
      this.sql.exec('UPDATE alerts SET trigger_sent = 1 WHERE id = ?', row.id);
      this.enqueue(row, 'trigger', nowMs);
    }
    this.sql.exec('DELETE FROM silences WHERE ends_ms < ?', nowMs - recentAlertsMs);
  }

  acknowledge(alertId: string, actor: string, nowMs: number = Date.now()): AlertRecord | null {
    const row = this.sql.exec<AlertRow>('SELECT * FROM alerts WHERE id = ?', alertId).toArray()[0];
    if (!row) return null;
    if (row.status === 'triggered') {
      this.sql.exec("UPDATE alerts SET status = 'acknowledged', acknowledged_ms = ?, acknowledged_by = ?, history_dirty = 1 WHERE id = ?", nowMs, actor, alertId);
    }
    return this.record(alertId, nowMs);
  }

  async silence(input: SilenceInput, nowMs: number = Date.now()): Promise<SilenceRow> {
    const row: SilenceRow = {
      id: `sil_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`,
      dedup_key: input.dedupKey,
      rule: input.rule,
      customer_id: input.customerId,
      starts_ms: nowMs,
      ends_ms: input.endsAtMs,
      reason: input.reason,
      created_by: input.actor,
    };
    this.sql.exec(
      'INSERT INTO silences (id, dedup_key, rule, customer_id, starts_ms, ends_ms, reason, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      row.id, row.dedup_key, row.rule, row.customer_id, row.starts_ms, row.ends_ms, row.reason, row.created_by,
    );
    await this.scheduleAlarm(nowMs);
    return row;
  }

  listSilences(nowMs: number = Date.now()): SilenceRow[] {
    return this.sql.exec<SilenceRow>('SELECT * FROM silences WHERE ends_ms > ? ORDER BY ends_ms', nowMs).toArray();
  }

  // --- reading ------------------------------------------------------------------------------------

  private record(alertId: string, nowMs: number): AlertRecord | null {
    const row = this.sql.exec<AlertRow>('SELECT * FROM alerts WHERE id = ?', alertId).toArray()[0];
    return row ? toAlertRecord(row, silencedUntil(this.silences(), row, nowMs)) : null;
  }

  list(filters: AlertFilters = {}, nowMs: number = Date.now()): AlertView[] {
    const rows = this.sql
      .exec<AlertRow>("SELECT * FROM alerts WHERE status <> 'resolved' OR triggered_ms >= ? ORDER BY triggered_ms DESC, id", nowMs - recentAlertsMs)
      .toArray()
      .filter((row) => !filters.status || filters.status.includes(row.status as AlertStatus))
      .filter((row) => !filters.rule || row.rule === filters.rule)
      .filter((row) => !filters.customerId || row.customer_id === filters.customerId)
      .slice(0, filters.limit ?? 100);
    const silences = this.silences();
    const deliveries = this.outbox.forAlerts(rows.map((r) => r.id));
    return rows.map((row) => ({
      ...toAlertRecord(row, silencedUntil(silences, row, nowMs)),
      deliveries: (deliveries.get(row.id) ?? []).map((d) => ({
        target_id: d.target_id,
        action: d.action as AlertAction,
        message_id: d.message_id,
        status: d.status,
        attempts: d.attempt_log.map((a: AttemptRow) => ({
          at: new Date(a.at_ms).toISOString(),
          ok: a.ok === 1,
          status_code: a.status_code,
          latency_ms: a.latency_ms,
          error: a.error,
        })),
      })),
    }));
  }

  // --- the alarm ----------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    await this.tick(Date.now());
  }

  /** Resolves recovered alerts, releases expired silences, delivers what is due, copies history. */
  async tick(nowMs: number = Date.now(), fetchImpl: typeof fetch = fetch): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.resolveRecovered(nowMs);
      this.releaseExpiredSilences(nowMs);
    });
    await this.deliverDue(nowMs, fetchImpl);
    await this.copyHistory();
    await this.scheduleAlarm(nowMs);
  }

  private async deliverDue(nowMs: number, fetchImpl: typeof fetch): Promise<void> {
    const targets = new Map(this.listTargets().map((t) => [t.id, t]));
    const due = this.outbox.due(nowMs);
    for (let i = 0; i < due.length; i += maxConcurrentDeliveries) {
      await Promise.all(due.slice(i, i + maxConcurrentDeliveries).map((row) => this.deliverOne(row, targets.get(row.target_id) ?? null, nowMs, fetchImpl)));
    }
  }

  private async deliverOne(row: OutboxRow, target: AlertTarget | null, nowMs: number, fetchImpl: typeof fetch): Promise<void> {
    if (!target) {
      this.outbox.cancel(row, 'target removed');
      return;
    }
    const message: AlertMessage = { messageId: row.message_id, action: row.action as AlertAction, alert: JSON.parse(row.alert_json) as AlertRecord };
    const outcome = await deliverAlert(message, target, { fetch: fetchImpl, nowMs, publicBaseUrl: this.env.PUBLIC_BASE_URL });
    const attempt = {
      at_ms: nowMs,
      ok: outcome.ok ? 1 : 0,
      status_code: outcome.status,
      latency_ms: Math.round(outcome.latencyMs),
      error: outcome.ok ? null : outcome.error,
    };
    if (outcome.ok) {
      this.outbox.recordAttempt(row, attempt, { status: 'delivered', nextAttemptMs: nowMs });
      return;
    }
    const delay = outcome.retryAfterMs ?? nextAttemptDelayMs(row.attempts + 1, Math.random);
    const giveUp = !outcome.retry || nowMs + delay > row.created_ms + maxDeliveryWindowMs;
    this.outbox.recordAttempt(row, attempt, { status: giveUp ? 'failed' : 'pending', nextAttemptMs: nowMs + delay });
  }

  /** History in Postgres for reports and audits; best effort, retried while Postgres is away. */
  private async copyHistory(): Promise<void> {
    const dirty = this.sql.exec<AlertRow>('SELECT * FROM alerts WHERE history_dirty = 1 LIMIT 200').toArray();
    if (dirty.length === 0) return;
    const database = openDatabase(this.env);
    try {
      for (const row of dirty) {
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        await database.db.execute(drizzleSql`
          INSERT INTO alert_history (id, dedup_key, rule, severity, status, customer_id, subject, summary, value, threshold, details,
                                     triggered_at, acknowledged_at, acknowledged_by, resolved_at)
          VALUES (${row.id}, ${row.dedup_key}, ${row.rule}, ${row.severity}, ${row.status}, ${row.customer_id}, ${row.subject}::jsonb,
                  ${row.summary}, ${row.value}, ${row.threshold}, ${row.details}::jsonb, ${iso(row.triggered_ms)}, ${iso(row.acknowledged_ms)},
                  ${row.acknowledged_by}, ${iso(row.resolved_ms)})
          ON CONFLICT (id) DO UPDATE SET status = excluded.status, summary = excluded.summary, value = excluded.value,
            details = excluded.details, acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by,
            resolved_at = excluded.resolved_at`);
        this.sql.exec('UPDATE alerts SET history_dirty = 0 WHERE id = ? AND history_dirty = 1', row.id);
      }
    } catch (error) {
      console.error('alert history copy to Postgres failed; retrying on a later alarm', error);
    } finally {
      this.ctx.waitUntil(database.close().catch(() => {}));
    }
  }

  private async scheduleAlarm(nowMs: number): Promise<void> {
    const candidates: number[] = [];
    const nextDelivery = this.outbox.nextDueMs();
    if (nextDelivery !== null) candidates.push(nextDelivery);
    const nextResolve = this.sql
      .exec<{ at: number | null }>("SELECT min(healthy_since_ms + resolve_after_ms) AS at FROM alerts WHERE status <> 'resolved' AND healthy_since_ms IS NOT NULL")
      .one().at;
    if (nextResolve !== null) candidates.push(nextResolve);
    const held = this.sql.exec("SELECT 1 FROM alerts WHERE status <> 'resolved' AND trigger_sent = 0 LIMIT 1").toArray().length > 0;
    if (held) {
      const nextSilenceEnd = this.sql.exec<{ at: number | null }>('SELECT min(ends_ms) AS at FROM silences WHERE ends_ms > ?', nowMs).one().at;
      if (nextSilenceEnd !== null) candidates.push(nextSilenceEnd);
    }
    if (this.sql.exec('SELECT 1 FROM alerts WHERE history_dirty = 1 LIMIT 1').toArray().length > 0) candidates.push(nowMs + 10_000);
    if (candidates.length === 0) return;
    const at = Math.max(nowMs + 50, Math.min(...candidates));
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < nowMs) await this.ctx.storage.setAlarm(at);
  }
}

export function alertDesk(env: Env): DurableObjectStub<AlertDesk> {
  return env.ALERT_DESK.get(env.ALERT_DESK.idFromName('platform'));
}
