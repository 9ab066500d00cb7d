// The Worker's path to Redis, run from Node: the @upstash/redis client against
// local/upstash-rest.ts, backed by the machine's Redis (checked directly with ioredis) and by the
// in-memory backend.
import { randomUUID } from 'node:crypto';
import { Redis as UpstashRedis } from '@upstash/redis';
import IORedis from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startUpstashRest, type UpstashRest } from '../../local/upstash-rest.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait-until.ts';

const machineRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sbtest:upstash:${process.pid}:${randomUUID()}:`;
const token = `test-token-${randomUUID()}`;

let oracle: IORedis;

beforeAll(() => {
  oracle = new IORedis(machineRedisUrl);
});

afterAll(async () => {
  const keys = await oracle.keys(`${prefix}*`);
  if (keys.length > 0) await oracle.del(...keys);
  oracle.disconnect();
});

function client(server: UpstashRest, withToken = token): UpstashRedis {
  return new UpstashRedis({ url: server.url, token: withToken, enableTelemetry: false, retry: false });
}

async function post(server: UpstashRest, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe.each([
  { backend: "the machine's Redis", redisUrl: machineRedisUrl },
  { backend: 'the in-memory Redis', redisUrl: undefined },
])('the Upstash REST stand-in over $backend', ({ redisUrl }) => {
  let server: UpstashRest;
  let redis: UpstashRedis;

  beforeAll(async () => {
    server = await startUpstashRest({ token, redisUrl });
    redis = client(server);
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('set with EX then get returns the value, and the key expires within the given seconds', async () => {
    const key = `${prefix}greeting`;
    expect(await redis.set(key, 'héllo ✓ "quoted"', { ex: 60 })).toBe('OK');
    expect(await redis.get(key)).toBe('héllo ✓ "quoted"');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.get(`${prefix}missing`)).toBeNull();
  });

  test('a pipeline runs its commands in order and answers each, errors included', async () => {
    const key = `${prefix}counter`;
    const results = await redis.pipeline().set(key, 5).incr(key).incrby(key, 10).lpush(key, 'x').get(key).exec({ keepErrors: true });
    expect(results.map((r) => r.result)).toEqual(['OK', 6, 16, undefined, 16]);
    expect(results.map((r) => r.error === undefined)).toEqual([true, true, true, false, true]);
    expect(results[3]?.error).toMatch(/WRONGTYPE|does not contain a list/);
  });

  test('zadd options and zrange with scores behave as in Redis, whatever their case', async () => {
    const key = `${prefix}zset`;
    expect(await redis.zadd(key, { score: 2, member: 'b' }, { score: 1, member: 'a' })).toBe(2);
    expect(await redis.zadd(key, { nx: true }, { score: 9, member: 'a' })).toBe(0);
    expect(await redis.zadd(key, { ch: true }, { score: 3, member: 'b' }, { score: 4, member: 'nx' })).toBe(2);
    expect(await redis.zrange(key, 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 3, 'nx', 4]);
  });

  test('multi-exec applies its commands as one transaction', async () => {
    const key = `${prefix}tx`;
    expect(await redis.multi().set(key, 1).incr(key).incr(key).exec()).toEqual(['OK', 2, 3]);
    expect(await redis.get(key)).toBe(3);
  });

  test('hgetall answers an object of the fields (numbers parsed as the client does), null when the hash is missing', async () => {
    const key = `${prefix}hash`;
    expect(await redis.hset(key, { plan: 'pro', seats: 3 })).toBe(2);
    expect(await redis.hgetall(key)).toEqual({ plan: 'pro', seats: 3 });
    expect(await redis.hgetall(`${prefix}no-hash`)).toBeNull();
  });

  test('speaks the wire protocol: base64 strings on request, plain otherwise, arrays encoded element by element', async () => {
    const key = `${prefix}wire`;
    expect(await post(server, '/', ['RPUSH', key, 'a', 'ü'])).toEqual({ status: 200, body: { result: 2 } });
    expect(await post(server, '/', ['LRANGE', key, 0, -1])).toEqual({ status: 200, body: { result: ['a', 'ü'] } });
    expect(await post(server, '/', ['LRANGE', key, 0, -1], { 'Upstash-Encoding': 'base64' })).toEqual({
      status: 200,
      body: { result: ['YQ==', 'w7w='] },
    });
    expect(await post(server, '/pipeline', [['LLEN', key], ['NOSUCHCOMMAND']])).toMatchObject({
      status: 200,
      body: [{ result: 2 }, { error: expect.stringMatching(/unknown command/i) }],
    });
    expect(await post(server, '/', ['NOSUCHCOMMAND'])).toMatchObject({ status: 400, body: { error: expect.stringMatching(/unknown command/i) } });
    expect(await post(server, '/', { not: 'a command' })).toMatchObject({ status: 400 });
  });

  test('refuses a wrong or missing token with 401', async () => {
    await expect(client(server, 'wrong-token').get(`${prefix}greeting`)).rejects.toThrow(/Unauthorized/);
    const response = await fetch(server.url, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(response.status).toBe(401);
  });
});

describe('over a real Redis', () => {
  test('writes through the REST API land in Redis itself', async () => {
    const server = await startUpstashRest({ token, redisUrl: machineRedisUrl });
    try {
      const key = `${prefix}landed`;
      await client(server).set(key, 'value', { ex: 30 });
      expect(await oracle.get(key)).toBe('value');
      const ttl = await oracle.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
    } finally {
      await server.stop();
    }
  });

  test('answers 503 at once while Redis is unreachable and serves again once it is back', async () => {
    const url = new URL(machineRedisUrl);
    const cuttable = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port || 6379) } });
    const server = await startUpstashRest({ token, redisUrl: `redis://127.0.0.1:${cuttable.port}` });
    try {
      const key = `${prefix}through-cut`;
      expect(await post(server, '/', ['SET', key, 'v'])).toEqual({ status: 200, body: { result: 'OK' } });
      cuttable.cut();
      const during = await post(server, '/', ['GET', key]);
      expect(during.status).toBe(503);
      cuttable.restore();
      await waitUntil(async () => (await post(server, '/', ['GET', key])).status === 200, 'the REST server reconnects', 10_000);
      expect(await post(server, '/', ['GET', key])).toEqual({ status: 200, body: { result: 'v' } });
    } finally {
      await server.stop();
      await cuttable.stop();
    }
  });
});
