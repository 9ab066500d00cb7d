// A TenantMeter's live hour in its SQLite storage: 10-second buckets per region, the calls that
// are live (started and not ended, or ended within the hour), calls started per hour for the
// normal-rate learning, and the deltas not yet reported to the PlatformMeter. Memory holds
// nothing that storage does not: an evicted meter comes back with the same values.
import { hourWindowMs, liveAsOf, mergeBuckets, bucketMs as liveBucketMs, staleAfterMs, type LiveBucket } from '../../analytics/live-window.ts';
import { LiveDelta, newLiveCall, recordEvent, type LiveCall } from '../../analytics/live-recording.ts';
import { learnNormalCallsPerHour } from '../../analytics/load.ts';
import { billedAmountMicros, type RateCard } from '../../analytics/money.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';

const hourMs = 3_600_000;
/** Buckets are kept a little past the hour so a window ending at an older as_of still has them. */
const bucketRetentionMs = hourWindowMs + 5 * 60_000;
const maxLearningHours = 24 * 7;

export interface DeltaRow {
  bucketMs: number;
  region: string;
  bucket: LiveBucket;
}

type LiveCallRow = {
  call_id: string;
  region: string;
  started_ms: number | null;
  ended_ms: number | null;
  ended_bucket_ms: number | null;
  failed: number;
  interrupted: number;
  error_count: number;
  counted_error: number;
  counted_interrupted: number;
};

function toLiveCall(row: LiveCallRow): LiveCall {
  return {
    callId: row.call_id,
    region: row.region,
    startedMs: row.started_ms,
    endedMs: row.ended_ms,
    endedBucketMs: row.ended_bucket_ms,
    failed: row.failed === 1,
    interrupted: row.interrupted === 1,
    errorCount: row.error_count,
    countedError: row.counted_error === 1,
    countedInterrupted: row.counted_interrupted === 1,
  };
}

export class TenantLiveStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS live_buckets (bucket_ms INTEGER NOT NULL, region TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (bucket_ms, region));
      CREATE TABLE IF NOT EXISTS pending_deltas (bucket_ms INTEGER NOT NULL, region TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (bucket_ms, region));
      CREATE TABLE IF NOT EXISTS in_flight_deltas (bucket_ms INTEGER NOT NULL, region TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (bucket_ms, region));
      CREATE TABLE IF NOT EXISTS live_calls (
        call_id TEXT PRIMARY KEY, region TEXT NOT NULL, started_ms INTEGER, ended_ms INTEGER, ended_bucket_ms INTEGER,
        failed INTEGER NOT NULL, interrupted INTEGER NOT NULL, error_count INTEGER NOT NULL,
        counted_error INTEGER NOT NULL, counted_interrupted INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS live_calls_open ON live_calls (ended_ms, started_ms);
      CREATE TABLE IF NOT EXISTS hourly_starts (hour_ms INTEGER PRIMARY KEY, started INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS ended_call_costs (call_id TEXT PRIMARY KEY, billed_micros INTEGER NOT NULL, ended_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS normal_rate (id INTEGER PRIMARY KEY CHECK (id = 1), learned REAL, learned_through_hour_ms INTEGER NOT NULL);
    `);
  }

  private liveCall(callId: string): LiveCall {
    const row = this.sql.exec<LiveCallRow>('SELECT * FROM live_calls WHERE call_id = ?', callId).toArray()[0];
    return row ? toLiveCall(row) : newLiveCall(callId);
  }

  private saveLiveCall(call: LiveCall): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO live_calls (call_id, region, started_ms, ended_ms, ended_bucket_ms, failed, interrupted, error_count, counted_error, counted_interrupted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      call.callId,
      call.region,
      call.startedMs,
      call.endedMs,
      call.endedBucketMs,
      call.failed ? 1 : 0,
      call.interrupted ? 1 : 0,
      call.errorCount,
      call.countedError ? 1 : 0,
      call.countedInterrupted ? 1 : 0,
    );
  }

  private mergeInto(table: 'live_buckets' | 'pending_deltas', row: DeltaRow): void {
    const existing = this.sql
      .exec<{ data: string }>(`SELECT data FROM ${table} WHERE bucket_ms = ? AND region = ?`, row.bucketMs, row.region)
      .toArray()[0];
    const merged = existing ? mergeBuckets([JSON.parse(existing.data) as LiveBucket, row.bucket]) : row.bucket;
    this.sql.exec(`INSERT OR REPLACE INTO ${table} (bucket_ms, region, data) VALUES (?, ?, ?)`, row.bucketMs, row.region, JSON.stringify(merged));
  }

  /** Folds accepted events into the live hour; events older than the hour only update call state. */
  record(events: readonly SwitchboardEvent[], cardAt: (tsMs: number) => RateCard, nowMs: number): void {
    const windowStartMs = liveAsOf(nowMs) - hourWindowMs;
    const delta = new LiveDelta();
    const history = new LiveDelta();
    for (const event of events) {
      const tsMs = Date.parse(event.ts);
      const live = tsMs >= windowStartMs;
      const call = this.liveCall(event.call_id);
      const card = cardAt(tsMs);
      this.saveLiveCall(recordEvent(live ? delta : history, event, call, card, windowStartMs));
      if (live && event.type === 'call.ended') {
        const providerCost = event.cost.reduce((sum, line) => sum + BigInt(line.cost_micros), 0n);
        const billed = billedAmountMicros(providerCost, BigInt(event.duration_ms), card);
        this.sql.exec('INSERT OR REPLACE INTO ended_call_costs (call_id, billed_micros, ended_ms) VALUES (?, ?, ?)', event.call_id, Number(billed), tsMs);
      }
      if (live && event.type === 'call.started') {
        const hour = Math.floor(tsMs / hourMs) * hourMs;
        this.sql.exec('INSERT INTO hourly_starts (hour_ms, started) VALUES (?, 1) ON CONFLICT (hour_ms) DO UPDATE SET started = started + 1', hour);
      }
    }
    for (const row of delta.toBuckets()) {
      this.mergeInto('live_buckets', row);
      this.mergeInto('pending_deltas', row);
    }
  }

  /** The merged bucket of [asOf - span, asOf), for one region or all. */
  window(asOfMs: number, spanMs: number, region: string | null): LiveBucket {
    const rows = this.sql
      .exec<{ data: string; region: string }>('SELECT data, region FROM live_buckets WHERE bucket_ms >= ? AND bucket_ms < ?', asOfMs - spanMs, asOfMs)
      .toArray()
      .filter((row) => region === null || row.region === region);
    return mergeBuckets(rows.map((row) => JSON.parse(row.data) as LiveBucket));
  }

  regions(sinceMs: number): string[] {
    return this.sql
      .exec<{ region: string }>('SELECT DISTINCT region FROM live_buckets WHERE bucket_ms >= ? UNION SELECT DISTINCT region FROM live_calls WHERE ended_ms IS NULL', sinceMs)
      .toArray()
      .map((row) => row.region);
  }

  /** Calls ended in [fromMs, toMs) billed above `thresholdMicros`: how many, and the most expensive. */
  expensiveCalls(fromMs: number, toMs: number, thresholdMicros: number): { count: number; worst: { callId: string; billedMicros: number } | null } {
    const rows = this.sql
      .exec<{ call_id: string; billed_micros: number }>(
        'SELECT call_id, billed_micros FROM ended_call_costs WHERE ended_ms >= ? AND ended_ms < ? AND billed_micros > ? ORDER BY billed_micros DESC, call_id',
        fromMs,
        toMs,
        thresholdMicros,
      )
      .toArray();
    const worst = rows[0];
    return { count: rows.length, worst: worst ? { callId: worst.call_id, billedMicros: worst.billed_micros } : null };
  }

  /** Calls started and not ended, excluding stale ones (started over 4 h ago). */
  activeCalls(nowMs: number, region: string | null): number {
    const rows = this.sql
      .exec<{ region: string; n: number }>('SELECT region, count(*) AS n FROM live_calls WHERE ended_ms IS NULL AND started_ms > ? GROUP BY region', nowMs - staleAfterMs)
      .toArray();
    return rows.filter((row) => region === null || row.region === region).reduce((sum, row) => sum + row.n, 0);
  }

  /** The learned normal calls per hour, advanced over every completed hour not yet learned. */
  learnedNormalCallsPerHour(nowMs: number): number | null {
    const lastCompletedHour = Math.floor(nowMs / hourMs) * hourMs - hourMs;
    const state = this.sql.exec<{ learned: number | null; learned_through_hour_ms: number }>('SELECT learned, learned_through_hour_ms FROM normal_rate').toArray()[0];
    const firstHour = this.sql.exec<{ first: number | null }>('SELECT min(hour_ms) AS first FROM hourly_starts').one().first;
    let learned = state?.learned ?? null;
    const from = state ? state.learned_through_hour_ms + hourMs : firstHour;
    if (from === null || from > lastCompletedHour) return learned;
    for (let hour = Math.max(from, lastCompletedHour - (maxLearningHours - 1) * hourMs); hour <= lastCompletedHour; hour += hourMs) {
      const started = this.sql.exec<{ started: number }>('SELECT started FROM hourly_starts WHERE hour_ms = ?', hour).toArray()[0]?.started ?? 0;
      learned = learnNormalCallsPerHour(learned, started);
    }
    this.sql.exec('INSERT OR REPLACE INTO normal_rate (id, learned, learned_through_hour_ms) VALUES (1, ?, ?)', learned, lastCompletedHour);
    return learned;
  }

  /**
   * The deltas to report: those already in flight (a report that may not have landed is resent
   * as it was), else everything pending, moved to in-flight.
   */
  deltasToReport(): { rows: DeltaRow[]; resend: boolean } {
    const read = (table: string) =>
      this.sql
        .exec<{ bucket_ms: number; region: string; data: string }>(`SELECT bucket_ms, region, data FROM ${table}`)
        .toArray()
        .map((row) => ({ bucketMs: row.bucket_ms, region: row.region, bucket: JSON.parse(row.data) as LiveBucket }));
    const inFlight = read('in_flight_deltas');
    if (inFlight.length > 0) return { rows: inFlight, resend: true };
    this.sql.exec('INSERT INTO in_flight_deltas SELECT bucket_ms, region, data FROM pending_deltas');
    this.sql.exec('DELETE FROM pending_deltas');
    return { rows: read('in_flight_deltas'), resend: false };
  }

  reported(): void {
    this.sql.exec('DELETE FROM in_flight_deltas');
  }

  hasUnreported(): boolean {
    return (
      this.sql.exec('SELECT 1 FROM pending_deltas LIMIT 1').toArray().length > 0 ||
      this.sql.exec('SELECT 1 FROM in_flight_deltas LIMIT 1').toArray().length > 0
    );
  }

  /** Whether anything is live: buckets in the hour or calls in progress. */
  isActive(nowMs: number): boolean {
    return (
      this.sql.exec('SELECT 1 FROM live_buckets WHERE bucket_ms >= ? LIMIT 1', liveAsOf(nowMs) - hourWindowMs - liveBucketMs).toArray().length > 0 ||
      this.activeCalls(nowMs, null) > 0
    );
  }

  prune(nowMs: number): void {
    const oldest = liveAsOf(nowMs) - bucketRetentionMs;
    this.sql.exec('DELETE FROM live_buckets WHERE bucket_ms < ?', oldest);
    this.sql.exec('DELETE FROM live_calls WHERE (ended_ms IS NOT NULL AND ended_ms < ?) OR (ended_ms IS NULL AND started_ms IS NOT NULL AND started_ms < ?)', oldest, nowMs - staleAfterMs - hourMs);
    this.sql.exec('DELETE FROM hourly_starts WHERE hour_ms < ?', nowMs - 2 * hourMs);
    this.sql.exec('DELETE FROM ended_call_costs WHERE ended_ms < ?', oldest);
  }
}
