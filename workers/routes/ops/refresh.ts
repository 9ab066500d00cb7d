// POST /api/ops/refresh: what the hourly cron does, now, answering what it refreshed and how long it took.
import { Hono } from 'hono';
import { openRedis } from '../../cache/redis.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { recordedRefresh } from '../../scheduled/recorded-refresh.ts';

export const refreshRoutes = new Hono<AppEnv>().post('/refresh', async (c) => {
  const report = await recordedRefresh({ env: c.env, db: requestDatabase(c), redis: openRedis(c.env), waitUntil: (work) => c.executionCtx.waitUntil(work) });
  return c.json(report, 200, { 'cache-control': 'no-store' });
});
