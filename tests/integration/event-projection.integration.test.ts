// ingest_events() on both engines, against hand-computed expectations and plain SQL.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billedAmountMicros } from '../../analytics/money.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { sqlEngines, startSqlTarget, type SqlTarget } from '../support/sql-targets.ts';

function batch(events: SwitchboardEvent[]): string {
  return JSON.stringify(events.map((event) => ({ event, raw: { ...event, extra_field: 'kept' } })));
}

describe.each(sqlEngines)('event projection on %s', (engine) => {
  let target: SqlTarget;
  let client: pg.Client;

  beforeAll(async () => {
    target = await startSqlTarget(engine, 'projection');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query(`INSERT INTO customers (id, name) VALUES ('acme', 'Acme'), ('beta', 'Beta')`);
    await client.query(`INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by)
      VALUES ('acme', 'epoch', 2000, 10000, 'test'), ('beta', 'epoch', 0, 0, 'test'), ('beta', '2026-11-01T00:00:00Z', 5000, 20000, 'test')`);
  });

  afterAll(async () => {
    await client.end();
    await target.stop();
  });

  async function ingest(events: SwitchboardEvent[]): Promise<number> {
    const result = await client.query<{ stored: number }>('SELECT ingest_events($1::jsonb) AS stored', [batch(events)]);
    return result.rows[0]?.stored ?? -1;
  }

  it('folds a call that arrives out of order into one row, the same as in order', async () => {
    const now = new Date('2026-11-24T12:00:00.000Z');
    const inOrder = Object.values(exampleEvents({ customerId: 'acme', callId: 'ordered', now }));
    const reversed = Object.values(exampleEvents({ customerId: 'acme', callId: 'reversed', now })).reverse();
    expect(await ingest(inOrder)).toBe(7);
    for (const event of reversed) await ingest([event]);
    const rows = await client.query(
      `SELECT call_id, started_at, ended_at, status, from_number, region, stt_provider, turn_count, max_e2e_ms, error_count,
              tool_call_count, csat_sum, csat_count, provider_cost_micros, billed_micros, duration_ms
       FROM calls WHERE customer_id = 'acme' AND call_id IN ('ordered', 'reversed') ORDER BY call_id`,
    );
    const [ordered, reversedRow] = rows.rows;
    expect({ ...reversedRow, call_id: 'ordered' }).toEqual(ordered);
  });

  it('stores an event once however often it is sent, and keeps unknown fields in the raw body', async () => {
    const events = Object.values(exampleEvents({ customerId: 'acme', callId: 'dup', now: new Date('2026-11-24T12:00:00.000Z') }));
    expect(await ingest([...events, ...events])).toBe(7);
    expect(await ingest(events)).toBe(0);
    const counted = await client.query(`SELECT count(*)::int AS n, bool_and(body->>'extra_field' = 'kept') AS kept FROM events WHERE customer_id = 'acme' AND call_id = 'dup'`);
    expect(counted.rows[0]).toEqual({ n: 7, kept: true });
    const call = await client.query(`SELECT turn_count, tool_call_count FROM calls WHERE customer_id = 'acme' AND call_id = 'dup'`);
    expect(call.rows[0]).toEqual({ turn_count: 1, tool_call_count: 1 });
  });

  it('ignores a second call.ended that reaches Postgres: the first one is authoritative', async () => {
    const ended = exampleEvents({ customerId: 'acme', callId: 'twice', now: new Date('2026-11-24T12:00:00.000Z') })['call.ended'];
    await ingest([ended]);
    await ingest([{ ...ended, id: 'second-end', status: 'failed', cost: [{ component: 'llm', provider: 'x', quantity: 1, unit: 'call', cost_micros: 999_999 }] }]);
    const call = await client.query(`SELECT status, provider_cost_micros::bigint AS cost FROM calls WHERE customer_id = 'acme' AND call_id = 'twice'`);
    const expectedCost = ended.cost.reduce((sum, line) => sum + line.cost_micros, 0);
    expect(call.rows[0]).toEqual({ status: 'completed', cost: String(expectedCost) });
    const lines = await client.query(`SELECT count(*)::int AS n FROM call_cost_lines WHERE customer_id = 'acme' AND call_id = 'twice'`);
    expect(lines.rows[0]?.n).toBe(ended.cost.length);
  });

  it('bills a call by the rate card in force when it ended', async () => {
    const base = exampleEvents({ customerId: 'beta', callId: 'x', now: new Date('2026-11-24T12:00:00.000Z') })['call.ended'];
    const line = { component: 'llm', provider: 'openai', quantity: 1, unit: 'call', cost_micros: 1001 };
    await ingest([
      { ...base, id: 'old-card', call_id: 'october', ts: '2026-10-31T23:59:59.999Z', duration_ms: 60_001, cost: [line] },
      { ...base, id: 'new-card', call_id: 'november', ts: '2026-11-01T00:00:00.000Z', duration_ms: 60_001, cost: [line] },
    ]);
    const rows = await client.query(`SELECT call_id, billed_micros::bigint AS billed FROM calls WHERE customer_id = 'beta' ORDER BY call_id`);
    // October: no markup, no fee -> 1001. November: 1001 * 1.5 = 1501.5 -> 1502, plus 2 minutes * 20000.
    expect(rows.rows).toEqual([
      { call_id: 'november', billed: '41502' },
      { call_id: 'october', billed: '1001' },
    ]);
  });

  it('computes billed amounts exactly as analytics/money.ts does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
        fc.bigInt({ min: 0n, max: 86_400_000n }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        async (cost, duration, markupBps, fee) => {
          const result = await client.query<{ billed: string }>('SELECT billed_amount_micros($1, $2, $3, $4)::text AS billed', [
            cost.toString(),
            duration.toString(),
            markupBps,
            fee.toString(),
          ]);
          expect(BigInt(result.rows[0]?.billed ?? '-1')).toBe(billedAmountMicros(cost, duration, { markupBps, feePerMinuteMicros: fee }));
        },
      ),
      { numRuns: 200, seed: 20261127 },
    );
  });

  it('keeps events of any month: prepared partitions and the default one', async () => {
    const ended = exampleEvents({ customerId: 'acme', callId: 'ancient', now: new Date('2020-01-15T00:00:00.000Z') })['call.ended'];
    expect(await ingest([ended])).toBe(1);
    const where = await client.query(`SELECT tableoid::regclass::text AS part FROM events WHERE customer_id = 'acme' AND call_id = 'ancient'`);
    expect(where.rows[0]?.part).toBe('events_default');
  });
});
