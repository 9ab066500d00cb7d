// A customer metrics refresh whose duration (or failure) is counted by the PlatformMeter for
// GET /metrics, whoever started it: the hourly cron or POST /api/ops/refresh.
import type { Redis } from '@upstash/redis/cloudflare';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { Database } from '../db/client.ts';
import { refreshCustomerMetrics, type RefreshReport } from './refresh-customer-metrics.ts';

export async function recordedRefresh({ env, db, redis, waitUntil }: { env: Env; db: Database; redis: Redis | null; waitUntil: (work: Promise<unknown>) => void }): Promise<RefreshReport> {
  const startedMs = performance.now();
  const record = (ok: boolean) =>
    waitUntil(
      platformMeter(env)
        .recordRefresh({ ok, seconds: (performance.now() - startedMs) / 1000, finishedMs: Date.now() })
        .catch((error: unknown) => console.error('refresh not recorded', error)),
    );
  try {
    const report = await refreshCustomerMetrics({ db, redis });
    record(true);
    return report;
  } catch (error) {
    record(false);
    throw error;
  }
}
