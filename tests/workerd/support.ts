// Requests against the Worker under test, as a client would send them.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import type { TenantMeter } from '../../durable/TenantMeter.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { openDatabase } from '../../workers/db/client.ts';

export const origin = 'http://127.0.0.1:8787';

export async function operatorToken(subject = 'ops@example.test'): Promise<string> {
  return (await signToken(env.JWT_SECRET, { role: 'operator', subject, ttlSeconds: 3600 })).token;
}

export async function customerToken(customerId: string): Promise<string> {
  return (await signToken(env.JWT_SECRET, { role: 'customer', subject: `user@${customerId}`, customerId, ttlSeconds: 3600 })).token;
}

export function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(origin + path, { ...init, headers, body, redirect: 'manual' }));
}

export interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

/** A customer id no other test uses, so tests can share the suite's database. */
export function uniqueCustomerId(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Plain SQL on the suite's database, the independent oracle beside the API. */
export async function queryRows<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const database = openDatabase(env);
  try {
    return (await database.pool.query(text, params)).rows as T[];
  } finally {
    await database.close();
  }
}

/**
 * Runs a TenantMeter's alarm now, then waits for the flush it started (the alarm does not wait
 * for it). False when no alarm was scheduled.
 */
export async function runMeterAlarm(meter: DurableObjectStub<TenantMeter>): Promise<boolean> {
  const ran = await runDurableObjectAlarm(meter);
  await runInDurableObject(meter, (instance: TenantMeter) => instance.flush());
  return ran;
}
