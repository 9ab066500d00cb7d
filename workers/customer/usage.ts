// GET /api/customer/usage?days=N: calls and billed cost per UTC date for the last N dates
// including today, zero-filled, each marked estimated until its day is reconciled. The contract's
// answer is the bare list of days; whether it came from the last good copy while Postgres was out
// of reach travels beside it (the route puts it in a header).
import { sql } from 'drizzle-orm';
import type { Redis } from '@upstash/redis/cloudflare';
import type { Database } from '../db/client.ts';
import { withCustomerScope } from './customer-scope.ts';
import { cacheKey, cachedRead } from './metrics-cache.ts';

export interface UsageDay {
  date: string;
  calls: number;
  cost_micros: number;
  estimated: boolean;
}

export interface Usage {
  days: UsageDay[];
  stale: boolean;
}

const dayMs = 86_400_000;

async function loadUsage(db: Database, customerId: string, days: number, today: Date): Promise<UsageDay[]> {
  const last = today.toISOString().slice(0, 10);
  const first = new Date(Date.parse(last) - (days - 1) * dayMs).toISOString().slice(0, 10);
  return withCustomerScope(db, customerId, async (tx) => {
    const rows = await tx.execute<{ day: string; calls: number; billed_micros: string }>(
      sql`SELECT day::text AS day, calls, billed_micros::text AS billed_micros FROM customer_daily_v2 WHERE day BETWEEN ${first}::date AND ${last}::date`,
    );
    const estimated = await tx.execute<{ day: string; estimated: boolean }>(sql`SELECT day::text AS day, estimated FROM customer_day_estimated(${first}::date, ${last}::date)`);
    const byDay = new Map(rows.rows.map((r) => [r.day, r]));
    const estimatedByDay = new Map(estimated.rows.map((r) => [r.day, r.estimated]));
    const series: UsageDay[] = [];
    for (let i = 0; i < days; i++) {
      const date = new Date(Date.parse(first) + i * dayMs).toISOString().slice(0, 10);
      const row = byDay.get(date);
      series.push({ date, calls: row?.calls ?? 0, cost_micros: Number(row?.billed_micros ?? 0), estimated: estimatedByDay.get(date) ?? false });
    }
    return series;
  });
}

export async function customerUsage({ db, redis, customerId, days, now = new Date() }: { db: () => Database; redis: Redis | null; customerId: string; days: number; now?: Date }): Promise<Usage> {
  const outcome = await cachedRead(redis, cacheKey(customerId, `daily:${days}:${now.toISOString().slice(0, 10)}`), () => loadUsage(db(), customerId, days, now));
  return { days: outcome.value, stale: outcome.source === 'stale' };
}
