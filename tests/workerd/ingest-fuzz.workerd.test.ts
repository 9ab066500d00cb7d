// Fuzzing POST /v1/events end to end inside workerd, with a fixed seed: bodies generated from the
// event schemas (tests/support/ingest-fuzz.ts) go through the Worker and the TenantMeters to
// Postgres. Never a 5xx; every answer as the contract says; and afterwards the rows are exactly
// the accepted events, each stored once, as sent, and still valid. `npm run fuzz` runs the same
// against the real local stack with random seeds for longer.
import { env, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantMeter } from '../../durable/TenantMeter.ts';
import { bodyArb, type FuzzBody } from '../support/ingest-fuzz.ts';
import { checkStoredEvents, emptyTally, sendFuzzBody, type IngestAnswer, type StoredEvent } from '../support/ingest-fuzz-checks.ts';
import { call, operatorToken, queryRows, uniqueCustomerId } from './support.ts';

const seed = 1_124;
const requests = 250;

/** Bodies that are not UTF-8 at all: refused whole, before anything is read. */
const notUtf8 = [
  [0x5b, 0xff, 0x5d],
  [0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d],
  [0x5b, 0xc0, 0xaf, 0x5d],
  [0x5b, 0x22, 0xe2, 0x82, 0x22, 0x5d],
];

describe('POST /v1/events under fuzzed bodies', () => {
  const customers = [uniqueCustomerId('fuzz-a'), uniqueCustomerId('fuzz-b')];
  let key: string;

  beforeAll(async () => {
    const token = await operatorToken();
    for (const id of customers) expect((await call('/api/ops/customers', { method: 'POST', token, json: { id } })).status).toBe(201);
    key = (await (await call('/api/ops/ingest-keys', { method: 'POST', token, json: {} })).json<{ key: string }>()).key;
  });

  async function send(body: FuzzBody): Promise<{ status: number; answer: IngestAnswer | null }> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body.contentType !== null) headers['content-type'] = body.contentType;
    // Bytes, not a string: a string body would bring its own text/plain content type.
    const response = await call('/v1/events', { method: 'POST', headers, body: new TextEncoder().encode(body.body) });
    const answer = await response.json<IngestAnswer>().catch(() => null);
    return { status: response.status, answer };
  }

  it(`answers ${requests} fuzzed requests as the contract says and stores exactly what it accepted (seed ${seed})`, async () => {
    console.log(`ingest fuzz (workerd): seed ${seed}, ${requests} requests`);
    const context = { nowMs: Date.now(), customers, unknownCustomer: uniqueCustomerId('nobody'), idPrefix: `${customers[0]}-` };
    const tally = emptyTally();
    for (const body of fc.sample(bodyArb(context), { seed, numRuns: requests })) await sendFuzzBody(tally, body, send);

    for (const bytes of notUtf8) {
      const response = await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: new Uint8Array(bytes) });
      expect({ status: response.status, code: (await response.json<IngestAnswer>()).error?.code }).toEqual({ status: 400, code: 'bad_request' });
    }

    for (const customerId of customers) {
      // flush() joins a flush an alarm already started, so awaiting it leaves nothing behind.
      const meter = env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));
      expect(await runInDurableObject(meter, (instance: TenantMeter) => instance.flush())).toMatchObject({ remaining: 0, failedAttempts: 0, lastError: null });
    }
    const rows = await queryRows<StoredEvent>('SELECT customer_id, id, body FROM events WHERE customer_id = ANY($1)', [customers]);
    const problems = [...tally.problems, ...checkStoredEvents(tally, rows)];
    console.log(`ingest fuzz (workerd): ${tally.events} events in ${tally.requests} requests, ${tally.accepted} accepted, ${tally.rejected} rejected, ${tally.refusedBodies} bodies refused whole, statuses ${JSON.stringify(Object.fromEntries(tally.statuses))}`);
    expect(problems).toEqual([]);
    // The run means something only if it exercised both sides.
    expect(tally.accepted).toBeGreaterThan(100);
    expect(tally.rejected).toBeGreaterThan(100);
  }, 120_000);
});
