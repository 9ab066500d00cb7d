// Upstash Redis over its REST API: in production Upstash itself, locally the stand-in in
// local/upstash-rest.ts (same client, same requests).
import { Redis } from '@upstash/redis/cloudflare';

// One client per isolate and endpoint: it holds no connection (every command is its own fetch),
// so requests share it instead of each building its own.
let isolateClient: { url: string; token: string; redis: Redis } | null = null;

export function openRedis(env: Pick<Env, 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN'>): Redis {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = env;
  if (isolateClient === null || isolateClient.url !== url || isolateClient.token !== token) {
    // Dashboards prefer a fast "stale" answer to a slow retry loop while Redis is unreachable.
    isolateClient = { url, token, redis: new Redis({ url, token, retry: { retries: 0 } }) };
  }
  return isolateClient.redis;
}
