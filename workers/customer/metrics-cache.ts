// Customer metrics cached in Upstash Redis (CONTRACT: at most an hour old): per-customer keys with
// a 60-minute TTL, single-flight so a cold key under concurrent load costs one database read,
// and stale-if-error: a longer-lived last good copy is served, marked stale, while Postgres is
// down. With Redis down, reads go straight to Postgres.
import type { Redis } from '@upstash/redis/cloudflare';
import { isolateCacheReadTally, type CacheReadTally } from '../metrics/cache-read-tally.ts';

export const freshTtlSeconds = 3600;
export const lastGoodTtlSeconds = 7 * 24 * 3600;
const lockTtlMs = 5_000;
const waitForPeerMs = 2_000;
const pollMs = 50;

/** Keys carry the customer id, which admits no ':' (ids are [A-Za-z0-9_-]), so tenants never collide. */
export function cacheKey(customerId: string, view: string): string {
  return `sb:v1:customer:${customerId}:${view}`;
}
const lastGoodKey = (key: string) => `${key}:last-good`;
const lockKey = (key: string) => `${key}:lock`;
export const cachedCustomersSet = 'sb:v1:cached-customer-keys';

export interface CacheOutcome<T> {
  value: T;
  /** bypass: read from Postgres without Redis (out of reach, or not configured). */
  source: 'cache' | 'database' | 'stale' | 'bypass';
}

const tallyResult = { cache: 'hit', database: 'miss', stale: 'stale', bypass: 'bypass' } as const;

const inFlight = new Map<string, Promise<unknown>>();

/** The client stores values as JSON and parses them back on the way out. */
async function readJson<T>(redis: Redis, key: string): Promise<T | null> {
  return redis.get<T>(key);
}

async function store(redis: Redis, key: string, value: unknown): Promise<void> {
  await redis
    .pipeline()
    .set(key, value, { ex: freshTtlSeconds })
    .set(lastGoodKey(key), value, { ex: lastGoodTtlSeconds })
    .sadd(cachedCustomersSet, key)
    .exec();
}

/**
 * The cached value of `key`, else `load()` once (per isolate, and across isolates through a short
 * Redis lock), stored for the next readers. When `load` fails the last good copy is answered.
 */
export async function cachedRead<T>(redis: Redis | null, key: string, load: () => Promise<T>, tally: CacheReadTally = isolateCacheReadTally): Promise<CacheOutcome<T>> {
  try {
    const outcome = await readThrough(redis, key, load);
    // Without Redis every read is a database read, single-flight within the isolate only.
    tally.count(redis === null ? 'bypass' : tallyResult[outcome.source]);
    return outcome;
  } catch (error) {
    tally.count('error');
    throw error;
  }
}

async function readThrough<T>(redis: Redis | null, key: string, load: () => Promise<T>): Promise<CacheOutcome<T>> {
  if (redis) {
    try {
      const hit = await readJson<T>(redis, key);
      if (hit !== null) return { value: hit, source: 'cache' };
    } catch {
      return { value: await load(), source: 'bypass' };
    }
  }
  const running = inFlight.get(key) as Promise<CacheOutcome<T>> | undefined;
  if (running) return running;
  const attempt = (async (): Promise<CacheOutcome<T>> => {
    try {
      if (redis && !(await acquired(redis, key))) {
        const fromPeer = await waitForPeer<T>(redis, key);
        if (fromPeer !== null) return { value: fromPeer, source: 'cache' };
      }
      const value = await load();
      if (redis) await store(redis, key, value).catch(() => {});
      return { value, source: 'database' };
    } catch (error) {
      const lastGood = redis ? await readJson<T>(redis, lastGoodKey(key)).catch(() => null) : null;
      if (lastGood !== null) return { value: lastGood, source: 'stale' };
      throw error;
    } finally {
      if (redis) await redis.del(lockKey(key)).catch(() => 0);
    }
  })();
  inFlight.set(key, attempt);
  try {
    return await attempt;
  } finally {
    inFlight.delete(key);
  }
}

async function acquired(redis: Redis, key: string): Promise<boolean> {
  return (await redis.set(lockKey(key), '1', { nx: true, px: lockTtlMs })) === 'OK';
}

async function waitForPeer<T>(redis: Redis, key: string): Promise<T | null> {
  const deadline = Date.now() + waitForPeerMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const value = await readJson<T>(redis, key);
    if (value !== null) return value;
  }
  return null;
}

/** Drops every fresh customer key (the last good copies stay for stale-if-error). */
export async function invalidateCustomerCache(redis: Redis): Promise<number> {
  const keys = await redis.smembers(cachedCustomersSet);
  if (keys.length === 0) return 0;
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    await redis.pipeline().del(...chunk).srem(cachedCustomersSet, ...chunk).exec();
  }
  return keys.length;
}
