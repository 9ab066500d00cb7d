// Customers and ended calls written straight into a fresh database with INSERT ... SELECT over
// generate_series, as the projection would leave them, with every column the operator call list
// filters and sorts on (window, customer, status, phone, latency, region, providers, errors).
// Much faster than ingesting them, so a read bench can stand on 100k+ calls. random() follows
// the session's setseed, so a seed gives the same rows.
import type pg from 'pg';
import { deriveSeed } from './rng.ts';

/** The rate card of every seeded customer, also for those created through the API. */
export const seededRateCard = { markup_bps: 2000, fee_per_minute_micros: 10_000 } as const;

/** `bench-00042`: zero-padded, so ids sort as their indexes do. */
export function seededCustomerId(index: number): string {
  return `bench-${String(index).padStart(5, '0')}`;
}

/**
 * Customers `bench-<first>`..`bench-<first + count - 1>` with a rate card each (20% markup, 1 cent
 * a minute), in Postgres only: the Worker's AccessRegistry and TenantMeters never hear of them, so
 * their events are refused as unknown. Create the customers a load sends for through the API.
 */
export async function seedCustomers(client: pg.Client, { first = 0, count }: { first?: number; count: number }): Promise<void> {
  if (count <= 0) return;
  await client.query(`INSERT INTO customers (id, name) SELECT 'bench-' || lpad(i::text, 5, '0'), 'Bench customer ' || i FROM generate_series($1::int, $1::int + $2 - 1) i`, [first, count]);
  await client.query(
    `INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by)
     SELECT id, 'epoch', $1, $2, 'bench' FROM customers WHERE id LIKE 'bench-%' AND NOT EXISTS (SELECT 1 FROM rate_cards r WHERE r.customer_id = customers.id)`,
    [seededRateCard.markup_bps, seededRateCard.fee_per_minute_micros],
  );
}

/** Makes the next `random()` calls of this session repeat for the same seed and label. */
export async function seedRandom(client: pg.Client, seed: number, label: string): Promise<void> {
  await client.query('SELECT setseed($1)', [(deriveSeed(seed, label) / 2 ** 32) * 2 - 1]);
}

/**
 * `count` ended calls with ids `<prefix><n>`, of customers drawn uniformly from the first
 * `customers`, ended at uniform instants in [fromIso, toIso). Statuses, regions, providers and
 * error rates follow the shape of bench/support/calls.ts's generated calls.
 */
export async function seedEndedCalls(client: pg.Client, { prefix, count, customers, fromIso, toIso }: { prefix: string; count: number; customers: number; fromIso: string; toIso: string }): Promise<void> {
  await client.query(
    `INSERT INTO calls (customer_id, call_id, started_at, ended_at, status, direction, from_number, to_number, agent_id, agent_version, region,
                        stt_provider, llm_provider, tts_provider, telephony_provider, duration_ms, ttfa_ms, escalated, task_success,
                        turn_count, max_e2e_ms, error_count, provider_cost_micros, billed_micros, markup_bps, fee_per_minute_micros, updated_at)
     SELECT customer_id, call_id, ended_at - duration_ms * interval '1 millisecond', ended_at, status,
            CASE WHEN r[1] < 0.9 THEN 'inbound' ELSE 'outbound' END,
            '+1' || (200 + floor(r[2] * 790)::int) || '555' || lpad(floor(r[3] * 10000)::int::text, 4, '0'), '+18005550199',
            (ARRAY['dental-reception', 'order-support', 'billing-desk'])[1 + floor(r[4] * 3)::int], '2026.11.4',
            (ARRAY['us', 'us', 'eu', 'ap'])[1 + floor(r[5] * 4)::int],
            (ARRAY['deepgram', 'assemblyai'])[1 + floor(r[6] * 2)::int], (ARRAY['openai', 'anthropic'])[1 + floor(r[7] * 2)::int],
            (ARRAY['cartesia', 'elevenlabs'])[1 + floor(r[8] * 2)::int], (ARRAY['twilio', 'telnyx'])[1 + floor(r[9] * 2)::int],
            duration_ms, 600 + floor(r[10] * 1000)::int, r[11] < 0.04, CASE WHEN r[12] < 0.2 THEN NULL ELSE r[12] < 0.88 END,
            turns, 500 + floor(r[13] * 1500)::int, CASE WHEN status = 'failed' OR r[14] < 0.02 THEN 1 ELSE 0 END,
            provider_cost, billed_amount_micros(provider_cost, duration_ms, $7::int, $8::bigint), $7::int, $8::bigint, ended_at
     FROM (
       SELECT 'bench-' || lpad(floor(random() * $3)::int::text, 5, '0') AS customer_id,
              $4 || i AS call_id,
              $5::timestamptz + random() * ($6::timestamptz - $5::timestamptz) AS ended_at,
              (ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'abandoned'])[1 + floor(random() * 10)::int] AS status,
              20000 + floor(random() * 280000)::bigint AS duration_ms,
              3 + floor(random() * 6)::int AS turns,
              5000 + floor(random() * 90000)::bigint AS provider_cost,
              ARRAY(SELECT random() FROM generate_series(1, 14) WHERE i IS NOT NULL) AS r
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) i
     ) c`,
    [0, count, customers, prefix, fromIso, toIso, seededRateCard.markup_bps, seededRateCard.fee_per_minute_micros],
  );
}
