// Issue "Running it for real" (data lifecycle): the retention job's rate, in calls erased per
// second, on 100,000 calls past their customers' retention in the machine's Postgres, through
// POST /api/ops/retention/run on the real local stack (Worker, R2 stand-in, neon WebSocket
// proxy), beside the erase statement alone run from Node on more calls of the same shape.
// Afterwards every billed figure must be what it was.
import pg from 'pg';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { generateCall } from '../support/calls.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { createRng, deriveSeed, integer } from '../support/rng.ts';
import { startBenchStack, type BenchStack } from '../support/stack.ts';

const customerCount = 4;
const retentionDays = 30;
const measuredCalls = 100_000;
const baselineCalls = 20_000;
const recordings = 1_000;
const seedChunkCalls = 500;
const batchSize = 500;
const day = 86_400_000;

interface RetentionReport {
  duration_ms: number;
  complete: boolean;
  batches: number;
  erased: { calls: number; turns: number; tool_calls: number; errors: number; events: number; recordings: number };
}

const customerIds = Array.from({ length: customerCount }, (_, i) => `retain-${i}`);

/** Call `index`'s events: ended 31 to 80 days ago, so every one is past a 30-day retention. */
function callEvents(seed: number, index: number, prefix: string, nowMs: number): SwitchboardEvent[] {
  const rng = createRng(deriveSeed(seed, `${prefix}-${index}`));
  const startMs = nowMs - integer(rng, 31, 80) * day - integer(rng, 0, day - 1);
  return generateCall(rng, { customerId: customerIds[index % customerCount]!, callId: `${prefix}${index}`, startMs });
}

/** Writes the calls the way the backfill does (ingest_events), on two connections: one per core. */
async function seedCalls(databaseUrl: string, seed: number, prefix: string, count: number, nowMs: number, log: (message: string) => void): Promise<number> {
  let events = 0;
  let nextChunk = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        while (nextChunk * seedChunkCalls < count) {
          const first = nextChunk++ * seedChunkCalls;
          const batch: Array<{ event: SwitchboardEvent; raw: SwitchboardEvent }> = [];
          for (let i = first; i < Math.min(count, first + seedChunkCalls); i++) {
            for (const event of callEvents(seed, i, prefix, nowMs)) batch.push({ event, raw: event });
          }
          await client.query('SELECT ingest_events($1::jsonb)', [JSON.stringify(batch)]);
          events += batch.length;
          if ((first / seedChunkCalls) % 40 === 0) log(`seeding ${prefix}: ${first} of ${count} calls`);
        }
      } finally {
        await client.end();
      }
    }),
  );
  return events;
}

async function billedTotals(client: pg.Client): Promise<string> {
  const result = await client.query<{ totals: string }>(
    `SELECT string_agg(customer_id || ':' || calls || ':' || billed || ':' || duration, ',' ORDER BY customer_id) AS totals FROM (
       SELECT customer_id, count(*) AS calls, sum(billed_micros) AS billed, sum(coalesce(duration_ms, 0)) AS duration FROM calls GROUP BY customer_id) t`,
  );
  return result.rows[0]?.totals ?? '';
}

async function uploadRecordings(bench: BenchStack, key: string, count: number): Promise<void> {
  const body = new Uint8Array(16_000).fill(128);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const index = next++ * customerCount;
        const response = await fetch(`${bench.stack.baseUrl}/v1/calls/${customerIds[0]}/m${index}/audio`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'audio/wav' },
          body,
        });
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`recording upload answered ${response.status}`);
      }
    }),
  );
}

/**
 * Runs retention until a run says it is complete. wrangler dev reloads the Worker when a source
 * file changes (others may be editing the tree); a run cut short that way is run again, as the
 * next cron would, since each batch commits on its own. Cut runs are counted in the notes.
 */
async function runRetentionUntilDone(bench: BenchStack, log: (message: string) => void): Promise<{ seconds: number; reports: RetentionReport[]; cutRuns: number }> {
  const reports: RetentionReport[] = [];
  let cutRuns = 0;
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${bench.stack.baseUrl}/api/ops/retention/run`, { method: 'POST', headers: { authorization: `Bearer ${bench.operatorToken}` } });
    const text = await response.text();
    if (response.status === 503 && /restarted mid-request/.test(text) && cutRuns < 3) {
      cutRuns += 1;
      log('the Worker was reloaded during a run; running again');
      continue;
    }
    if (response.status !== 200) throw new Error(`POST /api/ops/retention/run answered ${response.status}: ${text.slice(0, 300)}`);
    const report = JSON.parse(text) as RetentionReport;
    reports.push(report);
    log(`run ${reports.length}: ${report.erased.calls} calls in ${report.duration_ms} ms (${report.batches} batches)${report.complete ? ', complete' : ''}`);
    if (report.complete) break;
  }
  return { seconds: (performance.now() - started) / 1000, reports, cutRuns };
}

/**
 * The erase statement alone, from Node over a plain connection, 500 calls at a time (no R2, no
 * Worker): what the retention job's own loop adds to. Only the baseline's calls are still due.
 */
async function eraseDirectly(client: pg.Client): Promise<{ calls: number; seconds: number }> {
  let calls = 0;
  const started = performance.now();
  for (;;) {
    const due = await client.query<{ customer_id: string; call_id: string }>(
      `SELECT customer_id, call_id FROM calls
       WHERE content_erased_at IS NULL AND coalesce(ended_at, started_at, updated_at) < now() - make_interval(hours => $1 * 24)
       LIMIT $2`,
      [retentionDays, batchSize],
    );
    if (due.rows.length === 0) break;
    const erased = await client.query<{ calls: number }>('SELECT calls FROM erase_call_content($1::text[], $2::text[], now())', [
      due.rows.map((r) => r.customer_id),
      due.rows.map((r) => r.call_id),
    ]);
    calls += erased.rows[0]?.calls ?? 0;
  }
  return { calls, seconds: (performance.now() - started) / 1000 };
}

async function run({ seed, scratchDir, log }: PartContext): Promise<PartResult> {
  const bench = await startBenchStack({ kind: 'server', label: 'retention', scratchDir, log });
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  await client.connect();
  try {
    for (const id of customerIds) await bench.createCustomer(id, { retention_days: retentionDays });
    const key = await bench.createIngestKey(customerIds[0]!);
    const nowMs = Date.now();
    const seedStarted = performance.now();
    const measuredEvents = await seedCalls(bench.databaseUrl, seed, 'm', measuredCalls, nowMs, log);
    log(`seeded ${measuredCalls} calls (${measuredEvents} events) in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
    await uploadRecordings(bench, key, recordings);
    await client.query('ANALYZE');
    const before = await billedTotals(client);

    const measured = await runRetentionUntilDone(bench, log);
    const erased = await client.query<{ calls: number; recorded: number }>(
      `SELECT count(*) FILTER (WHERE content_erased_at IS NOT NULL)::int AS calls, count(audio_key)::int AS recorded FROM calls WHERE call_id LIKE 'm%'`,
    );
    const erasedCalls = erased.rows[0]?.calls ?? 0;
    if (erasedCalls !== measuredCalls) throw new Error(`retention erased ${erasedCalls} calls, not ${measuredCalls}`);
    if (erased.rows[0]?.recorded !== 0) throw new Error(`${erased.rows[0]?.recorded} erased calls still name a recording`);
    const left = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE call_id LIKE 'm%'`);
    if (left.rows[0]?.n !== 0) throw new Error(`${left.rows[0]?.n} raw events of erased calls remain`);
    if ((await billedTotals(client)) !== before) throw new Error('billed totals changed with retention');
    const workerSeconds = measured.reports.reduce((sum, r) => sum + r.duration_ms, 0) / 1000;

    await seedCalls(bench.databaseUrl, seed, 'd', baselineCalls, nowMs, log);
    await client.query('ANALYZE');
    const direct = await eraseDirectly(client);

    const endToEndRate = erasedCalls / measured.seconds;
    const directRate = direct.calls / direct.seconds;
    const figures: Figure[] = [
      {
        label: 'Retention through the Worker (calls erased/s)',
        value: Math.round(endToEndRate),
        unit: 'calls/s',
        baseline: { label: 'erase statement alone from Node', value: Math.round(directRate) },
        // A platform with 1M calls a day needs about 12 calls/s; erasing a day of it within an hour needs ~280.
        targets: [{ on: 'value', atLeast: 280 }],
      },
      { label: 'Raw events deleted per second', value: Math.round(measuredEvents / measured.seconds), unit: 'events/s' },
      { label: 'Time per 500-call batch (Worker)', value: Math.round((workerSeconds * 1000) / measured.reports.reduce((sum, r) => sum + r.batches, 0)), unit: 'ms' },
    ];
    return {
      setup: [
        `${measuredCalls.toLocaleString('en-US')} calls (${measuredEvents.toLocaleString('en-US')} events, ${recordings} recordings in the local R2) of ${customerCount} customers with ${retentionDays}-day retention, ended 31-80 days ago, in a fresh database on the machine's Postgres`,
        `POST /api/ops/retention/run repeated until complete (20 s budget per run, ${batchSize} calls per statement); baseline: ${baselineCalls.toLocaleString('en-US')} more calls erased by the same SQL from Node`,
      ],
      figures,
      notes: [
        `${measured.reports.length} runs, ${measured.seconds.toFixed(1)} s end to end${measured.cutRuns > 0 ? ` (${measured.cutRuns} cut short by a Worker reload and run again)` : ''}; billed totals per customer identical before and after, no raw event or recording of an erased call left.`,
        `The Worker reaches ${Math.round((endToEndRate / directRate) * 100)}% of the statement alone: the difference is the due-calls query, the R2 deletes (one request per batch) and the WebSocket round trips.`,
      ],
      details: { measured: measured.reports, direct, measuredEvents },
    };
  } finally {
    await client.end();
    await bench.stop();
  }
}

const part: BenchPart = {
  name: 'retention',
  title: 'Retention: calls erased per second on 100k seeded calls',
  issue: 'Running it for real: revocable logins, data retention and erasure, an audit trail',
  runsByDefault: true,
  run,
};

export default part;
