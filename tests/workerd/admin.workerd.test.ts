import { describe, expect, it } from 'vitest';
import { call, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

interface CustomerBody {
  id: string;
  name: string;
  markup_bps: number;
  fee_per_minute_micros: number;
  hourly_spend_limit_micros: number;
  normal_calls_per_hour: number | null;
  retention_days: number;
  rate_cards: Array<{ effective_from: string; markup_bps: number; fee_per_minute_micros: number }>;
}

describe('POST /api/ops/customers', () => {
  it('creates a customer with the contract defaults', async () => {
    const id = uniqueCustomerId('acme');
    const response = await call('/api/ops/customers', { method: 'POST', token: await operatorToken(), json: { id, name: 'Acme Corp' } });
    expect(response.status).toBe(201);
    const body = await response.json<CustomerBody>();
    expect(body).toMatchObject({
      id,
      name: 'Acme Corp',
      markup_bps: 2000,
      fee_per_minute_micros: 10000,
      hourly_spend_limit_micros: 100000000,
      normal_calls_per_hour: null,
      retention_days: 90,
    });
  });

  it('answers 409 for a duplicate id and keeps the first customer unchanged', async () => {
    const token = await operatorToken();
    const id = uniqueCustomerId('dup');
    await call('/api/ops/customers', { method: 'POST', token, json: { id, name: 'First', markup_bps: 1500 } });
    const second = await call('/api/ops/customers', { method: 'POST', token, json: { id, name: 'Second' } });
    expect(second.status).toBe(409);
    expect((await second.json<ErrorBody>()).error.code).toBe('conflict');
    const listed = await call('/api/ops/customers', { token });
    const found = (await listed.json<{ data: CustomerBody[] }>()).data.find((c) => c.id === id);
    expect(found).toMatchObject({ name: 'First', markup_bps: 1500 });
  });

  it.each([
    [{ id: 'has space' }, 'id'],
    [{ id: '' }, 'id'],
    [{ id: 'x'.repeat(65) }, 'id'],
    [{ id: 'ok-id', markup_bps: 12.5 }, 'markup_bps'],
    [{ id: 'ok-id', fee_per_minute_micros: -1 }, 'fee_per_minute_micros'],
    [{ id: 'ok-id', hourly_spend_limit_micros: 0.5 }, 'hourly_spend_limit_micros'],
    [{ id: 'ok-id', surprise: true }, ''],
  ])('answers 400 naming the field for %j', async (json, path) => {
    const response = await call('/api/ops/customers', { method: 'POST', token: await operatorToken(), json });
    expect(response.status).toBe(400);
    const body = await response.json<ErrorBody>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path)).toContain(path);
  });

  it('answers 415 for a body that is not JSON-typed and 400 for malformed JSON', async () => {
    const token = await operatorToken();
    const wrongType = await call('/api/ops/customers', { method: 'POST', token, body: 'id=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType.status).toBe(415);
    const malformed = await call('/api/ops/customers', { method: 'POST', token, body: '{"id":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json<ErrorBody>()).error.code).toBe('invalid_json');
  });

  it('answers 413 for an oversized body', async () => {
    const response = await call('/api/ops/customers', {
      method: 'POST',
      token: await operatorToken(),
      json: { id: 'big', name: 'x'.repeat(70_000) },
    });
    expect(response.status).toBe(413);
    expect((await response.json<ErrorBody>()).error.code).toBe('payload_too_large');
  });
});

describe('PATCH /api/ops/customers/{id}', () => {
  it('adds a rate card from a future date and keeps the current one in force until then', async () => {
    const token = await operatorToken();
    const id = uniqueCustomerId('rates');
    await call('/api/ops/customers', { method: 'POST', token, json: { id, markup_bps: 2000 } });
    const from = new Date(Date.now() + 86_400_000).toISOString();
    const response = await call(`/api/ops/customers/${id}`, { method: 'PATCH', token, json: { markup_bps: 3000, effective_from: from } });
    expect(response.status).toBe(200);
    const body = await response.json<CustomerBody>();
    expect(body.markup_bps).toBe(2000);
    expect(body.rate_cards).toHaveLength(2);
    expect(body.rate_cards[1]).toMatchObject({ effective_from: from, markup_bps: 3000, fee_per_minute_micros: 10000 });
  });

  it('refuses a rate card that would take effect in the past', async () => {
    const token = await operatorToken();
    const id = uniqueCustomerId('past');
    await call('/api/ops/customers', { method: 'POST', token, json: { id } });
    const response = await call(`/api/ops/customers/${id}`, {
      method: 'PATCH',
      token,
      json: { fee_per_minute_micros: 1, effective_from: '2020-01-01T00:00:00.000Z' },
    });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorBody>()).error.details[0]?.path).toBe('effective_from');
  });

  it('answers 404 for an unknown customer', async () => {
    const response = await call('/api/ops/customers/nobody-here', { method: 'PATCH', token: await operatorToken(), json: { name: 'x' } });
    expect(response.status).toBe(404);
  });
});

describe('ingest keys', () => {
  it('shows a new key once and lists only its prefix afterwards', async () => {
    const token = await operatorToken();
    const id = uniqueCustomerId('keys');
    await call('/api/ops/customers', { method: 'POST', token, json: { id } });
    const created = await call('/api/ops/ingest-keys', { method: 'POST', token, json: { customer_id: id } });
    expect(created.status).toBe(201);
    const key = await created.json<{ id: string; key: string; customer_id: string; created_at: string }>();
    expect(key.key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(key.customer_id).toBe(id);
    const listed = await call('/api/ops/ingest-keys', { token });
    const text = await listed.text();
    expect(text).not.toContain(key.key);
    const entry = (JSON.parse(text) as { data: Array<{ id: string; prefix: string; revoked_at: string | null }> }).data.find((k) => k.id === key.id);
    expect(entry).toMatchObject({ prefix: key.key.slice(0, 12), revoked_at: null });
  });

  it('refuses a key for a customer that does not exist', async () => {
    const response = await call('/api/ops/ingest-keys', { method: 'POST', token: await operatorToken(), json: { customer_id: 'no-such-customer' } });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorBody>()).error.details[0]?.path).toBe('customer_id');
  });

  it('revokes a key and lists when', async () => {
    const token = await operatorToken();
    const created = await (await call('/api/ops/ingest-keys', { method: 'POST', token, json: {} })).json<{ id: string }>();
    const revoked = await call(`/api/ops/ingest-keys/${created.id}`, { method: 'DELETE', token });
    expect(revoked.status).toBe(204);
    const listed = await (await call('/api/ops/ingest-keys', { token })).json<{ data: Array<{ id: string; revoked_at: string | null }> }>();
    expect(listed.data.find((k) => k.id === created.id)?.revoked_at).not.toBeNull();
    expect((await call('/api/ops/ingest-keys/key_unknown', { method: 'DELETE', token })).status).toBe(404);
  });
});

describe('unknown routes', () => {
  it('answers 404 JSON under /api', async () => {
    const response = await call('/api/nothing-here', { token: await operatorToken() });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect((await response.json<ErrorBody>()).error.code).toBe('not_found');
  });
});

describe('health', () => {
  it('reports every component up once migrations are applied', async () => {
    const response = await call('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', postgres: 'up', redis: 'up', storage: 'up' });
    expect((await call('/readyz')).status).toBe(200);
  });
});
