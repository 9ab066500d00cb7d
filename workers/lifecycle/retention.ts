// Retention (CONTRACT section 5, "Data lifecycle"): each customer keeps call content (raw events,
// transcripts, tool payloads, error text, phone numbers, recordings) for `retention_days`. The
// daily cron and POST /api/ops/retention/run erase what has aged out, in batches, until nothing
// is due or the time budget is spent (the next run continues where this one stopped).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { timestampToJson } from '../http/json-values.ts';
import { appendAudit } from '../admin/audit.ts';
import { addErasureCounts, erasureBatchSize, eraseCalls, noErasure, type CallToErase, type ErasureCounts } from './erase-calls.ts';

/** Leaves room under a request's or a cron's limits for the last batch and the answer. */
export const defaultRetentionBudgetMs = 20_000;
export const retentionCronActor = 'system:retention';

export interface RetentionReport {
  as_of: string;
  duration_ms: number;
  /** false when the time budget ran out with calls still due; the next run erases them. */
  complete: boolean;
  batches: number;
  erased: ErasureCounts;
  /** Per customer with anything erased: its retention and the calls it lost content of. */
  customers: Array<{ customer_id: string; retention_days: number; cutoff: string; calls: number }>;
  calls_per_second: number;
}

type DueCall = {
  customer_id: string;
  call_id: string;
  audio_key: string | null;
  retention_days: number;
};

/**
 * Up to `limit` calls whose content has outlived their customer's retention at `now`, oldest
 * first per customer (the partial index calls_content_kept, migrations/0006). A call's age
 * counts from its call.ended, else its call.started, else its last event. Retention counts
 * 24-hour days: interval days would follow the database session's time zone across DST.
 */
async function dueCalls(db: Database, now: Date, limit: number): Promise<DueCall[]> {
  const result = await db.execute<DueCall>(sql`
    SELECT c.customer_id, c.call_id, c.audio_key, cu.retention_days
    FROM customers cu
    CROSS JOIN LATERAL (
      SELECT calls.customer_id, calls.call_id, calls.audio_key
      FROM calls
      WHERE calls.customer_id = cu.id
        AND calls.content_erased_at IS NULL
        AND coalesce(calls.ended_at, calls.started_at, calls.updated_at) < ${now.toISOString()}::timestamptz - make_interval(hours => cu.retention_days * 24)
      ORDER BY coalesce(calls.ended_at, calls.started_at, calls.updated_at)
      LIMIT ${limit}
    ) c
    LIMIT ${limit}`);
  return result.rows;
}

export async function runRetention({ db, env, actor, now = new Date(), timeBudgetMs = defaultRetentionBudgetMs, clock = () => Date.now(), batchSize = erasureBatchSize }: {
  db: Database;
  env: Env;
  actor: string;
  /** The moment retention is measured from. */
  now?: Date;
  timeBudgetMs?: number;
  /** Elapsed time, for the budget and the report. */
  clock?: () => number;
  batchSize?: number;
}): Promise<RetentionReport> {
  const started = clock();
  let erased = noErasure;
  let batches = 0;
  let complete = false;
  const perCustomer = new Map<string, { retentionDays: number; calls: number }>();
  while (clock() - started < timeBudgetMs) {
    const due = await dueCalls(db, now, batchSize);
    if (due.length === 0) {
      complete = true;
      break;
    }
    const calls: CallToErase[] = due.map((row) => ({ customerId: row.customer_id, callId: row.call_id, audioKey: row.audio_key }));
    erased = addErasureCounts(erased, await eraseCalls({ db, recordings: env.RECORDINGS, calls, now }));
    batches += 1;
    for (const row of due) {
      const entry = perCustomer.get(row.customer_id) ?? { retentionDays: row.retention_days, calls: 0 };
      entry.calls += 1;
      perCustomer.set(row.customer_id, entry);
    }
  }
  const durationMs = clock() - started;
  const report: RetentionReport = {
    as_of: timestampToJson(now),
    duration_ms: durationMs,
    complete,
    batches,
    erased,
    customers: [...perCustomer]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([customerId, entry]) => ({
        customer_id: customerId,
        retention_days: entry.retentionDays,
        cutoff: timestampToJson(new Date(now.getTime() - entry.retentionDays * 86_400_000)),
        calls: entry.calls,
      })),
    calls_per_second: durationMs > 0 ? Math.round((erased.calls * 1000) / durationMs) : 0,
  };
  await appendAudit(db, { actor, action: 'retention.run', subjectType: 'retention_run', subjectId: report.as_of, after: report });
  return report;
}
