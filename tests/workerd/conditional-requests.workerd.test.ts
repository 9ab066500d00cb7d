// Revalidation of the customer API: every GET carries `private` caching and an ETag over its
// body, so a reload with If-None-Match costs a 304 until the figures change.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, customerToken, operatorToken, uniqueCustomerId } from './support.ts';

const customerGets = ['/api/customer/session', '/api/customer/overview', '/api/customer/usage?days=30', '/api/customer/calls?limit=10', '/api/customer/calls.csv'];

describe('customer API revalidation', () => {
  const tenant = uniqueCustomerId('etag');
  let token: string;

  beforeAll(async () => {
    const operator = await operatorToken();
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: tenant } })).status).toBe(201);
    expect((await call('/api/ops/refresh', { method: 'POST', token: operator })).status).toBe(200);
    token = await customerToken(tenant);
  });

  it.each(customerGets)('%s answers 304 with no body to a repeat request naming its ETag', async (path) => {
    const first = await call(path, { token });
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(first.headers.get('cache-control')).toMatch(/^private,/);
    await first.arrayBuffer();

    const again = await call(path, { token, headers: { 'if-none-match': tag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
  });

  it('answers the full body when the ETag names another version', async () => {
    const response = await call('/api/customer/overview', { token, headers: { 'if-none-match': 'W/"0000000000000000000000000000000000000000"' } });
    expect(response.status).toBe(200);
    expect((await response.json<{ metrics: object }>()).metrics).toBeDefined();
  });

  it('gives no ETag to a refusal', async () => {
    const response = await call('/api/customer/overview');
    expect(response.status).toBe(401);
    expect(response.headers.get('etag')).toBeNull();
  });
});
