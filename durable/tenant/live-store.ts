// A TenantMeter's live hour in its SQLite storage: 5-second buckets per region, the calls that
// are live (started and not ended, or ended within the hour), calls started per hour for the
// normal-rate learning, and the deltas not yet reported to the PlatformMeter. Memory holds
// nothing that storage does not (the buckets' parsed copies and merged windows are read back
// from it), so an evicted meter comes back with the same values. A batch costs a fixed handful
// of statements, whatever its size: the calls it touches are read once and written once.
import { hourWindowMs, liveAsOf, nextWindowChangeMs, staleAfterMs, type BucketTotals, type LiveBucket } from '../../analytics/live-window.ts';
import { LiveDelta, newLiveCall, recordEvent, type LiveCall } from '../../analytics/live-recording.ts';
import { learnNormalCallsPerHour } from '../../analytics/load.ts';
import { billedAmountMicros, type RateCard } from '../../analytics/money.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { execJsonRows, queryJsonRows } from '../sql-json-rows.ts';
import { StoredBuckets, type BucketRow } from '../stored-buckets.ts';

const hourMs = 3_600_000;
/** Buckets are kept a little past the hour so a window ending at an older as_of still has them. */
const bucketRetentionMs = hourWindowMs + 5 * 60_000;
const maxLearningHours = 24 * 7;

export type DeltaRow = BucketRow;

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

/** A call as a json_each row of the live_calls write, columns in the table's order. */
function liveCallColumns(call: LiveCall): Array<string | number | null> {
  return [
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
  ];
}

export class TenantLiveStore {
  private readonly sql: SqlStorage;
  private readonly buckets: StoredBuckets;
  private readonly pending: StoredBuckets;
  /** Whether in_flight_deltas holds a report that may not have landed; read from storage once. */
  private inFlight: boolean | null = null;
  /** The learned rate through the last completed hour it was advanced to. */
  private learned: { throughHourMs: number; value: number | null } | null = null;
  private prunedAsOfMs = 0;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`
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
    this.buckets = new StoredBuckets(sql, 'live_buckets');
    this.pending = new StoredBuckets(sql, 'pending_deltas');
  }

  /** The stored state of every call in `callIds`; calls not seen yet are new. */
  private liveCalls(callIds: readonly string[]): Map<string, LiveCall> {
    const calls = new Map<string, LiveCall>();
    for (const row of queryJsonRows<LiveCallRow>(this.sql, 'SELECT * FROM live_calls WHERE call_id IN (SELECT value FROM json_each(?))', callIds)) {
      calls.set(row.call_id, toLiveCall(row));
    }
    for (const callId of callIds) if (!calls.has(callId)) calls.set(callId, newLiveCall(callId));
    return calls;
  }

  /** Folds accepted events into the live hour; events older than the hour only update call state. */
  record(events: readonly SwitchboardEvent[], cardAt: (tsMs: number) => RateCard, nowMs: number): void {
    const windowStartMs = liveAsOf(nowMs) - hourWindowMs;
    const delta = new LiveDelta();
    const history = new LiveDelta();
    const calls = this.liveCalls([...new Set(events.map((event) => event.call_id))]);
    const endedCosts: Array<[string, number, number]> = [];
    const startsByHour = new Map<number, number>();
    for (const event of events) {
      const tsMs = Date.parse(event.ts);
      const live = tsMs >= windowStartMs;
      const card = cardAt(tsMs);
      calls.set(event.call_id, recordEvent(live ? delta : history, event, calls.get(event.call_id) ?? newLiveCall(event.call_id), card, windowStartMs));
      if (live && event.type === 'call.ended') {
        const providerCost = event.cost.reduce((sum, line) => sum + BigInt(line.cost_micros), 0n);
        endedCosts.push([event.call_id, Number(billedAmountMicros(providerCost, BigInt(event.duration_ms), card)), tsMs]);
      }
      if (live && event.type === 'call.started') {
        const hour = Math.floor(tsMs / hourMs) * hourMs;
        startsByHour.set(hour, (startsByHour.get(hour) ?? 0) + 1);
      }
    }
    execJsonRows(
      this.sql,
      `INSERT OR REPLACE INTO live_calls (call_id, region, started_ms, ended_ms, ended_bucket_ms, failed, interrupted, error_count, counted_error, counted_interrupted)
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9 FROM json_each(?)`,
      [...calls.values()].map(liveCallColumns),
    );
    if (endedCosts.length > 0) {
      execJsonRows(this.sql, 'INSERT OR REPLACE INTO ended_call_costs (call_id, billed_micros, ended_ms) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)', endedCosts);
    }
    if (startsByHour.size > 0) {
      execJsonRows(
        this.sql,
        // "WHERE true" tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
        'INSERT INTO hourly_starts (hour_ms, started) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true ON CONFLICT (hour_ms) DO UPDATE SET started = started + excluded.started',
        [...startsByHour],
      );
    }
    const rows = delta.toBuckets();
    this.buckets.add(rows);
    this.pending.add(rows);
  }

  /** The merged bucket of [asOf - span, asOf), for one region or all. */
  window(asOfMs: number, spanMs: number, region: string | null): LiveBucket {
    return this.buckets.window(asOfMs, spanMs, region);
  }

  /** The sums of [asOf - span, asOf), for one region or all. */
  totals(asOfMs: number, spanMs: number, region: string | null): BucketTotals {
    return this.buckets.totals(asOfMs, spanMs, region);
  }

  /** Regions with buckets since `sinceMs` or calls in progress, sorted. */
  regions(sinceMs: number): string[] {
    const open = this.sql.exec<{ region: string }>('SELECT DISTINCT region FROM live_calls WHERE ended_ms IS NULL').toArray();
    return [...new Set([...this.buckets.regionsSince(sinceMs), ...open.map((row) => row.region)])].sort();
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

  /** Calls started and not ended, excluding stale ones (started over 4 h ago), per region. */
  activeCallsByRegion(nowMs: number): Map<string, number> {
    const rows = this.sql
      .exec<{ region: string; n: number }>('SELECT region, count(*) AS n FROM live_calls WHERE ended_ms IS NULL AND started_ms > ? GROUP BY region', nowMs - staleAfterMs)
      .toArray();
    return new Map(rows.map((row) => [row.region, row.n]));
  }

  /** The learned normal calls per hour, advanced over every completed hour not yet learned. */
  learnedNormalCallsPerHour(nowMs: number): number | null {
    const lastCompletedHour = Math.floor(nowMs / hourMs) * hourMs - hourMs;
    if (this.learned?.throughHourMs === lastCompletedHour) return this.learned.value;
    const state = this.sql.exec<{ learned: number | null; learned_through_hour_ms: number }>('SELECT learned, learned_through_hour_ms FROM normal_rate').toArray()[0];
    const firstHour = this.sql.exec<{ first: number | null }>('SELECT min(hour_ms) AS first FROM hourly_starts').one().first;
    let learned = state?.learned ?? null;
    const from = state ? state.learned_through_hour_ms + hourMs : firstHour;
    if (from === null || from > lastCompletedHour) {
      // Without a stored state a late call.started may still give the first hour its count.
      if (state) this.learned = { throughHourMs: lastCompletedHour, value: learned };
      return learned;
    }
    for (let hour = Math.max(from, lastCompletedHour - (maxLearningHours - 1) * hourMs); hour <= lastCompletedHour; hour += hourMs) {
      const started = this.sql.exec<{ started: number }>('SELECT started FROM hourly_starts WHERE hour_ms = ?', hour).toArray()[0]?.started ?? 0;
      learned = learnNormalCallsPerHour(learned, started);
    }
    this.sql.exec('INSERT OR REPLACE INTO normal_rate (id, learned, learned_through_hour_ms) VALUES (1, ?, ?)', learned, lastCompletedHour);
    this.learned = { throughHourMs: lastCompletedHour, value: learned };
    return learned;
  }

  private hasInFlight(): boolean {
    this.inFlight ??= this.sql.exec('SELECT 1 FROM in_flight_deltas LIMIT 1').toArray().length > 0;
    return this.inFlight;
  }

  /**
   * The deltas to report: those already in flight (a report that may not have landed is resent
   * as it was), else everything pending, moved to in-flight.
   */
  deltasToReport(): { rows: DeltaRow[]; resend: boolean } {
    if (this.hasInFlight()) {
      const rows = this.sql
        .exec<{ bucket_ms: number; region: string; data: string }>('SELECT bucket_ms, region, data FROM in_flight_deltas')
        .toArray()
        .map((row) => ({ bucketMs: row.bucket_ms, region: row.region, bucket: JSON.parse(row.data) as LiveBucket }));
      return { rows, resend: true };
    }
    if (this.pending.isEmpty()) return { rows: [], resend: false };
    const rows = this.pending.all();
    this.sql.exec('INSERT INTO in_flight_deltas SELECT bucket_ms, region, data FROM pending_deltas');
    this.pending.clear();
    this.inFlight = true;
    return { rows, resend: false };
  }

  reported(): void {
    if (!this.hasInFlight()) return;
    this.sql.exec('DELETE FROM in_flight_deltas');
    this.inFlight = false;
  }

  hasUnreported(): boolean {
    return !this.pending.isEmpty() || this.hasInFlight();
  }

  /**
   * When this customer's live values next change with no new events (null: never): a bucket
   * entering or leaving one of the windows `spansMs`, a call in progress turning stale, or, while
   * anything is live, the hour that advances the learned normal rate. Until then a snapshot stays
   * exact, so a quiet meter sleeps.
   */
  nextChangeMs(nowMs: number, spansMs: readonly number[]): number | null {
    const windowChange = nextWindowChangeMs(this.buckets.bucketStarts(), spansMs, liveAsOf(nowMs));
    const oldestOpen = this.sql
      .exec<{ started_ms: number | null }>('SELECT min(started_ms) AS started_ms FROM live_calls WHERE ended_ms IS NULL AND started_ms > ?', nowMs - staleAfterMs)
      .one().started_ms;
    const turnsStale = oldestOpen === null ? null : oldestOpen + staleAfterMs;
    const candidates = [windowChange, turnsStale].filter((ms): ms is number => ms !== null);
    if (candidates.length === 0) return null;
    const nextHour = Math.floor(nowMs / hourMs) * hourMs + hourMs;
    return Math.min(...candidates, nextHour);
  }

  /** Drops what has left the hour; the windows only move every bucket, so neither does this. */
  prune(nowMs: number): void {
    const asOfMs = liveAsOf(nowMs);
    if (asOfMs === this.prunedAsOfMs) return;
    this.prunedAsOfMs = asOfMs;
    const oldest = asOfMs - bucketRetentionMs;
    this.buckets.prune(oldest);
    this.sql.exec('DELETE FROM live_calls WHERE (ended_ms IS NOT NULL AND ended_ms < ?) OR (ended_ms IS NULL AND started_ms IS NOT NULL AND started_ms < ?)', oldest, nowMs - staleAfterMs - hourMs);
    this.sql.exec('DELETE FROM hourly_starts WHERE hour_ms < ?', nowMs - 2 * hourMs);
    this.sql.exec('DELETE FROM ended_call_costs WHERE ended_ms < ?', oldest);
  }
}
