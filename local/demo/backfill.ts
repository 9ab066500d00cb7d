// The demo customers' last 30 days, written straight into Postgres on first start so the customer
// dashboards have a month of history and trends (the API refuses events older than 24 h). Calls
// follow the same daily rhythm as live traffic at a small fraction of its rate, so the backfill
// stays well under a minute against the embedded PGlite, and go through ingest_events(), the one
// writer of the event tables, exactly as the Worker's flushes do.
import pg from 'pg';
import { switchboardEventSchema } from '../../workers/ingest/event-schema.ts';
import { generateCall, type GeneratedCall } from './call-generator.ts';
import type { DemoCustomer } from './customers.ts';
import { NO_INCIDENTS } from './incidents.ts';
import { createRng } from './random.ts';
import { callArrivals } from './rhythm.ts';

const DAY_MS = 86_400_000;

export const BACKFILL_DEFAULTS = {
  days: 30,
  /**
   * Share of the live rate: about 4,000 calls (120,000 events) over 30 days for the four demo
   * customers, which PGlite stores in well under a minute on a 2-core machine.
   */
  rateScale: 0.0012,
  chunkEvents: 1_000,
} as const;

/** The API takes events up to 24 h old: anything older can only have come from a backfill. */
const LIVE_HISTORY_MS = DAY_MS;

export interface BackfillPlanInput {
  customers: readonly DemoCustomer[];
  seed: number;
  nowMs: number;
  days?: number;
  rateScale?: number;
}

/**
 * Every backfilled call, customer by customer in start order: those started in the `days` before
 * `nowMs` whose last event (a late rating included) is not after `nowMs`. Pure.
 */
export function* planBackfill({ customers, seed, nowMs, days = BACKFILL_DEFAULTS.days, rateScale = BACKFILL_DEFAULTS.rateScale }: BackfillPlanInput): Generator<GeneratedCall> {
  const fromMs = nowMs - days * DAY_MS;
  for (const customer of customers) {
    const arrivals = callArrivals(createRng(seed, `backfill-arrivals:${customer.id}`), customer, fromMs, { incidents: NO_INCIDENTS, scale: rateScale });
    const rng = createRng(seed, `backfill-calls:${customer.id}`);
    for (let startedAtMs = arrivals.next().value; startedAtMs < nowMs; startedAtMs = arrivals.next().value) {
      // No recordings: they live in R2, which only the running API reaches, so a backfilled call
      // declares no audio rather than one that would never arrive.
      const call = generateCall({ rng, customer, startedAtMs });
      const lastEvent = call.events.at(-1);
      if (lastEvent && Date.parse(lastEvent.ts) <= nowMs) yield call;
    }
  }
}

export interface BackfillInput extends BackfillPlanInput {
  databaseUrl: string;
  chunkEvents?: number;
  /** Checked between chunks: a stopping stack need not wait for the whole month. */
  signal?: AbortSignal;
}

export interface BackfillResult {
  /** Customers that already had history and were left alone. */
  skippedCustomers: string[];
  calls: number;
  events: number;
  elapsedMs: number;
}

/** One element of ingest_events()'s argument: the validated event and, as nothing was added, the same raw event. */
function ingestElement(event: unknown): string {
  const validated = switchboardEventSchema.parse(event);
  const text = JSON.stringify(validated);
  return `{"event":${text},"raw":${text}}`;
}

/**
 * Writes the planned history of every customer that has none yet, in chunks of about
 * `chunkEvents` events, never splitting a call across chunks. Idempotent: a customer with calls
 * older than a day is skipped, and re-storing an event changes nothing.
 */
export async function backfillDemoHistory(input: BackfillInput): Promise<BackfillResult> {
  const started = performance.now();
  const chunkEvents = input.chunkEvents ?? BACKFILL_DEFAULTS.chunkEvents;
  const client = new pg.Client({ connectionString: input.databaseUrl });
  await client.connect();
  try {
    const withHistory = await client.query<{ id: string }>(
      `SELECT c.id FROM unnest($1::text[]) AS c(id)
       WHERE EXISTS (SELECT 1 FROM calls WHERE calls.customer_id = c.id AND calls.started_at < $2)`,
      [input.customers.map((c) => c.id), new Date(input.nowMs - LIVE_HISTORY_MS)],
    );
    const skippedCustomers = withHistory.rows.map((row) => row.id);
    const customers = input.customers.filter((c) => !skippedCustomers.includes(c.id));

    let calls = 0;
    let events = 0;
    let chunk: string[] = [];
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      input.signal?.throwIfAborted();
      await client.query('SELECT ingest_events($1::jsonb)', [`[${chunk.join(',')}]`]);
      events += chunk.length;
      chunk = [];
    };
    for (const call of planBackfill({ ...input, customers })) {
      for (const event of call.events) chunk.push(ingestElement(event));
      calls++;
      if (chunk.length >= chunkEvents) await flush();
    }
    await flush();
    return { skippedCustomers, calls, events, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await client.end();
  }
}
