// The hourly refresh of customer metrics (cron, and POST /api/ops/refresh): recompute the hourly
// and per-minute rollups whose calls changed, refresh the materialized views concurrently (readers
// keep the old contents until the new are ready), then drop the cached customer figures so the
// next read sees the new ones.
import type { Redis } from '@upstash/redis/cloudflare';
import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client.ts';
import { invalidateCustomerCache } from '../customer/metrics-cache.ts';

export const customerMaterializedViews = ['mv_customer_daily_v1', 'mv_customer_overview_v2'] as const;
const rollupBatch = 5_000;
const maxRollupRounds = 200;

export interface RefreshReport {
  as_of: string;
  duration_ms: number;
  rollups: { hours_recomputed: number; minutes_recomputed: number; rounds: number };
  materialized_views: Array<{ name: string; duration_ms: number }>;
  cache: { keys_invalidated: number; error: string | null };
}

/** Recomputes every dirty hour and minute, in batches, and says how many. */
export async function refreshRollups(db: Queryable): Promise<RefreshReport['rollups']> {
  let hours = 0;
  let minutes = 0;
  let rounds = 0;
  while (rounds < maxRollupRounds) {
    rounds++;
    const result = await db.execute<{ hours: number; minutes: number }>(sql`SELECT hours, minutes FROM refresh_rollups(${rollupBatch})`);
    const done = result.rows[0] ?? { hours: 0, minutes: 0 };
    hours += done.hours;
    minutes += done.minutes;
    if (done.hours < rollupBatch && done.minutes < rollupBatch) break;
  }
  return { hours_recomputed: hours, minutes_recomputed: minutes, rounds };
}

export async function refreshCustomerMetrics({ db, redis, now = () => Date.now() }: { db: Database; redis: Redis | null; now?: () => number }): Promise<RefreshReport> {
  const started = now();
  // One transaction on one snapshot: readers see the rollups and the views they feed change
  // together, so an invoice read from the rollups always equals the dashboard read from the views.
  const { rollups, views } = await db.transaction(async (tx) => {
    const recomputed = await refreshRollups(tx);
    const refreshed: RefreshReport['materialized_views'] = [];
    for (const name of customerMaterializedViews) {
      const viewStarted = now();
      await tx.execute(sql.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}`));
      refreshed.push({ name, duration_ms: now() - viewStarted });
    }
    return { rollups: recomputed, views: refreshed };
  }, { isolationLevel: 'repeatable read' });
  let invalidated = 0;
  let cacheError: string | null = null;
  if (redis) {
    try {
      invalidated = await invalidateCustomerCache(redis);
    } catch (error) {
      // Cached figures then age out within their hour.
      cacheError = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    as_of: new Date(started).toISOString(),
    duration_ms: now() - started,
    rollups,
    materialized_views: views,
    cache: { keys_invalidated: invalidated, error: cacheError },
  };
}
