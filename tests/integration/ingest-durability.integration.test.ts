// What a 202 promises (CONTRACT section 1): the events survive workerd being killed before they
// reach Postgres, and ingestion keeps accepting while Postgres is unreachable. Postgres is made
// unreachable by cutting a TCP proxy this test owns, never by touching the shared server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait-until.ts';

describe('ingestion durability against the real stack', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let stack: LocalStack;
  let dataDir: string;
  let direct: pg.Client;
  let ingestKey: string;
  const customerId = 'durable-co';

  beforeAll(async () => {
    database = await createTestDatabase('durability');
    const url = new URL(database.url);
    proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    dataDir = await mkdtemp(join(tmpdir(), 'sb-durability-'));
    stack = await startLocalStack({ port: 0, dataDir, databaseUrl: proxied.toString(), demo: false, quiet: true });
    direct = new pg.Client({ connectionString: database.url });
    await direct.connect();

    const operator = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'durability-test', ttlSeconds: 600 })).token;
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    const created = await fetch(`${stack.baseUrl}/api/ops/customers`, { method: 'POST', headers, body: JSON.stringify({ id: customerId }) });
    expect(created.status).toBe(201);
    const key = await fetch(`${stack.baseUrl}/api/ops/ingest-keys`, { method: 'POST', headers, body: JSON.stringify({ customer_id: customerId }) });
    ingestKey = ((await key.json()) as { key: string }).key;
  }, 120_000);

  afterAll(async () => {
    await direct?.end();
    await stack?.stop();
    await proxy?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function send(events: SwitchboardEvent[]): Promise<{ status: number; body: { accepted: number; duplicates: number } }> {
    const response = await fetch(`${stack.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    return { status: response.status, body: (await response.json()) as { accepted: number; duplicates: number } };
  }

  async function storedEvents(callIdPrefix: string): Promise<{ total: number; distinct: number }> {
    const result = await direct.query<{ total: number; distinct: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT id)::int AS distinct FROM events WHERE customer_id = $1 AND call_id LIKE $2`,
      [customerId, `${callIdPrefix}%`],
    );
    return result.rows[0] ?? { total: -1, distinct: -1 };
  }

  function calls(prefix: string, count: number): SwitchboardEvent[] {
    return Array.from({ length: count }, (_, i) => Object.values(exampleEvents({ customerId, callId: `${prefix}-${i}`, now: new Date() }))).flat();
  }

  it('keeps answering 202 while Postgres is unreachable and delivers every event once it returns', async () => {
    const events = calls('outage', 20);
    proxy.cut();
    const answer = await send(events);
    expect(answer).toEqual({ status: 202, body: expect.objectContaining({ accepted: events.length, duplicates: 0 }) });
    // Past the first flush attempt (500 ms after the 202): nothing can have reached Postgres.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await storedEvents('outage')).toEqual({ total: 0, distinct: 0 });
    proxy.restore();
    await waitUntil(async () => (await storedEvents('outage')).total === events.length, 'the buffered events are flushed', 60_000);
    expect(await storedEvents('outage')).toEqual({ total: events.length, distinct: events.length });
  }, 90_000);

  it('keeps a 202 batch through a SIGKILL of workerd before the flush, and stores it once', async () => {
    const events = calls('crash', 20);
    proxy.cut();
    expect((await send(events)).status).toBe(202);
    await stack.restartWorker();
    proxy.restore();
    await waitUntil(async () => (await storedEvents('crash')).total === events.length, 'the events buffered before the crash are flushed', 60_000);
    // A re-send after the restart is recognised, not stored again.
    expect((await send(events)).body).toMatchObject({ accepted: 0, duplicates: events.length });
    expect(await storedEvents('crash')).toEqual({ total: events.length, distinct: events.length });
  }, 90_000);
});
