import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS } from '../../local/demo/customers.ts';
import { DEMO_KEYS_FILE, DemoApiError, provisionDemoCustomers } from '../../local/demo/provision.ts';

const operatorToken = 'operator-token';

/** An in-memory stand-in for the operator API's customers and ingest keys. */
function fakeOperatorApi() {
  const customers = new Map<string, Record<string, unknown>>();
  const keys: Array<{ id: string; key: string; customer_id: string | null; revoked_at: string | null }> = [];
  const calls: string[] = [];
  let failCustomers = false;
  let issued = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchFn = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(url)).pathname;
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${path}`);
    if (new Headers(init?.headers).get('authorization') !== `Bearer ${operatorToken}`) return json(401, { error: { code: 'unauthorized', message: 'no', details: [] } });
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    if (method === 'POST' && path === '/api/ops/customers') {
      if (failCustomers) return json(500, { error: { code: 'internal', message: 'Something went wrong on our side.', details: [] } });
      if (customers.has(String(body.id))) return json(409, { error: { code: 'conflict', message: 'exists', details: [] } });
      customers.set(String(body.id), body);
      return json(201, body);
    }
    if (method === 'GET' && path === '/api/ops/ingest-keys') return json(200, { data: keys.map(({ key: _key, ...row }) => row) });
    if (method === 'POST' && path === '/api/ops/ingest-keys') {
      issued++;
      const row = { id: `key_${issued}`, key: `sbk_secret_${issued}`, customer_id: (body.customer_id as string | undefined) ?? null, revoked_at: null };
      keys.push(row);
      return json(201, { id: row.id, key: row.key, customer_id: row.customer_id, created_at: '2026-11-24T14:00:00.000Z' });
    }
    return json(404, { error: { code: 'not_found', message: path, details: [] } });
  };
  return {
    customers,
    keys,
    calls,
    fetchFn,
    failCustomerCreation() {
      failCustomers = true;
    },
  };
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-demo-keys-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('provisioning the demo customers', () => {
  it('creates the four customers with their rate cards and one key limited to each, kept in demo-keys.json', async () => {
    const api = fakeOperatorApi();
    const keys = await provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });

    expect([...api.customers.values()]).toEqual([
      { id: 'northwind-retail', name: 'Northwind Retail Contact Centre', markup_bps: 1500, fee_per_minute_micros: 8_000, hourly_spend_limit_micros: 800_000_000, normal_calls_per_hour: 3_000 },
      { id: 'brightsmile-clinics', name: 'BrightSmile Dental Clinics', markup_bps: 2000, fee_per_minute_micros: 10_000, hourly_spend_limit_micros: 400_000_000, normal_calls_per_hour: 1_200 },
      { id: 'parcelpal', name: 'ParcelPal', markup_bps: 2000, fee_per_minute_micros: 10_000, hourly_spend_limit_micros: 250_000_000, normal_calls_per_hour: 400 },
      { id: 'harborline-insurance', name: 'Harborline Insurance', markup_bps: 6000, fee_per_minute_micros: 15_000, hourly_spend_limit_micros: 400_000_000, normal_calls_per_hour: 800 },
    ]);
    expect(api.keys.map((k) => k.customer_id)).toEqual(DEMO_CUSTOMERS.map((c) => c.id));
    expect(keys).toEqual({ 'northwind-retail': 'sbk_secret_1', 'brightsmile-clinics': 'sbk_secret_2', parcelpal: 'sbk_secret_3', 'harborline-insurance': 'sbk_secret_4' });

    const path = join(dataDir, DEMO_KEYS_FILE);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      keys: {
        'northwind-retail': { id: 'key_1', key: 'sbk_secret_1' },
        'brightsmile-clinics': { id: 'key_2', key: 'sbk_secret_2' },
        parcelpal: { id: 'key_3', key: 'sbk_secret_3' },
        'harborline-insurance': { id: 'key_4', key: 'sbk_secret_4' },
      },
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reuses the customers and kept keys on a restart', async () => {
    const api = fakeOperatorApi();
    const first = await provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });
    api.calls.length = 0;
    const again = await provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });

    expect(again).toEqual(first);
    expect(api.keys).toHaveLength(4);
    expect(api.calls.filter((c) => c === 'POST /api/ops/ingest-keys')).toEqual([]);
  });

  it('replaces a kept key that was revoked or that the server does not know', async () => {
    const api = fakeOperatorApi();
    await provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });
    api.keys[2]!.revoked_at = '2026-11-24T15:00:00.000Z';
    api.keys.splice(3, 1);
    const keys = await provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });

    expect(keys).toEqual({ 'northwind-retail': 'sbk_secret_1', 'brightsmile-clinics': 'sbk_secret_2', parcelpal: 'sbk_secret_5', 'harborline-insurance': 'sbk_secret_6' });
    const kept = JSON.parse(await readFile(join(dataDir, DEMO_KEYS_FILE), 'utf8')) as { keys: Record<string, { id: string }> };
    expect(kept.keys.parcelpal?.id).toBe('key_5');
    expect(kept.keys['harborline-insurance']?.id).toBe('key_6');
  });

  it('stops with the API error code when a customer cannot be created', async () => {
    const api = fakeOperatorApi();
    api.failCustomerCreation();
    const attempt = provisionDemoCustomers({ baseUrl: 'http://switchboard.test', operatorToken, dataDir, customers: DEMO_CUSTOMERS, fetch: api.fetchFn });
    await expect(attempt).rejects.toThrow(DemoApiError);
    await expect(attempt).rejects.toMatchObject({ status: 500, code: 'internal' });
  });
});
