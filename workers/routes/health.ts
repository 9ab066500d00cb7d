// /healthz answers 200 whenever the Worker serves, naming each component's state, so a database
// outage does not take the edge out of a load balancer; /readyz is 200 only when all are up.
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { openRedis } from '../cache/redis.ts';
import { openDatabase } from '../db/client.ts';
import { expectedMigration } from '../db/schema-version.ts';
import type { AppEnv } from '../env.ts';

export type ComponentState = 'up' | 'down' | 'schema_behind';

export interface HealthReport {
  status: 'ok' | 'degraded';
  postgres: ComponentState;
  redis: ComponentState;
  storage: ComponentState;
  checked_at: string;
}

const probeTimeoutMs = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), probeTimeoutMs)),
  ]);
}

async function probePostgres(env: Env): Promise<ComponentState> {
  const handle = openDatabase(env);
  try {
    const result = await withTimeout(
      handle.db.execute<{ name: string }>(sql`SELECT max(name) AS name FROM schema_migrations`),
    );
    const newest = result.rows[0]?.name ?? '';
    return newest >= expectedMigration ? 'up' : 'schema_behind';
  } catch {
    return 'down';
  } finally {
    handle.close().catch(() => {});
  }
}

async function probeRedis(env: Env): Promise<ComponentState> {
  try {
    return (await withTimeout(openRedis(env).ping())) === 'PONG' ? 'up' : 'down';
  } catch {
    return 'down';
  }
}

async function probeStorage(env: Env): Promise<ComponentState> {
  try {
    await withTimeout(env.RECORDINGS.head('healthz'));
    return 'up';
  } catch {
    return 'down';
  }
}

export async function checkHealth(env: Env, now: Date = new Date()): Promise<HealthReport> {
  const [postgres, redis, storage] = await Promise.all([probePostgres(env), probeRedis(env), probeStorage(env)]);
  const allUp = postgres === 'up' && redis === 'up' && storage === 'up';
  return { status: allUp ? 'ok' : 'degraded', postgres, redis, storage, checked_at: now.toISOString() };
}

export const healthRoutes = new Hono<AppEnv>()
  .get('/healthz', async (c) => {
    const report = await checkHealth(c.env);
    // Serving with an unmigrated schema is not "serving": the load balancer should wait.
    return c.json(report, report.postgres === 'schema_behind' ? 503 : 200, { 'cache-control': 'no-store' });
  })
  .get('/readyz', async (c) => {
    const report = await checkHealth(c.env);
    return c.json(report, report.status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
  });
