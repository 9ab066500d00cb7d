// The customer metrics cache against real Redis and Postgres, each behind a proxy this test owns:
// a cold key under concurrent readers costs one database read, a Postgres outage serves the last
// good figures marked stale, and a Redis outage falls back to Postgres.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait-until.ts';

describe('customer metrics cache', () => {
  let database: TestDatabase;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let stack: LocalStack;
  let dataDir: string;
  let direct: pg.Client;
  let redis: Redis;
  let customerToken: string;
  const customerId = `cache-${process.pid}`;
  const overviewKey = `sb:v1:customer:${customerId}:overview`;

  beforeAll(async () => {
    database = await createTestDatabase('cache');
    const url = new URL(database.url);
    pgProxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    redisProxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 6379 } });
    const proxied = new URL(database.url);
    proxied.port = String(pgProxy.port);
    dataDir = await mkdtemp(join(tmpdir(), 'sb-cache-'));
    stack = await startLocalStack({ port: 0, dataDir, databaseUrl: proxied.toString(), redisUrl: `redis://127.0.0.1:${redisProxy.port}`, demo: false, quiet: true });
    direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    await redis.del(overviewKey, `${overviewKey}:last-good`, `${overviewKey}:lock`);

    const operator = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'cache-test', ttlSeconds: 600 })).token;
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    expect((await fetch(`${stack.baseUrl}/api/ops/customers`, { method: 'POST', headers, body: JSON.stringify({ id: customerId }) })).status).toBe(201);
    const events = Object.values(exampleEvents({ customerId, callId: 'cached-call', now: new Date(Date.now() - 3_600_000) }));
    await direct.query('SELECT ingest_events($1::jsonb)', [JSON.stringify(events.map((event) => ({ event, raw: event })))]);
    expect((await fetch(`${stack.baseUrl}/api/ops/refresh`, { method: 'POST', headers })).status).toBe(200);
    customerToken = (await signToken(stack.jwtSecret, { role: 'customer', subject: 'cache-user', customerId, ttlSeconds: 600 })).token;
  }, 120_000);

  afterAll(async () => {
    await redis?.del(overviewKey, `${overviewKey}:last-good`, `${overviewKey}:lock`);
    redis?.disconnect();
    await direct?.end();
    await stack?.stop();
    await pgProxy?.stop();
    await redisProxy?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const overview = () => fetch(`${stack.baseUrl}/api/customer/overview`, { headers: { authorization: `Bearer ${customerToken}` } });
  const usage = () => fetch(`${stack.baseUrl}/api/customer/usage?days=7`, { headers: { authorization: `Bearer ${customerToken}` } });
  const usageKey = () => `sb:v1:customer:${customerId}:daily:7:${new Date().toISOString().slice(0, 10)}`;

  /** How often the overview has been read (each read scans the shared one-row materialized view once). */
  async function overviewReads(): Promise<number> {
    const result = await direct.query<{ reads: string }>(`SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS reads FROM pg_stat_user_tables WHERE relname = 'mv_platform_overview_v1'`);
    return Number(result.rows[0]?.reads ?? 0);
  }

  it('costs one database read for a cold key under 20 concurrent readers, then serves from Redis', async () => {
    await redis.del(overviewKey);
    // Let the statistics of earlier reads (the refresh's) settle before counting ours.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const before = await overviewReads();
    const answers = await Promise.all(Array.from({ length: 20 }, () => overview()));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ metrics: { total_calls: { value: number } } }>));
    expect(new Set(bodies.map((b) => b.metrics.total_calls.value))).toEqual(new Set([1]));
    // Warm reads come from Redis.
    for (let i = 0; i < 5; i++) expect((await overview()).status).toBe(200);
    // Statistics reach pg_stat_user_tables within a second of the reading transaction.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await overviewReads()) - before).toBe(1);
    expect(await redis.ttl(overviewKey)).toBeGreaterThan(3_500);
  });

  it('serves the last good figures, marked stale, while Postgres is unreachable', async () => {
    await overview();
    const fresh = await usage();
    expect(fresh.headers.get('x-switchboard-stale')).toBeNull();
    const freshDays = await fresh.json();
    await redis.del(overviewKey, usageKey());
    pgProxy.cut();
    try {
      const response = await overview();
      expect(response.status).toBe(200);
      const body = (await response.json()) as { stale: boolean; metrics: { total_calls: { value: number } } };
      expect(body.stale).toBe(true);
      expect(body.metrics.total_calls.value).toBe(1);
      // The usage answer is the contract's bare list of days, so its staleness is a header.
      const days = await usage();
      expect(days.status).toBe(200);
      expect(days.headers.get('x-switchboard-stale')).toBe('true');
      expect(await days.json()).toEqual(freshDays);
      // What has no cached copy says the database is out of reach, and when to try again.
      const calls = await fetch(`${stack.baseUrl}/api/customer/calls`, { headers: { authorization: `Bearer ${customerToken}` } });
      expect(calls.status).toBe(503);
      expect(calls.headers.get('retry-after')).toBe('5');
      expect(((await calls.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    } finally {
      pgProxy.restore();
    }
  });

  it('answers from Postgres while Redis is unreachable, and caches again once it is back', async () => {
    redisProxy.cut();
    try {
      const response = await overview();
      expect(response.status).toBe(200);
      expect(((await response.json()) as { stale: boolean }).stale).toBe(false);
    } finally {
      redisProxy.restore();
    }
    await redis.del(overviewKey);
    await waitUntil(async () => (await overview()).status === 200 && (await redis.exists(overviewKey)) === 1, 'the overview is cached again', 10_000);
  });
});
