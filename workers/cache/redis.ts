// Upstash Redis over its REST API: in production Upstash itself, locally the stand-in in
// local/upstash-rest.ts (same client, same requests).
import { Redis } from '@upstash/redis/cloudflare';

export function openRedis(env: Pick<Env, 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN'>): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // Dashboards prefer a fast "stale" answer to a slow retry loop while Redis is unreachable.
    retry: { retries: 0 },
  });
}
