// One per customer (idFromName(customer_id)). Ingestion's durable edge and the customer's live
// counters:
// - it deduplicates events, rejects a second call.ended, and writes accepted events to its SQLite
//   storage before the 202 leaves (the output gate holds the response until the write is
//   durable), then flushes them to Postgres from an alarm, retrying with backoff while Postgres is
//   down; the buffer is bounded, and past its limit new events are refused rather than risked;
// - it folds every accepted event into its live hour (5-second buckets) and reports the new
//   counts to the PlatformMeter within about a second, with its own row and until when that row
//   stays exact; it wakes again at that instant (a bucket leaving a window, a call turning
//   stale), so a meter with no new events costs nothing between those.
// A batch costs a fixed handful of SQLite statements whatever its size (docs/decisions/0009).
// Its alarm runs only while there is something to flush, report or move, so quiet tenants cost
// nothing.
import { DurableObject } from 'cloudflare:workers';
import { hourWindowMs, liveAsOf, rateMetrics, rateWindowMs } from '../analytics/live-window.ts';
import { effectiveNormalCallsPerHour, loadRatio, noisyLoadRatio } from '../analytics/load.ts';
import { maxStoredMicros, storableBilledAmount } from '../analytics/money.ts';
import { openDatabase, type DatabaseHandle } from '../workers/db/client.ts';
import { storeEventBatch, type StoredEventInput } from '../workers/db/event-store.ts';
import type { SwitchboardEvent } from '../workers/ingest/event-schema.ts';
import type { ValidEvent } from '../workers/ingest/parse-batch.ts';
import { alertDesk } from './AlertDesk.ts';
import { ConditionTracker } from './alerts/condition-tracker.ts';
import { customerObservations } from './alerts/customer-rules.ts';
import { thresholdsFor, type PlatformThresholds } from './alerts/rules-config.ts';
import { platformMeter } from './PlatformMeter.ts';
import { allRegions, type TenantLiveRow, type TenantSnapshot } from './platform/live-view.ts';
import { flushDelayMs, flushRetryDelayMs } from './tenant/flush-backoff.ts';
import { TenantLiveStore } from './tenant/live-store.ts';
import { rateCardAt, type MeterConfig } from './tenant/meter-config.ts';
import { execJsonRows, queryJsonRows } from './sql-json-rows.ts';

/** Events are remembered this long after receipt: longer than the 24 h an event may be late. */
export const dedupWindowMs = 25 * 3_600_000;
/** Ended calls are remembered longer, so a late second call.ended is still recognised. */
const endedCallMemoryMs = 48 * 3_600_000;
const defaultBufferLimit = 100_000;
const flushBatchSize = 1_000;
const idSweepIntervalMs = 60_000;
/** How soon new counts reach the PlatformMeter. */
export const reportDelayMs = 1_000;
/**
 * How soon a flush's outcome (the buffer's new depth) reaches it at the latest: a meter with live
 * traffic reports sooner anyway, and an alarm saved is a storage commit saved.
 */
export const bufferReportDelayMs = 10_000;
const loadWindowMs = 15 * 60_000;
/** The windows a snapshot is computed over; its values move only when a bucket enters or leaves one. */
const snapshotWindowsMs = [rateWindowMs, loadWindowMs, hourWindowMs];
/**
 * Alert conditions are functions of the snapshot, so they are re-evaluated when it moves; a change
 * the AlertDesk could not take is sent again this soon.
 */
const alertRetryMs = 5_000;
/** Thresholds change rarely; a meter re-reads them from the AlertDesk at most this often. */
const thresholdsCacheMs = 60_000;
/**
 * A busy tenant (one that flushed within this long before) keeps its Postgres connection this
 * long after a flush: a new connection costs the server a backend and a cold plan of
 * ingest_events(), about five times a small flush's own work. Any other tenant closes it at once:
 * a thousand tenants flushing one batch each must not hold a thousand connections (locally, 64
 * slots) for seconds.
 */
const keepDatabaseOpenMs = 3_000;

export interface LoadSignal {
  as_of: string;
  load_ratio: number;
  noisy: boolean;
  spend_limit_exceeded: boolean;
}

export interface MeterRejection {
  index: number;
  path: string;
  message: string;
}

export type MeterIngestResult =
  | { status: 'stored'; accepted: number; duplicates: number; rejected: MeterRejection[] }
  | { status: 'buffer_full'; retryAfterSeconds: number };

export interface FlushReport {
  flushed: number;
  remaining: number;
  failedAttempts: number;
  lastError: string | null;
}

export class TenantMeter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly bufferLimit: number;
  private readonly live: TenantLiveStore;
  private readonly conditions: ConditionTracker;
  private thresholds: { value: PlatformThresholds; readMs: number } | null = null;
  private buffered = 0;
  /** Whether the row may differ from what the PlatformMeter last accepted (true for a new instance). */
  private rowOutdated = true;
  private alertChangesUnsent = false;
  private failedAttempts = 0;
  private lastError: string | null = null;
  private flushRetryAtMs = 0;
  private flushing: Promise<FlushReport> | null = null;
  private reportSeq = 0;
  private forgotIdsAtMs = 0;
  /** The snapshot values (all but as_of) the PlatformMeter last accepted from this instance. */
  private lastReportedValues: string | null = null;
  private config: MeterConfig | null = null;
  private database: DatabaseHandle | null = null;
  private closeIdleDatabase: ReturnType<typeof setTimeout> | undefined;
  private lastFlushedMs = Number.NEGATIVE_INFINITY;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.bufferLimit = Number(env.EVENT_BUFFER_LIMIT) || defaultBufferLimit;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS event_buffer (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_json TEXT NOT NULL, raw_json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, received_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS seen_events_received ON seen_events (received_ms);
      CREATE TABLE IF NOT EXISTS ended_calls (call_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, received_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS declared_recordings (call_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, received_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meter_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), failed_attempts INTEGER NOT NULL, last_error TEXT,
        flush_retry_at_ms INTEGER NOT NULL, report_seq INTEGER NOT NULL, config TEXT
      );
    `);
    this.live = new TenantLiveStore(this.sql);
    this.conditions = new ConditionTracker(this.sql);
    this.buffered = this.countBuffered();
    const state = this.sql
      .exec<{ failed_attempts: number; last_error: string | null; flush_retry_at_ms: number; report_seq: number; config: string | null }>('SELECT * FROM meter_state')
      .toArray()[0];
    if (state) {
      this.failedAttempts = state.failed_attempts;
      this.lastError = state.last_error;
      this.flushRetryAtMs = state.flush_retry_at_ms;
      this.reportSeq = state.report_seq;
      this.config = state.config ? (JSON.parse(state.config) as MeterConfig) : null;
    }
  }

  private countBuffered(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM event_buffer').one().n;
  }

  private saveState(): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO meter_state (id, failed_attempts, last_error, flush_retry_at_ms, report_seq, config) VALUES (1, ?, ?, ?, ?, ?)',
      this.failedAttempts,
      this.lastError,
      this.flushRetryAtMs,
      this.reportSeq,
      this.config ? JSON.stringify(this.config) : null,
    );
  }

  async configure(config: MeterConfig): Promise<void> {
    this.config = config;
    this.saveState();
  }

  async ingest(events: ValidEvent[], nowMs: number = Date.now()): Promise<MeterIngestResult> {
    if (this.buffered + events.length > this.bufferLimit) {
      return { status: 'buffer_full', retryAfterSeconds: Math.ceil(flushRetryDelayMs(this.failedAttempts + 1, () => 1) / 1000) };
    }
    let duplicates = 0;
    const rejected: MeterRejection[] = [];
    const accepted: SwitchboardEvent[] = [];
    this.ctx.storage.transactionSync(() => {
      // A fixed handful of statements per batch (a statement costs about as much as a small one's
      // work): what is already known is read in two queries, and the batch's rows written in one
      // statement per table. Sets carry the same checks across events of the same batch.
      const seen = new Set(
        queryJsonRows<{ event_id: string }>(this.sql, 'SELECT event_id FROM seen_events WHERE event_id IN (SELECT value FROM json_each(?))', events.map((e) => e.event.id)).map((row) => row.event_id),
      );
      const ended = new Set(
        queryJsonRows<{ call_id: string }>(
          this.sql,
          'SELECT call_id FROM ended_calls WHERE call_id IN (SELECT value FROM json_each(?))',
          events.flatMap((e) => (e.event.type === 'call.ended' ? [e.event.call_id] : [])),
        ).map((row) => row.call_id),
      );
      const endedRows: Array<[string, string]> = [];
      const recordings: Array<[string, string]> = [];
      const bufferRows: Array<[string, string]> = [];
      for (const { index, event, raw } of events) {
        if (seen.has(event.id)) {
          duplicates++;
          continue;
        }
        if (event.type === 'call.ended') {
          if (ended.has(event.call_id)) {
            rejected.push({ index, path: 'type', message: 'call already ended: the first call.ended of a call is authoritative' });
            continue;
          }
          if (storableBilledAmount(event.cost.map((line) => line.cost_micros), event.duration_ms, rateCardAt(this.config, Date.parse(event.ts))) === null) {
            rejected.push({ index, path: 'cost', message: `under the customer's rate card this call would bill more than ${maxStoredMicros} micro-USD, the most an amount can hold` });
            continue;
          }
          ended.add(event.call_id);
          endedRows.push([event.call_id, event.id]);
          if (event.audio) recordings.push([event.call_id, event.audio.sha256]);
        }
        seen.add(event.id);
        bufferRows.push([JSON.stringify(event), raw]);
        accepted.push(event);
      }
      if (accepted.length === 0) return;
      execJsonRows(this.sql, 'INSERT INTO seen_events (event_id, received_ms) SELECT value, ?2 FROM json_each(?1)', accepted.map((event) => event.id), nowMs);
      execJsonRows(this.sql, 'INSERT INTO event_buffer (event_json, raw_json) SELECT value ->> 0, value ->> 1 FROM json_each(?) ORDER BY key', bufferRows);
      if (endedRows.length > 0) {
        execJsonRows(this.sql, 'INSERT INTO ended_calls (call_id, event_id, received_ms) SELECT value ->> 0, value ->> 1, ?2 FROM json_each(?1)', endedRows, nowMs);
      }
      if (recordings.length > 0) {
        execJsonRows(this.sql, 'INSERT OR REPLACE INTO declared_recordings (call_id, sha256, received_ms) SELECT value ->> 0, value ->> 1, ?2 FROM json_each(?1) ORDER BY key', recordings, nowMs);
      }
      if (!this.config) {
        const customerId = accepted[0]?.customer_id ?? '';
        this.config = { customerId, rateCards: [], normalCallsPerHour: null, hourlySpendLimitMicros: 100_000_000 };
        this.saveState();
      }
      this.live.record(accepted, (tsMs) => rateCardAt(this.config, tsMs), nowMs);
    });
    this.buffered += accepted.length;
    if (accepted.length > 0) {
      this.rowOutdated = true;
      await this.scheduleAlarm(nowMs + Math.min(flushDelayMs, reportDelayMs));
    }
    return { status: 'stored', accepted: accepted.length, duplicates, rejected };
  }

  override async alarm(): Promise<void> {
    await this.tick(Date.now());
  }

  /**
   * The alarm's work at `nowMs`: report to the platform, start the flush if one is due, plan the
   * next run. The flush is not waited for: it waits on Postgres (a connection, an outage), and
   * the meter's next alarms, which keep the operator's live view current, must not.
   */
  async tick(nowMs: number = Date.now()): Promise<void> {
    const snapshot = this.snapshot(nowMs);
    await this.reportToPlatform(nowMs, snapshot);
    await this.evaluateAlerts(nowMs, snapshot);
    if (this.buffered > 0 && nowMs >= this.flushRetryAtMs && !this.flushing) this.ctx.waitUntil(this.flush(nowMs));
    this.live.prune(nowMs);
    const next: number[] = [];
    // A running flush plans the alarm after it itself; one stays set meanwhile in case the object
    // restarts before the flush ends.
    if (this.buffered > 0) next.push(this.flushing ? nowMs + bufferReportDelayMs : Math.max(nowMs + flushDelayMs, this.flushRetryAtMs));
    if (this.live.hasUnreported()) next.push(nowMs + reportDelayMs);
    if (this.rowOutdated) next.push(nowMs + bufferReportDelayMs);
    if (snapshot.validUntilMs !== null) next.push(snapshot.validUntilMs);
    if (this.alertChangesUnsent) next.push(nowMs + alertRetryMs);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next));
    else await this.ctx.storage.deleteAlarm();
  }

  private flushDatabase(): DatabaseHandle {
    clearTimeout(this.closeIdleDatabase);
    this.database ??= openDatabase(this.env);
    return this.database;
  }

  private closeDatabase(): void {
    clearTimeout(this.closeIdleDatabase);
    const open = this.database;
    this.database = null;
    if (open) this.ctx.waitUntil(open.close().catch(() => {}));
  }

  private async scheduleAlarm(atMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > atMs) await this.ctx.storage.setAlarm(atMs);
  }

  /**
   * Writes buffered events to Postgres in batches, oldest first; the buffer's new figures are
   * reported by the meter's next alarm, at the latest bufferReportDelayMs later.
   */
  async flush(nowMs: number = Date.now()): Promise<FlushReport> {
    if (!this.flushing && this.buffered === 0) return this.flushStatus();
    // One flush at a time: an alarm and an explicit tick must not send (and count off) the same rows twice.
    this.flushing ??= this.flushOnce(nowMs).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(nowMs: number): Promise<FlushReport> {
    let flushed = 0;
    const database = this.flushDatabase();
    try {
      while (this.buffered > 0) {
        const rows = this.sql
          .exec<{ seq: number; event_json: string; raw_json: string }>('SELECT seq, event_json, raw_json FROM event_buffer ORDER BY seq LIMIT ?', flushBatchSize)
          .toArray();
        if (rows.length === 0) break;
        const batch: StoredEventInput[] = rows.map((row) => ({ event: row.event_json, raw: row.raw_json }));
        await storeEventBatch(database.db, batch);
        this.sql.exec('DELETE FROM event_buffer WHERE seq <= ?', rows[rows.length - 1]?.seq ?? 0);
        this.buffered -= rows.length;
        flushed += rows.length;
      }
      this.failedAttempts = 0;
      this.lastError = null;
      this.flushRetryAtMs = 0;
      this.forgetOldIds(nowMs);
      if (nowMs - this.lastFlushedMs < keepDatabaseOpenMs) this.closeIdleDatabase = setTimeout(() => this.closeDatabase(), keepDatabaseOpenMs);
      else this.closeDatabase();
      this.lastFlushedMs = nowMs;
    } catch (error) {
      this.failedAttempts += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.flushRetryAtMs = nowMs + flushRetryDelayMs(this.failedAttempts);
      // The next attempt starts from a fresh connection: this one may be what failed.
      this.closeDatabase();
    } finally {
      this.saveState();
    }
    this.rowOutdated = true;
    // A failed flush is retried on its backoff, which may be sooner.
    await this.scheduleAlarm(Math.min(nowMs + bufferReportDelayMs, this.buffered > 0 ? this.flushRetryAtMs : Infinity));
    return { flushed, remaining: this.buffered, failedAttempts: this.failedAttempts, lastError: this.lastError };
  }

  /** Forgets ids past their memory; at most once a minute, since forgetting later is harmless. */
  private forgetOldIds(nowMs: number): void {
    if (nowMs - this.forgotIdsAtMs < idSweepIntervalMs) return;
    this.forgotIdsAtMs = nowMs;
    this.sql.exec('DELETE FROM seen_events WHERE received_ms < ?', nowMs - dedupWindowMs);
    this.sql.exec('DELETE FROM ended_calls WHERE received_ms < ?', nowMs - endedCallMemoryMs);
    this.sql.exec('DELETE FROM declared_recordings WHERE received_ms < ?', nowMs - endedCallMemoryMs);
  }

  private oldestBufferedReceivedMs(): number | null {
    if (this.buffered === 0) return null;
    return (
      this.sql
        .exec<{ received_ms: number }>(
          `SELECT s.received_ms FROM event_buffer b JOIN seen_events s ON s.event_id = json_extract(b.event_json, '$.id') ORDER BY b.seq LIMIT 1`,
        )
        .toArray()[0]?.received_ms ?? null
    );
  }

  flushStatus(): FlushReport {
    return { flushed: 0, remaining: this.buffered, failedAttempts: this.failedAttempts, lastError: this.lastError };
  }

  /** The sha256 a recent call.ended declared for the call's recording, if any. */
  declaredRecordingSha256(callId: string): string | null {
    return this.sql.exec<{ sha256: string }>('SELECT sha256 FROM declared_recordings WHERE call_id = ?', callId).toArray()[0]?.sha256 ?? null;
  }

  private liveRow(asOfMs: number, activeCalls: ReadonlyMap<string, number>, region: string | null): TenantLiveRow {
    const hour = this.live.totals(asOfMs, hourWindowMs, region);
    const metrics = rateMetrics(this.live.window(asOfMs, rateWindowMs, region));
    return {
      active_calls: region === null ? [...activeCalls.values()].reduce((sum, n) => sum + n, 0) : (activeCalls.get(region) ?? 0),
      calls_per_hour: hour.callsStarted,
      cost_per_hour_micros: hour.billedMicros,
      provider_cost_per_hour_micros: hour.providerCostMicros,
      success_rate: metrics.success_rate,
      error_rate: metrics.error_rate,
      p95_e2e_ms: metrics.e2e_ms.p95,
    };
  }

  /** This customer's row of the operator's table, per region and for all regions. */
  snapshot(nowMs: number = Date.now()): TenantSnapshot {
    const asOfMs = liveAsOf(nowMs);
    const activeCalls = this.live.activeCallsByRegion(nowMs);
    const rows: Record<string, TenantLiveRow> = { [allRegions]: this.liveRow(asOfMs, activeCalls, null) };
    for (const region of this.live.regions(asOfMs - hourWindowMs)) rows[region] = this.liveRow(asOfMs, activeCalls, region);
    const learned = this.live.learnedNormalCallsPerHour(nowMs);
    const configured = this.config?.normalCallsPerHour ?? null;
    return {
      asOfMs,
      eventBuffer: { events: this.buffered, oldestReceivedMs: this.oldestBufferedReceivedMs(), failedFlushAttempts: this.failedAttempts },
      validUntilMs: this.live.nextChangeMs(nowMs, snapshotWindowsMs),
      normalCallsPerHour: effectiveNormalCallsPerHour(configured, learned),
      normalIsLearned: configured === null,
      startedLast15Minutes: this.live.totals(asOfMs, loadWindowMs, null).callsStarted,
      hourlySpendLimitMicros: this.config?.hourlySpendLimitMicros ?? 100_000_000,
      rows,
    };
  }

  private async alertThresholds(nowMs: number): Promise<PlatformThresholds> {
    if (!this.thresholds || nowMs - this.thresholds.readMs > thresholdsCacheMs) {
      const rules = await alertDesk(this.env).rules();
      this.thresholds = { value: thresholdsFor(rules, this.config?.customerId ?? null), readMs: nowMs };
    }
    return this.thresholds.value;
  }

  /** The customer rules of CONTRACT section 4 over this meter's live hour; changes go to the AlertDesk. */
  private async evaluateAlerts(nowMs: number, snapshot: TenantSnapshot): Promise<void> {
    const customerId = this.config?.customerId;
    if (!customerId) return;
    try {
      const thresholds = await this.alertThresholds(nowMs);
      const observations = customerObservations({
        customerId,
        billedLastHourMicros: snapshot.rows[allRegions]?.cost_per_hour_micros ?? 0,
        hourlySpendLimitMicros: snapshot.hourlySpendLimitMicros,
        loadRatio: loadRatio(snapshot.startedLast15Minutes, snapshot.normalCallsPerHour),
        normalCallsPerHour: snapshot.normalCallsPerHour,
        expensiveCalls: this.live.expensiveCalls(snapshot.asOfMs - hourWindowMs, nowMs + 1, thresholds.callCostMicros),
        thresholds,
      });
      const changed = this.conditions.changed(observations);
      if (changed.length > 0) {
        await alertDesk(this.env).observe(changed, nowMs);
        this.conditions.sent(changed);
      }
      this.alertChangesUnsent = false;
    } catch (error) {
      // Unsent changes are still "changed" on the next tick, which comes within alertRetryMs.
      this.alertChangesUnsent = true;
      console.error('alert evaluation failed', customerId, error);
    }
  }

  /** The platform's throttling signal (GET /v1/customers/{id}/load). */
  load(nowMs: number = Date.now()): LoadSignal {
    const snapshot = this.snapshot(nowMs);
    const ratio = loadRatio(snapshot.startedLast15Minutes, snapshot.normalCallsPerHour);
    return {
      as_of: new Date(snapshot.asOfMs).toISOString(),
      load_ratio: ratio,
      noisy: ratio > noisyLoadRatio,
      spend_limit_exceeded: (snapshot.rows[allRegions]?.cost_per_hour_micros ?? 0) > snapshot.hourlySpendLimitMicros,
    };
  }

  /**
   * Sends new deltas and the customer's row, unless neither changed: an unchanged row (its
   * values and how long they hold, not its as_of) is already exact in the PlatformMeter.
   */
  private async reportToPlatform(nowMs: number, snapshot: TenantSnapshot): Promise<void> {
    const customerId = this.config?.customerId;
    if (!customerId) {
      // Nothing can be reported before the meter knows its customer (its first batch tells it).
      this.rowOutdated = false;
      return;
    }
    const { rows, resend } = this.live.deltasToReport();
    const values = JSON.stringify({ ...snapshot, asOfMs: 0 });
    if (rows.length === 0 && this.lastReportedValues === values) {
      this.rowOutdated = false;
      return;
    }
    if (!resend && rows.length > 0) {
      this.reportSeq += 1;
      this.saveState();
    }
    try {
      await platformMeter(this.env).report({ customerId, seq: this.reportSeq, deltas: rows, snapshot }, nowMs);
      this.live.reported();
      this.rowOutdated = false;
      this.lastReportedValues = values;
    } catch (error) {
      // The deltas stay in flight and go again, with the same seq, on the next alarm.
      console.error('report to PlatformMeter failed', customerId, error);
    }
  }
}

export function tenantMeter(env: Env, customerId: string): DurableObjectStub<TenantMeter> {
  return env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
}
