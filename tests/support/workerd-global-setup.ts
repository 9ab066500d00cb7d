// Node-side services for the workerd test project: a migrated database of its own on the
// machine's Postgres reached through the neon WebSocket proxy, and the Upstash REST stand-in
// backed by the machine's Redis. Their addresses reach the Worker as bindings (vitest.workers.config.ts).
import type { TestProject } from 'vitest/node';
import { startNeonWsProxy } from '../../local/neon-ws-proxy.ts';
import { startUpstashRest } from '../../local/upstash-rest.ts';
import { createTestDatabase } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    neonWsProxy: string;
    redisRestUrl: string;
    redisRestToken: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await createTestDatabase('workerd');
  const proxy = await startNeonWsProxy({});
  const redisRestToken = `test-${crypto.randomUUID()}`;
  const redis = await startUpstashRest({ token: redisRestToken, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  project.provide('databaseUrl', database.url);
  project.provide('neonWsProxy', proxy.hostPort);
  project.provide('redisRestUrl', redis.url);
  project.provide('redisRestToken', redisRestToken);
  return async () => {
    await redis.stop();
    await proxy.stop();
    await database.drop();
  };
}
