// One per customer (idFromName(customer_id)). Ingestion's durable edge: it deduplicates events,
// rejects a second call.ended, and writes accepted events to its SQLite storage before the 202
// leaves (the output gate holds the response until the write is durable), then flushes them to
// Postgres from an alarm, retrying with backoff while Postgres is down. The buffer is bounded:
// past its limit the object refuses new events instead of accepting what it might lose.
import { DurableObject } from 'cloudflare:workers';
import { openDatabase } from '../workers/db/client.ts';
import { storeEventBatch, type StoredEventInput } from '../workers/db/event-store.ts';
import type { ValidEvent } from '../workers/ingest/parse-batch.ts';
import { flushDelayMs, flushRetryDelayMs } from './tenant/flush-backoff.ts';

/** Events are remembered this long after receipt: longer than the 24 h an event may be late. */
export const dedupWindowMs = 25 * 3_600_000;
/** Ended calls are remembered longer, so a late second call.ended is still recognised. */
const endedCallMemoryMs = 48 * 3_600_000;
const defaultBufferLimit = 100_000;
const flushBatchSize = 1_000;

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
  private buffered = 0;
  private failedAttempts = 0;
  private lastError: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.bufferLimit = Number(env.EVENT_BUFFER_LIMIT) || defaultBufferLimit;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS event_buffer (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_json TEXT NOT NULL,
        raw_json TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, received_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS seen_events_received ON seen_events (received_ms);
      CREATE TABLE IF NOT EXISTS ended_calls (call_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, received_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS declared_recordings (call_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, received_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS flush_state (id INTEGER PRIMARY KEY CHECK (id = 1), failed_attempts INTEGER NOT NULL, last_error TEXT);
    `);
    this.buffered = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM event_buffer').one().n;
    const state = this.sql.exec<{ failed_attempts: number; last_error: string | null }>('SELECT failed_attempts, last_error FROM flush_state').toArray()[0];
    this.failedAttempts = state?.failed_attempts ?? 0;
    this.lastError = state?.last_error ?? null;
  }

  async ingest(events: ValidEvent[], nowMs: number = Date.now()): Promise<MeterIngestResult> {
    if (this.buffered + events.length > this.bufferLimit) {
      return { status: 'buffer_full', retryAfterSeconds: Math.ceil(flushRetryDelayMs(this.failedAttempts + 1, () => 1) / 1000) };
    }
    let accepted = 0;
    let duplicates = 0;
    const rejected: MeterRejection[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const { index, event, raw } of events) {
        const seen = this.sql.exec('SELECT 1 FROM seen_events WHERE event_id = ?', event.id).toArray().length > 0;
        if (seen) {
          duplicates++;
          continue;
        }
        if (event.type === 'call.ended') {
          const ended = this.sql.exec('SELECT 1 FROM ended_calls WHERE call_id = ?', event.call_id).toArray().length > 0;
          if (ended) {
            rejected.push({ index, path: 'type', message: 'call already ended: the first call.ended of a call is authoritative' });
            continue;
          }
          this.sql.exec('INSERT INTO ended_calls (call_id, event_id, received_ms) VALUES (?, ?, ?)', event.call_id, event.id, nowMs);
          if (event.audio) {
            this.sql.exec('INSERT OR REPLACE INTO declared_recordings (call_id, sha256, received_ms) VALUES (?, ?, ?)', event.call_id, event.audio.sha256, nowMs);
          }
        }
        this.sql.exec('INSERT INTO seen_events (event_id, received_ms) VALUES (?, ?)', event.id, nowMs);
        this.sql.exec('INSERT INTO event_buffer (event_json, raw_json) VALUES (?, ?)', JSON.stringify(event), raw);
        accepted++;
      }
    });
    this.buffered += accepted;
    if (accepted > 0 && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(nowMs + flushDelayMs);
    }
    return { status: 'stored', accepted, duplicates, rejected };
  }

  override async alarm(): Promise<void> {
    await this.flush();
  }

  /** Writes buffered events to Postgres in batches; reschedules itself while any remain. */
  async flush(nowMs: number = Date.now()): Promise<FlushReport> {
    let flushed = 0;
    const database = openDatabase(this.env);
    try {
      while (this.buffered > 0) {
        const rows = this.sql
          .exec<{ seq: number; event_json: string; raw_json: string }>(
            'SELECT seq, event_json, raw_json FROM event_buffer ORDER BY seq LIMIT ?',
            flushBatchSize,
          )
          .toArray();
        if (rows.length === 0) break;
        const batch: StoredEventInput[] = rows.map((row) => ({ event: row.event_json, raw: row.raw_json }));
        await storeEventBatch(database.db, batch);
        const lastSeq = rows[rows.length - 1]?.seq ?? 0;
        this.sql.exec('DELETE FROM event_buffer WHERE seq <= ?', lastSeq);
        this.buffered -= rows.length;
        flushed += rows.length;
      }
      this.recordFlushOutcome(0, null);
      this.forgetOldKeys(nowMs);
    } catch (error) {
      this.recordFlushOutcome(this.failedAttempts + 1, error instanceof Error ? error.message : String(error));
      await this.ctx.storage.setAlarm(nowMs + flushRetryDelayMs(this.failedAttempts));
    } finally {
      this.ctx.waitUntil(database.close().catch(() => {}));
    }
    return { flushed, remaining: this.buffered, failedAttempts: this.failedAttempts, lastError: this.lastError };
  }

  flushStatus(): FlushReport {
    return { flushed: 0, remaining: this.buffered, failedAttempts: this.failedAttempts, lastError: this.lastError };
  }

  /** The sha256 a recent call.ended declared for the call's recording, if any. */
  declaredRecordingSha256(callId: string): string | null {
    return this.sql.exec<{ sha256: string }>('SELECT sha256 FROM declared_recordings WHERE call_id = ?', callId).toArray()[0]?.sha256 ?? null;
  }

  private recordFlushOutcome(failedAttempts: number, lastError: string | null): void {
    this.failedAttempts = failedAttempts;
    this.lastError = lastError;
    this.sql.exec('INSERT OR REPLACE INTO flush_state (id, failed_attempts, last_error) VALUES (1, ?, ?)', failedAttempts, lastError);
  }

  private forgetOldKeys(nowMs: number): void {
    this.sql.exec('DELETE FROM seen_events WHERE received_ms < ?', nowMs - dedupWindowMs);
    this.sql.exec('DELETE FROM ended_calls WHERE received_ms < ?', nowMs - endedCallMemoryMs);
    this.sql.exec('DELETE FROM declared_recordings WHERE received_ms < ?', nowMs - endedCallMemoryMs);
  }
}

export function tenantMeter(env: Env, customerId: string): DurableObjectStub<TenantMeter> {
  return env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
}
