// The drills' oracle: what a drill sent, restated as the rows Postgres must hold, and the rows it
// does hold, read with plain SQL. The billed amount is recomputed here from the contract's formula
// in BigInt, independently of analytics/money.ts and of billed_amount_micros().
import type pg from 'pg';
import { demoCustomer, type DemoCustomer } from '../../../local/demo/customers.ts';
import { generateCall } from '../../../local/demo/call-generator.ts';
import { createRng } from '../../../local/demo/random.ts';
import type { SwitchboardEvent } from '../../../workers/ingest/event-schema.ts';

export interface RateCard {
  markupBps: number;
  feePerMinuteMicros: number;
}

export interface Totals {
  events: number;
  calls: number;
  endedCalls: number;
  billedMicros: bigint;
}

/** round_half_up(cost * (10000 + markup) / 10000) + ceil(duration / 60000) * fee, all integers. */
export function billedMicros(costMicros: bigint, durationMs: bigint, rate: RateCard): bigint {
  const marked = (costMicros * (10_000n + BigInt(rate.markupBps)) + 5_000n) / 10_000n;
  const minutes = (durationMs + 59_999n) / 60_000n;
  return marked + minutes * BigInt(rate.feePerMinuteMicros);
}

export function billedOf(event: Extract<SwitchboardEvent, { type: 'call.ended' }>, rate: RateCard): bigint {
  const cost = event.cost.reduce((sum, line) => sum + BigInt(line.cost_micros), 0n);
  return billedMicros(cost, BigInt(event.duration_ms), rate);
}

/** What Postgres must hold once every event in `events` has been stored exactly once. */
export function expectedTotals(events: Iterable<SwitchboardEvent>, rate: RateCard): Totals {
  const ids = new Set<string>();
  const calls = new Set<string>();
  const ended = new Map<string, bigint>();
  for (const event of events) {
    ids.add(event.id);
    calls.add(event.call_id);
    if (event.type === 'call.ended' && !ended.has(event.call_id)) ended.set(event.call_id, billedOf(event, rate));
  }
  return { events: ids.size, calls: calls.size, endedCalls: ended.size, billedMicros: [...ended.values()].reduce((a, b) => a + b, 0n) };
}

export interface StoredTotals extends Totals {
  /** Rows in `events`; more than `events` (distinct ids) means something was stored twice. */
  eventRows: number;
}

export async function storedTotals(sql: pg.Pool, customerId: string): Promise<StoredTotals> {
  const events = await sql.query<{ rows: number; ids: number }>('SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids FROM events WHERE customer_id = $1', [customerId]);
  const calls = await sql.query<{ calls: number; ended: number; billed: string }>(
    'SELECT count(*)::int AS calls, count(ended_at)::int AS ended, coalesce(sum(billed_micros), 0)::text AS billed FROM calls WHERE customer_id = $1',
    [customerId],
  );
  const e = events.rows[0]!;
  const c = calls.rows[0]!;
  return { eventRows: e.rows, events: e.ids, calls: c.calls, endedCalls: c.ended, billedMicros: BigInt(c.billed) };
}

/** The stored event ids of a customer, to name what is missing when the counts differ. */
export async function storedIds(sql: pg.Pool, customerId: string): Promise<Set<string>> {
  const result = await sql.query<{ id: string }>('SELECT id FROM events WHERE customer_id = $1', [customerId]);
  return new Set(result.rows.map((row) => row.id));
}

/** Failures: every acknowledged event stored, nothing stored twice, calls and money as sent. */
export async function compareStored(sql: pg.Pool, customerId: string, acknowledged: ReadonlyMap<string, SwitchboardEvent>, rate: RateCard): Promise<{ failures: string[]; expected: Totals; stored: StoredTotals }> {
  const expected = expectedTotals(acknowledged.values(), rate);
  const stored = await storedTotals(sql, customerId);
  const failures: string[] = [];
  if (stored.eventRows !== stored.events) failures.push(`${stored.eventRows - stored.events} events stored twice`);
  if (stored.events !== expected.events) {
    const ids = await storedIds(sql, customerId);
    const lost = [...acknowledged.keys()].filter((id) => !ids.has(id));
    const extra = [...ids].filter((id) => !acknowledged.has(id));
    failures.push(`${expected.events} events acknowledged, ${stored.events} stored (${lost.length} lost, e.g. ${lost.slice(0, 3).join(', ') || '-'}; ${extra.length} never acknowledged, e.g. ${extra.slice(0, 3).join(', ') || '-'})`);
  }
  if (stored.calls !== expected.calls) failures.push(`${expected.calls} calls sent, ${stored.calls} call rows`);
  if (stored.endedCalls !== expected.endedCalls) failures.push(`${expected.endedCalls} calls ended, ${stored.endedCalls} stored as ended`);
  if (stored.billedMicros !== expected.billedMicros) failures.push(`billed ${expected.billedMicros} micro-USD expected, ${stored.billedMicros} stored`);
  return { failures, expected, stored };
}

// --- realistic traffic ---------------------------------------------------------------------------

/** A drill's tenant: a demo customer's rate card, providers and agents under its own id. */
export function drillCustomer(id: string): DemoCustomer {
  return { ...demoCustomer('northwind-retail'), id };
}

export function rateCardOf(customer: DemoCustomer): RateCard {
  return { markupBps: customer.markupBps, feePerMinuteMicros: customer.feePerMinuteMicros };
}

/** The fields POST /api/ops/customers takes for a drill customer. */
export function customerFields(customer: DemoCustomer): { id: string } & Record<string, unknown> {
  return { id: customer.id, name: customer.name, markup_bps: customer.markupBps, fee_per_minute_micros: customer.feePerMinuteMicros, normal_calls_per_hour: customer.normalCallsPerHour };
}

/**
 * `count` seeded calls started over the hour before `endMs - 20 min`, so every event of every call
 * lies in the past and within the 24 h an event may be late; their events in time order.
 */
export function drillEvents({ seed, customer, count, endMs }: { seed: number; customer: DemoCustomer; count: number; endMs: number }): SwitchboardEvent[] {
  const rng = createRng(seed, `drill:${customer.id}`);
  const windowStart = endMs - 80 * 60_000;
  const events: SwitchboardEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(...generateCall({ rng, customer, startedAtMs: windowStart + Math.floor((i / count) * 60 * 60_000) }).events);
  }
  return events.sort((a, b) => a.ts.localeCompare(b.ts));
}

export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
