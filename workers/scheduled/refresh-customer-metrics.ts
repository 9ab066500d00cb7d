// The hourly refresh of customer metrics (cron, and POST /api/ops/refresh): recompute the hourly,
// daily and per-minute rollups whose calls changed, the overview windows of the customers whose
// figures moved, and the shared one-row view (concurrently: readers keep the old row until the new
// is ready), then drop the cached customer figures so the next read sees the new ones. Its cost
// follows what changed since the last refresh, not the history or the number of customers.
import type { Redis } from '@upstash/redis/cloudflare';
import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/client.ts';
import { invalidateCustomerCache } from '../customer/metrics-cache.ts';

export const customerMaterializedViews = ['mv_platform_overview_v1'] as const;
// Dirty hours per round: an hour's traffic fits in one; a backlog (a first refresh) takes a few.
const rollupBatch = 50_000;
const maxRollupRounds = 200;

export interface RefreshReport {
  as_of: string;
  duration_ms: number;
  rollups: { hours_recomputed: number; minutes_recomputed: number; rounds: number };
  overview: { customers_recomputed: number };
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
  const { rollups, overview, views } = await db.transaction(async (tx) => {
    const recomputed = await refreshRollups(tx);
    const customers = await tx.execute<{ customers: number }>(sql`SELECT refresh_customer_overview() AS customers`);
    const refreshed: RefreshReport['materialized_views'] = [];
    for (const name of customerMaterializedViews) {
      const viewStarted = now();
      await tx.execute(sql.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}`));
      refreshed.push({ name, duration_ms: now() - viewStarted });
    }
    return { rollups: recomputed, overview: { customers_recomputed: customers.rows[0]?.customers ?? 0 }, views: refreshed };
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
    overview,
    materialized_views: views,
    cache: { keys_invalidated: invalidated, error: cacheError },
  };
}
