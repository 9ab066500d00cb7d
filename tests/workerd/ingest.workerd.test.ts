import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TenantMeter } from '../../durable/TenantMeter.ts';
import { openDatabase } from '../../workers/db/client.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { call, operatorToken, runMeterAlarm, uniqueCustomerId, type ErrorBody } from './support.ts';

interface IngestBody {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: Array<{ index: number; path: string; message: string }>;
}

async function newCustomerWithKey(label: string, scoped = true): Promise<{ customerId: string; key: string }> {
  const token = await operatorToken();
  const customerId = uniqueCustomerId(label);
  expect((await call('/api/ops/customers', { method: 'POST', token, json: { id: customerId } })).status).toBe(201);
  const created = await call('/api/ops/ingest-keys', { method: 'POST', token, json: scoped ? { customer_id: customerId } : {} });
  return { customerId, key: (await created.json<{ key: string }>()).key };
}

function send(key: string, events: unknown[] | string, contentType = 'application/json'): Promise<Response> {
  return call('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body: typeof events === 'string' ? events : JSON.stringify(events),
  });
}

function meter(customerId: string): DurableObjectStub<TenantMeter> {
  return env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
}

async function storedRows(sqlText: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  const database = openDatabase(env);
  try {
    return (await database.pool.query(sqlText, params)).rows as Array<Record<string, unknown>>;
  } finally {
    await database.close();
  }
}

function oneCall(customerId: string, callId: string): SwitchboardEvent[] {
  return Object.values(exampleEvents({ customerId, callId, now: new Date() }));
}

describe('POST /v1/events', () => {
  it('accepts a call, stores it durably before answering, and flushes it to Postgres', async () => {
    const { customerId, key } = await newCustomerWithKey('flush');
    const events = oneCall(customerId, 'call-1');
    const response = await send(key, events);
    expect(response.status).toBe(202);
    expect(await response.json<IngestBody>()).toEqual({ accepted: events.length, duplicates: 0, rejected: 0, errors: [] });

    const buffered = await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flushStatus());
    expect(buffered.remaining).toBe(events.length);
    expect(await runMeterAlarm(meter(customerId))).toBe(true);

    const raw = await storedRows('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [customerId]);
    expect(raw[0]?.n).toBe(events.length);
    const calls = await storedRows('SELECT status, turn_count, from_number, provider_cost_micros::int AS cost FROM calls WHERE customer_id = $1', [customerId]);
    const ended = events.find((e) => e.type === 'call.ended');
    const expectedCost = ended?.type === 'call.ended' ? ended.cost.reduce((sum, line) => sum + line.cost_micros, 0) : -1;
    expect(calls).toEqual([{ status: 'completed', turn_count: 1, from_number: '+14155550123', cost: expectedCost }]);
  });

  it('counts an event sent twice in one batch, and again in a later batch, once', async () => {
    const { customerId, key } = await newCustomerWithKey('dups');
    const [started, turn] = oneCall(customerId, 'call-d');
    const first = await (await send(key, [started, started, turn])).json<IngestBody>();
    expect(first).toMatchObject({ accepted: 2, duplicates: 1, rejected: 0 });
    const second = await (await send(key, [turn])).json<IngestBody>();
    expect(second).toMatchObject({ accepted: 0, duplicates: 1, rejected: 0 });
    await runMeterAlarm(meter(customerId));
    const rows = await storedRows('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [customerId]);
    expect(rows[0]?.n).toBe(2);
  });

  it('rejects a second call.ended for the same call so no cost is counted twice', async () => {
    const { customerId, key } = await newCustomerWithKey('ended');
    const ended = exampleEvents({ customerId, callId: 'call-e', now: new Date() })['call.ended'];
    expect((await (await send(key, [ended])).json<IngestBody>()).accepted).toBe(1);
    const again = { ...ended, id: 'another-id', status: 'failed' };
    const response = await send(key, [again]);
    expect(response.status).toBe(400);
    const body = await response.json<IngestBody & ErrorBody>();
    expect(body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 });
    expect(body.errors).toEqual([{ index: 0, path: 'type', message: expect.stringContaining('call already ended') }]);
    await runMeterAlarm(meter(customerId));
    const calls = await storedRows('SELECT status FROM calls WHERE customer_id = $1', [customerId]);
    expect(calls).toEqual([{ status: 'completed' }]);
  });

  it('refuses a call.ended that would bill past what an amount can hold, and stores the rest of the batch', async () => {
    const token = await operatorToken();
    const customerId = uniqueCustomerId('overflow');
    // The largest fee a rate card takes: 2^53 - 1 micro-USD a minute.
    expect((await call('/api/ops/customers', { method: 'POST', token, json: { id: customerId, fee_per_minute_micros: Number.MAX_SAFE_INTEGER } })).status).toBe(201);
    const key = (await (await call('/api/ops/ingest-keys', { method: 'POST', token, json: { customer_id: customerId } })).json<{ key: string }>()).key;
    const cost = [{ component: 'llm', provider: 'acme', quantity: 1, unit: 'call', cost_micros: 1_000 }];
    const base = exampleEvents({ customerId, callId: 'long', now: new Date() })['call.ended'];
    // 2^53 - 1 ms is 150,119,987,580 started minutes: times the fee, far past 2^63 - 1.
    const endless = { ...base, cost, duration_ms: Number.MAX_SAFE_INTEGER };
    const minute = { ...exampleEvents({ customerId, callId: 'minute', now: new Date() })['call.ended'], cost, duration_ms: 60_000 };
    const response = await send(key, [endless, minute]);
    expect(response.status).toBe(202);
    const body = await response.json<IngestBody>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(body.errors).toEqual([{ index: 0, path: 'cost', message: expect.stringContaining('9223372036854775807 micro-USD') }]);
    // The batch flushes: 1,000 with the default 20% markup is 1,200, plus one minute at the fee.
    expect(await runMeterAlarm(meter(customerId))).toBe(true);
    expect(await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flushStatus())).toMatchObject({ remaining: 0, failedAttempts: 0 });
    expect(await storedRows('SELECT call_id, billed_micros::text AS billed FROM calls WHERE customer_id = $1', [customerId])).toEqual([{ call_id: 'minute', billed: '9007199254742191' }]);
  });

  it('rejects a second call.ended within one batch by its index, and again when re-sent later', async () => {
    const { customerId, key } = await newCustomerWithKey('ended-batch');
    const ended = exampleEvents({ customerId, callId: 'call-eb', now: new Date() })['call.ended'];
    const second = { ...ended, id: 'second-end', status: 'failed' };
    const response = await send(key, [ended, second, ended]);
    expect(response.status).toBe(202);
    const body = await response.json<IngestBody>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1 });
    expect(body.errors).toEqual([{ index: 1, path: 'type', message: expect.stringContaining('call already ended') }]);
    // A rejected event is not remembered as seen: sent again it is rejected again, not a duplicate.
    const again = await (await send(key, [second])).json<IngestBody>();
    expect(again).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 });
    await runMeterAlarm(meter(customerId));
    expect(await storedRows('SELECT status FROM calls WHERE customer_id = $1', [customerId])).toEqual([{ status: 'completed' }]);
  });

  it('stores a batch of nearly 1 MiB whole, every event flushed with its text', async () => {
    const { customerId, key } = await newCustomerWithKey('big-batch');
    const turn = exampleEvents({ customerId, callId: 'call-big', now: new Date() })['call.turn'];
    const userText = 'é'.repeat(4_000);
    const events = Array.from({ length: 120 }, (_, i) => ({ ...turn, id: `big-${i}`, user_text: userText }));
    expect(new TextEncoder().encode(JSON.stringify(events)).length).toBeGreaterThan(900_000);
    const response = await send(key, events);
    expect(response.status).toBe(202);
    expect(await response.json<IngestBody>()).toMatchObject({ accepted: 120, duplicates: 0, rejected: 0 });
    await runMeterAlarm(meter(customerId));
    const stored = await storedRows(
      "SELECT count(*)::int AS n, sum(length(body->>'user_text'))::int AS chars FROM events WHERE customer_id = $1",
      [customerId],
    );
    expect(stored).toEqual([{ n: 120, chars: 120 * 4_000 }]);
  }, 30_000);

  it('keeps the valid events of a batch and reports each invalid one with its index and path', async () => {
    const { customerId, key } = await newCustomerWithKey('mixed');
    const [started, turn] = oneCall(customerId, 'call-m');
    const badTurn = { ...turn, id: 'bad-turn', e2e_ms: 12.5 };
    const response = await send(key, [started, badTurn]);
    expect(response.status).toBe(202);
    const body = await response.json<IngestBody>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(body.errors[0]).toMatchObject({ index: 1, path: 'e2e_ms' });
  });

  it('rejects, per event, events of a customer that does not exist', async () => {
    const { customerId, key } = await newCustomerWithKey('unknown', false);
    const [started] = oneCall(customerId, 'call-u');
    const [stranger] = oneCall('no-such-customer', 'call-x');
    const body = await (await send(key, [started, stranger])).json<IngestBody>();
    expect(body.accepted).toBe(1);
    expect(body.errors).toEqual([{ index: 1, path: 'customer_id', message: expect.stringContaining('unknown customer') }]);
  });

  it('answers 403 and stores nothing when a scoped key sends an event for another customer', async () => {
    const { customerId, key } = await newCustomerWithKey('scoped');
    const other = await newCustomerWithKey('other');
    const [mine] = oneCall(customerId, 'call-s');
    const [theirs] = oneCall(other.customerId, 'call-t');
    const response = await send(key, [mine, theirs]);
    expect(response.status).toBe(403);
    expect((await response.json<ErrorBody>()).error.code).toBe('forbidden');
    const status = await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flushStatus());
    expect(status.remaining).toBe(0);
  });

  it('answers 401 for a missing, unknown or revoked key', async () => {
    const { customerId, key } = await newCustomerWithKey('revoked');
    const events = oneCall(customerId, 'call-r');
    expect((await call('/v1/events', { method: 'POST', json: events })).status).toBe(401);
    expect((await send('sbk_not-a-real-key', events)).status).toBe(401);
    const token = await operatorToken();
    const listed = await (await call('/api/ops/ingest-keys', { token })).json<{ data: Array<{ id: string; prefix: string }> }>();
    const keyId = listed.data.find((k) => k.prefix === key.slice(0, 12))?.id;
    expect((await call(`/api/ops/ingest-keys/${keyId}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await send(key, events)).status).toBe(401);
  });

  it('answers 400 with the error object and the four counts when every event is rejected', async () => {
    const { key } = await newCustomerWithKey('allbad');
    const response = await send(key, [{ id: 'x' }]);
    expect(response.status).toBe(400);
    const body = await response.json<IngestBody & ErrorBody>();
    expect(body.error.code).toBe('validation_failed');
    expect(body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 });
    expect(body.errors.length).toBeGreaterThan(0);
  });

  it.each([
    ['an empty array', '[]', 'application/json', 400],
    ['an empty body', '', 'application/json', 400],
    ['malformed JSON', '[{"id": ', 'application/json', 400],
    ['a form body', 'a=b', 'application/x-www-form-urlencoded', 415],
  ])('answers the whole request with an error for %s', async (_label, body, contentType, status) => {
    const { key } = await newCustomerWithKey('shape');
    const response = await send(key, body, contentType);
    expect(response.status).toBe(status);
    expect((await response.json<ErrorBody>()).error.message.length).toBeGreaterThan(0);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const { key } = await newCustomerWithKey('big');
    const response = await send(key, `[${'"x",'.repeat(300_000)}"x"]`);
    expect(response.status).toBe(413);
  });

  it('accepts NDJSON and rejects a malformed line alone', async () => {
    const { customerId, key } = await newCustomerWithKey('ndjson');
    const [started, turn] = oneCall(customerId, 'call-n');
    const body = `${JSON.stringify(started)}\n{not json\n${JSON.stringify(turn)}\n`;
    const answer = await (await send(key, body, 'application/x-ndjson')).json<IngestBody>();
    expect(answer).toMatchObject({ accepted: 2, rejected: 1 });
    expect(answer.errors).toEqual([{ index: 1, path: '', message: expect.any(String) }]);
  });

  it('answers 503 with Retry-After, storing nothing new, once the buffer is full', async () => {
    const { customerId, key } = await newCustomerWithKey('full');
    // The test configuration limits a buffer to 2,000 events (EVENT_BUFFER_LIMIT).
    const batch = (from: number) =>
      Array.from({ length: 1000 }, (_, i) => ({ ...oneCall(customerId, `c${from + i}`)[0], id: `e${from + i}`, call_id: `c${from + i}` }));
    expect((await send(key, batch(0))).status).toBe(202);
    expect((await send(key, batch(1000))).status).toBe(202);
    const refused = await send(key, batch(2000).slice(0, 1));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const status = await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flushStatus());
    expect(status.remaining).toBe(2000);
    await runMeterAlarm(meter(customerId));
    expect((await send(key, batch(2000).slice(0, 1))).status).toBe(202);
  });
});
