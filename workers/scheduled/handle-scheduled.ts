// Cron triggers (wrangler.toml [triggers]): the hourly customer-metrics refresh and the daily
// housekeeping: the event partitions ahead, and retention (call content past each customer's
// retention_days is erased).
import { sql } from 'drizzle-orm';
import { openRedis } from '../cache/redis.ts';
import { openDatabase } from '../db/client.ts';
import { retentionCronActor, runRetention } from '../lifecycle/retention.ts';
import { dailyHousekeepingCron, hourlyRefreshCron } from './cron-schedule.ts';
import { recordedRefresh } from './recorded-refresh.ts';

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<void> {
  const database = openDatabase(env);
  try {
    if (controller.cron === hourlyRefreshCron) {
      const report = await recordedRefresh({ env, db: database.db, redis: openRedis(env), waitUntil: (work) => ctx.waitUntil(work) });
      console.log('customer metrics refreshed', JSON.stringify(report));
    } else if (controller.cron === dailyHousekeepingCron) {
      // Next month's partition always exists before its first event.
      await database.db.execute(sql`SELECT ensure_event_partitions((now() AT TIME ZONE 'UTC')::date, 3)`);
      const retention = await runRetention({ db: database.db, env, actor: retentionCronActor });
      console.log('retention ran', JSON.stringify(retention));
    }
  } finally {
    await database.close();
  }
}
