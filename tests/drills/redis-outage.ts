// Drill: Redis unreachable under dashboard reads (the drill's proxy between the Upstash stand-in
// and the machine's Redis cut). The customer overview and usage must keep answering, from
// Postgres, with the same figures as plain SQL; once Redis is back the cache is written and read
// again. The drill's cache keys are removed from the shared Redis afterwards.
import { Redis } from 'ioredis';
import { cacheKey, cachedCustomersSet } from '../../workers/customer/metrics-cache.ts';
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { sharedRedisUrl } from './support/drill-stack.ts';
import { IngestRecord, sendAll } from './support/ingest-client.ts';
import { batchesOf, customerFields, drillCustomer, drillEvents, storedTotals } from './support/ledger.ts';

export interface RedisOutageParams {
  calls: number;
  outageMs: number;
  readIntervalMs: number;
}

interface Overview {
  month: string;
  stale: boolean;
  metrics: Record<string, { value: number | null }>;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
}

export const redisOutage: Drill<RedisOutageParams> = {
  name: 'redis-outage',
  title: 'Redis unreachable under dashboard reads, then back',
  needs: { redisProxy: true },
  full: { calls: 200, outageMs: 60_000, readIntervalMs: 250 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const proxy = stack.redisProxy;
    if (!proxy) throw new Error('the redis-outage drill needs Redis behind a proxy');
    const customer = drillCustomer(`drill-redis-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const events = drillEvents({ seed, customer, count: params.calls, endMs: Date.now() });
    const record = new IngestRecord();
    await sendAll(batchesOf(events, 200), { baseUrl: stack.baseUrl, key, record, concurrency: 2 });
    verdict.check(await eventually(async () => (await storedTotals(stack.sql, customer.id)).events >= record.acknowledged.size, 120_000), 'the seeded events were not stored within 120 s');
    const refresh = await stack.request('/api/ops/refresh', { method: 'POST' });
    verdict.check(refresh.status === 200, `POST /api/ops/refresh answered ${refresh.status}`);

    const token = await stack.customerToken(customer.id);
    const redis = new Redis(sharedRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const overviewKey = cacheKey(customer.id, 'overview');
    try {
      const read = async (path: string): Promise<{ status: number; ms: number; body: unknown }> => {
        const started = performance.now();
        const response = await stack.request(path, { token });
        const body: unknown = await response.json().catch(() => null);
        return { status: response.status, ms: performance.now() - started, body };
      };
      const first = await read('/api/customer/overview');
      verdict.check(first.status === 200, `the overview answered ${first.status} before the outage`);
      const month = (first.body as Overview).month;
      const monthStart = new Date(`${month}-01T00:00:00Z`);
      const nextMonth = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));
      const oracle = (
        await stack.sql.query<{ calls: number; billed: string }>(
          'SELECT count(*)::int AS calls, coalesce(sum(billed_micros), 0)::text AS billed FROM calls WHERE customer_id = $1 AND ended_at >= $2 AND ended_at < $3',
          [customer.id, monthStart, nextMonth],
        )
      ).rows[0]!;
      const figuresMatch = (body: unknown): boolean => {
        const overview = body as Overview | null;
        return overview?.metrics.total_calls?.value === oracle.calls && String(overview.metrics.cost_micros?.value) === oracle.billed && overview.stale === false;
      };
      verdict.check(figuresMatch(first.body), `the overview before the outage is not the SQL figures (${oracle.calls} calls, ${oracle.billed} micro-USD): ${JSON.stringify(first.body).slice(0, 300)}`);
      // Any stack's refresh empties every cached customer key in the shared Redis, so read until the key is seen.
      const cached = async (): Promise<boolean> => (await read('/api/customer/overview')).status === 200 && (await redis.exists(overviewKey)) === 1;
      verdict.check(await eventually(cached, 30_000), `the overview was not cached in Redis (${overviewKey}) before the outage`);

      proxy.cut();
      const cutAt = Date.now();
      log(`Redis cut; reading the overview and usage every ${params.readIntervalMs} ms for ${seconds(params.outageMs)}`);
      const latencies: number[] = [];
      const bad: string[] = [];
      let reads = 0;
      while (Date.now() - cutAt < params.outageMs) {
        for (const path of ['/api/customer/overview', '/api/customer/usage?days=7']) {
          const answer = await read(path);
          reads++;
          latencies.push(answer.ms);
          if (answer.status !== 200) bad.push(`${path}: ${answer.status}`);
          else if (path.endsWith('overview') && !figuresMatch(answer.body)) bad.push(`${path}: figures ${JSON.stringify(answer.body).slice(0, 200)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, params.readIntervalMs));
      }
      proxy.restore();
      log(`Redis back after ${seconds(Date.now() - cutAt)}, ${reads} reads`);
      verdict.check(bad.length === 0, `${bad.length} of ${reads} reads during the outage went wrong: ${bad.slice(0, 3).join('; ')}`);
      verdict.check(reads > 0, 'no reads happened during the outage');

      // The refresh drops the cached figures; the next read must write them to Redis again.
      const restoredAt = Date.now();
      const refreshAgain = await stack.request('/api/ops/refresh', { method: 'POST' });
      verdict.check(refreshAgain.status === 200, `POST /api/ops/refresh after the outage answered ${refreshAgain.status}`);
      const cachedAgain = await eventually(cached, 30_000);
      const recachedMs = Date.now() - restoredAt;
      verdict.check(cachedAgain, 'the overview was not cached in Redis again within 30 s of its return');
      const fromCache = await read('/api/customer/overview');
      verdict.check(fromCache.status === 200 && figuresMatch(fromCache.body), `the overview after the outage is not the SQL figures: ${JSON.stringify(fromCache.body).slice(0, 300)}`);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        facts: [
          ['seeded', `${record.acknowledged.size} events of ${params.calls} calls; ${oracle.calls} calls and ${oracle.billed} micro-USD this month by SQL`],
          ['during the outage', `${reads} reads, ${reads - bad.length} answered 200 with the SQL figures; latency p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms`],
          ['after', `cached in Redis again ${seconds(recachedMs)} after its return`],
        ],
        failures: verdict.failures,
      };
    } finally {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${cacheKey(customer.id, '')}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      if (keys.length > 0) await redis.pipeline().del(...keys).srem(cachedCustomersSet, ...keys).exec();
      redis.disconnect();
    }
  },
};
