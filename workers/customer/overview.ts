// GET /api/customer/overview: the refreshed figures of customer_overview_v4 (the caller's own
// window totals beside the shared one-row view) for the caller's own tenant, read through
// row-level security and cached per customer.
import { sql } from 'drizzle-orm';
import { composeOverview, type CustomerOverview, type WindowTotals } from '../../analytics/customer-overview.ts';
import type { Redis } from '@upstash/redis/cloudflare';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { withCustomerScope } from './customer-scope.ts';
import { cacheKey, cachedRead } from './metrics-cache.ts';

type OverviewRow = {
  as_of: string | Date;
  month: string;
  days_left_after_today: number;
  month_totals: WindowTotals | null;
  last7_totals: WindowTotals | null;
  prev7_totals: WindowTotals | null;
  full7_billed_micros: string | number;
  month_estimated: boolean;
  last7_estimated: boolean;
  prev7_estimated: boolean;
  projection_estimated: boolean;
  incident_minutes: number;
  elapsed_minutes: number;
  incident_minutes_last7: number;
  incident_minutes_prev7: number;
};

/**
 * Postgres sums money and durations as numeric, which never overflows; a JSON number is exact only
 * up to 2^53, so a larger sum is refused rather than answered rounded.
 */
function exactInteger(value: string | number, what: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new ApiError('internal', `The ${what} is too large to answer exactly.`);
  return parsed;
}

function exactTotals(totals: WindowTotals | null, window: string): WindowTotals | null {
  if (totals === null) return null;
  for (const [key, value] of Object.entries(totals)) exactInteger(value, `${window} ${key}`);
  return totals;
}

async function loadOverview(db: Database, customerId: string): Promise<CustomerOverview> {
  const row = await withCustomerScope(db, customerId, async (tx) => {
    const result = await tx.execute<OverviewRow>(sql`SELECT * FROM customer_overview_v4`);
    return result.rows[0];
  });
  if (!row) throw new ApiError('service_unavailable', 'Your figures have not been computed yet; they are refreshed every hour.');
  return composeOverview({
    asOf: new Date(row.as_of),
    month: row.month,
    daysLeftAfterToday: row.days_left_after_today,
    monthTotals: exactTotals(row.month_totals, 'month'),
    last7Totals: exactTotals(row.last7_totals, 'last 7 days'),
    prev7Totals: exactTotals(row.prev7_totals, 'previous 7 days'),
    full7BilledMicros: exactInteger(row.full7_billed_micros, 'billed amount of the last 7 full days'),
    monthEstimated: row.month_estimated,
    last7Estimated: row.last7_estimated,
    prev7Estimated: row.prev7_estimated,
    projectionEstimated: row.projection_estimated,
    incidentMinutes: row.incident_minutes,
    elapsedMinutes: row.elapsed_minutes,
    incidentMinutesLast7: row.incident_minutes_last7,
    incidentMinutesPrev7: row.incident_minutes_prev7,
  });
}

export async function customerOverview({ db, redis, customerId }: { db: () => Database; redis: Redis | null; customerId: string }): Promise<CustomerOverview> {
  const outcome = await cachedRead(redis, cacheKey(customerId, 'overview'), () => loadOverview(db(), customerId));
  return outcome.source === 'stale' ? { ...outcome.value, stale: true } : outcome.value;
}
