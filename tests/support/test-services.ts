// The Node-side services a workerd test run needs, in a process of its own (vite resolves
// packages for workerd inside vitest's global setup, which Node-only stand-ins do not survive):
// a migrated database on the machine's Postgres behind the neon WebSocket proxy, and the Upstash
// REST stand-in over the machine's Redis. Prints their addresses as one JSON line; cleans up on
// SIGTERM or when its parent goes away.
import { startNeonWsProxy } from '../../local/neon-ws-proxy.ts';
import { startUpstashRest } from '../../local/upstash-rest.ts';
import { createTestDatabase } from './postgres.ts';

export interface TestServices {
  databaseUrl: string;
  neonWsProxy: string;
  redisRestUrl: string;
  redisRestToken: string;
}

const database = await createTestDatabase('workerd');
const proxy = await startNeonWsProxy({});
const redisRestToken = `test-${crypto.randomUUID()}`;
const redis = await startUpstashRest({ token: redisRestToken, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await redis.stop();
  await proxy.stop();
  await database.drop();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

const services: TestServices = { databaseUrl: database.url, neonWsProxy: proxy.hostPort, redisRestUrl: redis.url, redisRestToken };
process.stdout.write(`${JSON.stringify(services)}\n`);
