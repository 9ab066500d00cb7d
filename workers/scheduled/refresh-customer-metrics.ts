// The hourly refresh of customer metrics (cron, and POST /api/ops/refresh): recompute the hourly
// and per-minute rollups whose calls changed, refresh the materialized views concurrently (readers
// keep the old contents until the new are ready), then drop the cached customer figures so the
// next read sees the new ones.
import type { Redis } from '@upstash/redis/cloudflare';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { invalidateCustomerCache } from '../customer/metrics-cache.ts';

export const customerMaterializedViews = ['mv_customer_daily_v1', 'mv_customer_overview_v1'] as const;
const rollupBatch = 5_000;
const maxRollupRounds = 200;

export interface RefreshReport {
  as_of: string;
  duration_ms: number;
  rollups: { hours_recomputed: number; minutes_recomputed: number; rounds: number };
  materialized_views: Array<{ name: string; duration_ms: number }>;
  cache: { keys_invalidated: number; error: string | null };
}

export async function refreshCustomerMetrics({ db, redis, now = () => Date.now() }: { db: Database; redis: Redis | null; now?: () => number }): Promise<RefreshReport> {
  const started = now();
  let hours = 0;
  let minutes = 0;
  let rounds = 0;
  for (; rounds < maxRollupRounds; rounds++) {
    const result = await db.execute<{ hours: number; minutes: number }>(sql`SELECT hours, minutes FROM refresh_rollups(${rollupBatch})`);
    const done = result.rows[0] ?? { hours: 0, minutes: 0 };
    hours += done.hours;
    minutes += done.minutes;
    if (done.hours < rollupBatch && done.minutes < rollupBatch) break;
  }
  const views: RefreshReport['materialized_views'] = [];
  for (const name of customerMaterializedViews) {
    const viewStarted = now();
    await db.execute(sql.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}`));
    views.push({ name, duration_ms: now() - viewStarted });
  }
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
    rollups: { hours_recomputed: hours, minutes_recomputed: minutes, rounds: rounds + 1 },
    materialized_views: views,
    cache: { keys_invalidated: invalidated, error: cacheError },
  };
}
