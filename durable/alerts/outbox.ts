// The AlertDesk's durable outbox: one row per (message, target), delivered at least once and in
// order per (target, dedup key): only the oldest undelivered message of a key is ever attempted,
// so a resolve never overtakes its trigger. Every attempt is logged.
import type { AlertAction, AlertRecord } from './alert-types.ts';

/** A Worker keeps at most 6 connections open at once; more would only queue behind them. */
export const maxConcurrentDeliveries = 6;
export const maxAttemptsPerRun = 50;

export type OutboxRow = {
  id: number;
  alert_id: string;
  dedup_key: string;
  target_id: string;
  action: string;
  message_id: string;
  /** The alert as it was when the message was queued: a late trigger still reads as a trigger. */
  alert_json: string;
  created_ms: number;
  attempts: number;
  next_attempt_ms: number;
  status: string;
  last_error: string | null;
  delivered_ms: number | null;
};

export type AttemptRow = {
  outbox_id: number;
  target_id: string;
  at_ms: number;
  ok: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
};

export class AlertOutbox {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, dedup_key TEXT NOT NULL, target_id TEXT NOT NULL,
        action TEXT NOT NULL, message_id TEXT NOT NULL, alert_json TEXT NOT NULL, created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL, status TEXT NOT NULL, last_error TEXT, delivered_ms INTEGER
      );
      CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, target_id, dedup_key, id);
      CREATE INDEX IF NOT EXISTS outbox_alert ON outbox (alert_id);
      CREATE TABLE IF NOT EXISTS delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, outbox_id INTEGER NOT NULL, target_id TEXT NOT NULL, at_ms INTEGER NOT NULL,
        ok INTEGER NOT NULL, status_code INTEGER, latency_ms INTEGER NOT NULL, error TEXT
      );
      CREATE INDEX IF NOT EXISTS delivery_attempts_outbox ON delivery_attempts (outbox_id);
    `);
  }

  enqueue(message: { alert: AlertRecord; action: AlertAction; messageId: string }, targetIds: readonly string[], nowMs: number): void {
    for (const targetId of targetIds) {
      this.sql.exec(
        `INSERT INTO outbox (alert_id, dedup_key, target_id, action, message_id, alert_json, created_ms, attempts, next_attempt_ms, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 'pending')`,
        message.alert.id,
        message.alert.dedup_key,
        targetId,
        message.action,
        message.messageId,
        JSON.stringify(message.alert),
        nowMs,
        nowMs,
      );
    }
  }

  /** The head message of every (target, dedup key) that is due now. */
  due(nowMs: number): OutboxRow[] {
    return this.sql
      .exec<OutboxRow>(
        `SELECT o.* FROM outbox o
         WHERE o.status = 'pending' AND o.next_attempt_ms <= ?
           AND o.id = (SELECT min(id) FROM outbox h WHERE h.status = 'pending' AND h.target_id = o.target_id AND h.dedup_key = o.dedup_key)
         ORDER BY o.id LIMIT ?`,
        nowMs,
        maxAttemptsPerRun,
      )
      .toArray();
  }

  nextDueMs(): number | null {
    return this.sql.exec<{ next: number | null }>("SELECT min(next_attempt_ms) AS next FROM outbox WHERE status = 'pending'").one().next;
  }

  recordAttempt(row: OutboxRow, attempt: Omit<AttemptRow, 'outbox_id' | 'target_id'>, outcome: { status: 'delivered' | 'pending' | 'failed'; nextAttemptMs: number }): void {
    this.sql.exec(
      'INSERT INTO delivery_attempts (outbox_id, target_id, at_ms, ok, status_code, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
      row.id,
      row.target_id,
      attempt.at_ms,
      attempt.ok,
      attempt.status_code,
      attempt.latency_ms,
      attempt.error,
    );
    this.sql.exec(
      'UPDATE outbox SET attempts = attempts + 1, status = ?, next_attempt_ms = ?, last_error = ?, delivered_ms = ? WHERE id = ?',
      outcome.status,
      outcome.nextAttemptMs,
      attempt.error,
      outcome.status === 'delivered' ? attempt.at_ms : null,
      row.id,
    );
  }

  /** A message no target will receive (its target was removed): out of the queue, kept in the log. */
  cancel(row: OutboxRow, reason: string): void {
    this.sql.exec("UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ?", reason, row.id);
  }

  forAlerts(alertIds: readonly string[]): Map<string, Array<OutboxRow & { attempt_log: AttemptRow[] }>> {
    const result = new Map<string, Array<OutboxRow & { attempt_log: AttemptRow[] }>>();
    for (const alertId of alertIds) {
      const rows = this.sql.exec<OutboxRow>('SELECT * FROM outbox WHERE alert_id = ? ORDER BY id', alertId).toArray();
      result.set(
        alertId,
        rows.map((row) => ({
          ...row,
          attempt_log: this.sql.exec<AttemptRow>('SELECT outbox_id, target_id, at_ms, ok, status_code, latency_ms, error FROM delivery_attempts WHERE outbox_id = ? ORDER BY id', row.id).toArray(),
        })),
      );
    }
    return result;
  }
}
