// Cron triggers (wrangler.toml [triggers]): the hourly customer-metrics refresh and the daily
// housekeeping of the event partitions ahead.
import { sql } from 'drizzle-orm';
import { openRedis } from '../cache/redis.ts';
import { openDatabase } from '../db/client.ts';
import { dailyHousekeepingCron, hourlyRefreshCron } from './cron-schedule.ts';
import { refreshCustomerMetrics } from './refresh-customer-metrics.ts';


export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const database = openDatabase(env);
  try {
    if (controller.cron === hourlyRefreshCron) {
      const report = await refreshCustomerMetrics({ db: database.db, redis: openRedis(env) });
      console.log('customer metrics refreshed', JSON.stringify(report));
    } else if (controller.cron === dailyHousekeepingCron) {
      // Next month's partition always exists before its first event.
      await database.db.execute(sql`SELECT ensure_event_partitions((now() AT TIME ZONE 'UTC')::date, 3)`);
    }
  } finally {
    await database.close();
  }
}
