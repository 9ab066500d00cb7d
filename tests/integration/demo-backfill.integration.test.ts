// The demo backfill against a fresh, migrated database on the machine's Postgres: what it writes
// is read back with plain SQL and compared with the planned calls and hand-computed money.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillDemoHistory, planBackfill, type BackfillResult } from '../../local/demo/backfill.ts';
import { DEMO_CUSTOMERS } from '../../local/demo/customers.ts';
import type { CallEndedEvent } from '../../workers/ingest/event-schema.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const DAY_MS = 86_400_000;
const nowMs = Date.parse('2026-11-27T09:30:00.000Z');
const seed = 1_234;
// A tenth of the demo's rate keeps the suite quick: about 400 calls.
const rateScale = 0.00012;

let database: TestDatabase;
let client: pg.Client;
let first: BackfillResult;

const planned = [...planBackfill({ customers: DEMO_CUSTOMERS, seed, nowMs, rateScale })];
const endOf = (events: (typeof planned)[number]['events']) => events.find((e): e is CallEndedEvent => e.type === 'call.ended')!;

beforeAll(async () => {
  database = await createTestDatabase('demo_backfill');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  for (const customer of DEMO_CUSTOMERS) {
    await client.query('INSERT INTO customers (id, name) VALUES ($1, $2)', [customer.id, customer.name]);
    await client.query(
      `INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by) VALUES ($1, 'epoch', $2, $3, 'test')`,
      [customer.id, customer.markupBps, customer.feePerMinuteMicros],
    );
  }
  first = await backfillDemoHistory({ databaseUrl: database.url, customers: DEMO_CUSTOMERS, seed, nowMs, rateScale });
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('the demo backfill', () => {
  it('stores every planned call, ended, for each customer', async () => {
    expect(planned.length).toBeGreaterThan(300);
    const { rows } = await client.query<{ customer_id: string; calls: string; ended: string }>(
      'SELECT customer_id, count(*) AS calls, count(ended_at) AS ended FROM calls GROUP BY customer_id ORDER BY customer_id',
    );
    const expected = DEMO_CUSTOMERS.map((c) => c.id).sort().map((id) => {
      const count = String(planned.filter((call) => call.customerId === id).length);
      return { customer_id: id, calls: count, ended: count };
    });
    expect(rows).toEqual(expected);
    expect(first).toMatchObject({ skippedCustomers: [], calls: planned.length });
  });

  it('stores every event once, all within the last 30 days', async () => {
    const { rows } = await client.query<{ events: string; oldest: Date; newest: Date }>('SELECT count(*) AS events, min(ts) AS oldest, max(ts) AS newest FROM events');
    const plannedEvents = planned.reduce((sum, call) => sum + call.events.length, 0);
    expect(rows[0]!.events).toBe(String(plannedEvents));
    expect(first.events).toBe(plannedEvents);
    expect(rows[0]!.oldest.getTime()).toBeGreaterThanOrEqual(nowMs - 30 * DAY_MS);
    expect(rows[0]!.newest.getTime()).toBeLessThanOrEqual(nowMs);
  });

  it('spreads calls over the whole month', async () => {
    const { rows } = await client.query<{ days: string }>(`SELECT count(DISTINCT date_trunc('day', started_at)) AS days FROM calls`);
    expect(Number(rows[0]!.days)).toBeGreaterThanOrEqual(30);
  });

  it("bills each customer's calls by its own rate card", async () => {
    const { rows } = await client.query<{ customer_id: string; provider_cost: string; billed: string }>(
      'SELECT customer_id, sum(provider_cost_micros) AS provider_cost, sum(billed_micros) AS billed FROM calls GROUP BY customer_id ORDER BY customer_id',
    );
    for (const row of rows) {
      const customer = DEMO_CUSTOMERS.find((c) => c.id === row.customer_id)!;
      let providerCost = 0n;
      let billed = 0n;
      for (const call of planned.filter((c) => c.customerId === customer.id)) {
        const end = endOf(call.events);
        const cost = BigInt(end.cost.reduce((sum, line) => sum + line.cost_micros, 0));
        providerCost += cost;
        // round_half_up(cost * (10000 + markup) / 10000) + ceil(duration / 60000) * fee
        billed += (cost * BigInt(10_000 + customer.markupBps) * 2n + 10_000n) / 20_000n + BigInt(Math.ceil(end.duration_ms / 60_000)) * BigInt(customer.feePerMinuteMicros);
      }
      expect({ customer: row.customer_id, providerCost: row.provider_cost, billed: row.billed }).toEqual({ customer: customer.id, providerCost: String(providerCost), billed: String(billed) });
    }
  });

  it('leaves customers that already have history alone on a later start', async () => {
    const before = await client.query<{ events: string }>('SELECT count(*) AS events FROM events');
    const again = await backfillDemoHistory({ databaseUrl: database.url, customers: DEMO_CUSTOMERS, seed: seed + 1, nowMs: nowMs + 3_600_000, rateScale });
    expect(again).toMatchObject({ skippedCustomers: DEMO_CUSTOMERS.map((c) => c.id), calls: 0, events: 0 });
    const after = await client.query<{ events: string }>('SELECT count(*) AS events FROM events');
    expect(after.rows[0]!.events).toBe(before.rows[0]!.events);
  });
});
