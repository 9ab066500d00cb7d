// Events JSON allows but Postgres cannot store as sent (jsonb refuses NUL and unpaired surrogates,
// overflows on deep nesting and on extreme number literals; `call_turns.turn` is a 32-bit
// integer). Accepted, one of them would fail every flush of its tenant's buffer, so later events
// would never reach Postgres and the buffer would fill: each must be rejected at its path instead,
// and the rest of its batch stored.
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TenantMeter } from '../../durable/TenantMeter.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { call, operatorToken, queryRows, runMeterAlarm, uniqueCustomerId } from './support.ts';

interface IngestBody {
  accepted: number;
  rejected: number;
  errors: Array<{ index: number; path: string; message: string }>;
}

async function newCustomerWithKey(): Promise<{ customerId: string; key: string }> {
  const token = await operatorToken();
  const customerId = uniqueCustomerId('storable');
  expect((await call('/api/ops/customers', { method: 'POST', token, json: { id: customerId } })).status).toBe(201);
  const created = await call('/api/ops/ingest-keys', { method: 'POST', token, json: { customer_id: customerId } });
  return { customerId, key: (await created.json<{ key: string }>()).key };
}

const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** Each case: a change to a valid `call.turn` or `tool.call`, written as JSON text, and the path it must be rejected at. */
const unstorable: Array<{ name: string; type: 'call.turn' | 'tool.call'; edit: (json: string) => string; path: RegExp }> = [
  { name: 'a NUL in free text', type: 'call.turn', edit: (json) => json.replace(/"user_text":"[^"]*"/, '"user_text":"hold\\u0000on"'), path: /^user_text$/ },
  { name: 'an unpaired surrogate', type: 'call.turn', edit: (json) => json.replace(/"agent_text":"[^"]*"/, '"agent_text":"\\ud800"'), path: /^agent_text$/ },
  { name: 'a NUL in an unknown key', type: 'call.turn', edit: (json) => json.replace('{', '{"x\\u0000":1,'), path: /^x\u0000$/ },
  { name: '20,000 levels of nesting', type: 'tool.call', edit: (json) => json.replace(/"arguments":\{[^}]*\}/, `"arguments":${nested(20_000)}`), path: /^arguments(\[0\])+$/ },
  { name: 'a number below what Postgres keeps', type: 'call.turn', edit: (json) => json.replace('{', '{"x_ratio":0e-99999,'), path: /^x_ratio$/ },
  { name: 'a turn beyond 32 bits', type: 'call.turn', edit: (json) => json.replace(/"turn":\d+/, '"turn":2147483648'), path: /^turn$/ },
];

describe('events Postgres cannot store as sent', () => {
  it('rejects each at its path, stores the rest of the batch, and leaves the flush healthy', async () => {
    const { customerId, key } = await newCustomerWithKey();
    const texts: string[] = [];
    unstorable.forEach((c, i) => {
      const event = exampleEvents({ customerId, callId: `bad-${i}`, now: new Date() })[c.type];
      texts.push(c.edit(JSON.stringify(event)));
    });
    const good = Object.values(exampleEvents({ customerId, callId: 'good', now: new Date() }));
    const body = `[${[...texts, ...good.map((e) => JSON.stringify(e))].join(',')}]`;
    const response = await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const answer = await response.json<IngestBody>();
    expect(response.status).toBe(202);
    expect({ accepted: answer.accepted, rejected: answer.rejected }).toEqual({ accepted: good.length, rejected: unstorable.length });
    unstorable.forEach((c, i) => {
      const errors = answer.errors.filter((e) => e.index === i);
      expect(errors, c.name).toHaveLength(1);
      expect(errors[0]?.path, c.name).toMatch(c.path);
    });

    const meter = env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
    await runMeterAlarm(meter);
    expect(await runInDurableObject(meter, (instance: TenantMeter) => instance.flushStatus())).toEqual({ flushed: 0, remaining: 0, failedAttempts: 0, lastError: null });
    const stored = await queryRows<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [customerId]);
    expect(stored[0]?.n).toBe(good.length);
  });

  it('stores what is just inside the limits: 100 levels of nesting, the largest 32-bit turn, a 3-digit exponent', async () => {
    const { customerId, key } = await newCustomerWithKey();
    const events = exampleEvents({ customerId, callId: 'edge', now: new Date() });
    // The event object is the first level, `arguments` holds the other 99.
    const tool = JSON.stringify(events['tool.call']).replace(/"arguments":\{[^}]*\}/, `"arguments":${nested(99)}`);
    const turn = JSON.stringify(events['call.turn']).replace(/"turn":\d+/, '"turn":2147483647').replace('{', '{"x_ratio":1e-300,"x_text":"é\\u0001\\uffff😀",');
    const response = await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: `[${tool},${turn}]` });
    expect(await response.json<IngestBody>()).toMatchObject({ accepted: 2, rejected: 0 });

    const meter = env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
    await runMeterAlarm(meter);
    expect(await runInDurableObject(meter, (instance: TenantMeter) => instance.flushStatus())).toMatchObject({ remaining: 0, failedAttempts: 0 });
    const turns = await queryRows<{ turn: number }>('SELECT turn FROM call_turns WHERE customer_id = $1', [customerId]);
    expect(turns).toEqual([{ turn: 2147483647 }]);
    const raw = await queryRows<{ text: string }>("SELECT body->>'x_text' AS text FROM events WHERE customer_id = $1 AND type = 'call.turn'", [customerId]);
    expect(raw).toEqual([{ text: 'é\u0001\uffff😀' }]);
  });
});
