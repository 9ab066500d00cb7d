// Issue "Proof": the operator's call list, GET /api/ops/calls, under several filter combinations,
// and its CSV export of 10,000 rows (GET /api/ops/calls.csv, timed to the last byte), each p50
// and p95 beside GET /healthz in the same rounds, on 1,000 customers' 200,000 calls seeded
// straight into a fresh database on the machine's Postgres.
import pg from 'pg';
import { interleavedWithHealth, percentiles, round1, timedGetOk, type Percentiles } from '../support/http-timing.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { seedCustomers, seedEndedCalls, seededCustomerId, seedRandom } from '../support/seed-calls.ts';
import { startBenchStack } from '../support/stack.ts';

const customerCount = 1_000;
const callCount = 200_000;
const spreadDays = 30;
const seedChunkCalls = 50_000;
const listRounds = 40;
const csvRounds = 15;
const csvRowLimit = 10_000;

interface ListFilter {
  label: string;
  query: URLSearchParams;
}

interface FilterResult {
  label: string;
  query: string;
  rows: number;
  bytes: number;
  latency: Percentiles;
  health: Percentiles;
}

/** The combinations an operator reaches for, from the cheapest (an index range) to a scan of matches. */
function listFilters({ nowMs, customerId, phone }: { nowMs: number; customerId: string; phone: string }): ListFilter[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = 86_400_000;
  return [
    { label: 'no filter, newest first', query: new URLSearchParams() },
    { label: 'one customer', query: new URLSearchParams({ customer_id: customerId }) },
    { label: 'last 24 h, failed', query: new URLSearchParams({ from: iso(nowMs - day), to: iso(nowMs), status: 'failed' }) },
    { label: 'region eu, TTS provider cartesia', query: new URLSearchParams({ region: 'eu', provider: 'cartesia', kind: 'tts' }) },
    { label: 'one phone number', query: new URLSearchParams({ phone }) },
    { label: 'latency >= 1,950 ms, worst first', query: new URLSearchParams({ min_latency_ms: '1950', sort: '-latency_ms' }) },
    { label: 'with errors, highest cost first', query: new URLSearchParams({ has_error: 'true', sort: '-cost_micros' }) },
    { label: 'one customer, last 7 days, completed, longest first', query: new URLSearchParams({ customer_id: customerId, from: iso(nowMs - 7 * day), to: iso(nowMs), status: 'completed', sort: '-duration_ms' }) },
  ];
}

async function run({ seed, scratchDir, log }: PartContext): Promise<PartResult> {
  const bench = await startBenchStack({ kind: 'server', label: 'reads', scratchDir, log });
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  await client.connect();
  try {
    const nowMs = Date.now();
    const seedStarted = performance.now();
    await seedCustomers(client, { count: customerCount });
    await seedRandom(client, seed, 'reads');
    for (let first = 0; first < callCount; first += seedChunkCalls) {
      const count = Math.min(seedChunkCalls, callCount - first);
      await seedEndedCalls(client, { prefix: `r${first}-`, count, customers: customerCount, fromIso: new Date(nowMs - spreadDays * 86_400_000).toISOString(), toIso: new Date(nowMs - 60_000).toISOString() });
      log(`seeded ${(first + count).toLocaleString('en-US')} calls`);
    }
    await client.query('ANALYZE');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const customerId = seededCustomerId(42);
    const phone = (await client.query<{ from_number: string }>('SELECT from_number FROM calls WHERE customer_id = $1 ORDER BY call_id LIMIT 1', [customerId])).rows[0]!.from_number;
    log(`${callCount.toLocaleString('en-US')} calls of ${customerCount.toLocaleString('en-US')} customers in ${seedSeconds.toFixed(0)} s`);

    const baseUrl = bench.stack.baseUrl;
    const headers = { authorization: `Bearer ${bench.operatorToken}` };
    const results: FilterResult[] = [];
    for (const filter of listFilters({ nowMs, customerId, phone })) {
      const url = `${baseUrl}/api/ops/calls?${filter.query}`;
      // A filter that matches nothing would time an empty answer: each must fill a page.
      const first = await timedGetOk(url, headers);
      const rows = (JSON.parse(first.body) as { data: unknown[] }).data.length;
      if (rows === 0) throw new Error(`${filter.label}: GET /api/ops/calls?${filter.query} matched no call`);
      const { samples, health } = await interleavedWithHealth(baseUrl, async () => (await timedGetOk(url, headers)).ms, { rounds: listRounds });
      results.push({ label: filter.label, query: filter.query.toString(), rows, bytes: first.bytes, latency: percentiles(samples), health: percentiles(health) });
      log(`${filter.label}: ${rows} rows, p50 ${percentiles(samples).p50.toFixed(1)} ms, p95 ${percentiles(samples).p95.toFixed(1)} ms`);
    }

    // Every seeded call ended inside this window, so the export hits its 10,000-row cap.
    const csvQuery = new URLSearchParams({ from: new Date(nowMs - spreadDays * 86_400_000).toISOString(), to: new Date(nowMs).toISOString() });
    const csvUrl = `${baseUrl}/api/ops/calls.csv?${csvQuery}`;
    const csvCheck = await timedGetOk(csvUrl, headers);
    const csvRecords = csvCheck.body.split('\r\n').length - 2;
    if (csvRecords !== csvRowLimit || csvCheck.headers.get('x-truncated') !== 'true') {
      throw new Error(`the CSV export answered ${csvRecords} rows (X-Truncated: ${csvCheck.headers.get('x-truncated')}), not the first ${csvRowLimit} of ${callCount}`);
    }
    const csv = await interleavedWithHealth(baseUrl, async () => (await timedGetOk(csvUrl, headers)).ms, { rounds: csvRounds, warmup: 1 });
    const csvLatency = percentiles(csv.samples);
    const csvHealth = percentiles(csv.health);
    log(`CSV export: ${csvRecords} rows, ${(csvCheck.bytes / 1024 / 1024).toFixed(2)} MiB, p50 ${csvLatency.p50.toFixed(0)} ms`);

    const figures: Figure[] = [];
    for (const result of results) {
      figures.push(
        { label: `GET /api/ops/calls, ${result.label}, p50`, value: round1(result.latency.p50), unit: 'ms', baseline: { label: '/healthz p50', value: round1(result.health.p50) } },
        { label: `GET /api/ops/calls, ${result.label}, p95`, value: round1(result.latency.p95), unit: 'ms', baseline: { label: '/healthz p95', value: round1(result.health.p95) } },
      );
    }
    figures.push(
      { label: `GET /api/ops/calls.csv, ${csvRowLimit.toLocaleString('en-US')} rows to the last byte, p50`, value: Math.round(csvLatency.p50), unit: 'ms', baseline: { label: '/healthz p50', value: round1(csvHealth.p50) } },
      { label: `GET /api/ops/calls.csv, ${csvRowLimit.toLocaleString('en-US')} rows to the last byte, p95`, value: Math.round(csvLatency.p95), unit: 'ms', baseline: { label: '/healthz p95', value: round1(csvHealth.p95) } },
      { label: 'CSV export size', value: round1(csvCheck.bytes / 1024), unit: 'KiB' },
    );
    const slowest = results.reduce((worst, r) => (r.latency.p50 > worst.latency.p50 ? r : worst));
    const fastest = results.reduce((best, r) => (r.latency.p50 < best.latency.p50 ? r : best));
    return {
      setup: [
        `${customerCount.toLocaleString('en-US')} customers and ${callCount.toLocaleString('en-US')} ended calls over the last ${spreadDays} days, inserted with SQL (INSERT ... SELECT generate_series, bench/support/seed-calls.ts) into a fresh database on the machine's Postgres, then ANALYZE; the real local stack (Worker, neon WebSocket proxy, Upstash REST stand-in) in front`,
        `Each filter combination: ${listRounds} GET /api/ops/calls (default page of 50) after 3 unmeasured, one at a time, each followed by a GET /healthz; the baseline is those /healthz requests`,
        `CSV: GET /api/ops/calls.csv over the whole ${spreadDays}-day window (the first ${csvRowLimit.toLocaleString('en-US')} of ${callCount.toLocaleString('en-US')} matches, X-Truncated), timed from the request to the last byte, ${csvRounds} times interleaved with /healthz`,
      ],
      figures,
      notes: [
        `Seeding took ${seedSeconds.toFixed(0)} s. Pages answered ${results.map((r) => `${r.label} ${r.rows} rows`).join('; ')}.`,
        `The slowest combination at p50 is "${slowest.label}" (${slowest.latency.p50.toFixed(1)} ms, ${(slowest.latency.p50 / slowest.health.p50).toFixed(1)}x /healthz), the fastest "${fastest.label}" (${fastest.latency.p50.toFixed(1)} ms); /healthz itself probes Postgres, Redis and storage, so it is the floor of a request that does real I/O.`,
        `The export streams ${csvRowLimit.toLocaleString('en-US')} rows (${(csvCheck.bytes / 1024 / 1024).toFixed(2)} MiB) in pages of 1,000 in ${(csvLatency.p50 / 1000).toFixed(2)} s at p50, about ${Math.round((csvRowLimit / csvLatency.p50) * 1000).toLocaleString('en-US')} rows/s.`,
      ],
      details: { customers: customerCount, calls: callCount, seedSeconds, filters: results, csv: { rows: csvRecords, bytes: csvCheck.bytes, latency: csvLatency, health: csvHealth, samples: csv.samples } },
    };
  } finally {
    await client.end();
    await bench.stop();
  }
}

const part: BenchPart = {
  name: 'reads',
  title: 'Operator reads: the call list under filters and the 10,000-row CSV export on 200k calls, beside /healthz',
  issue: 'Proof',
  runsByDefault: true,
  run,
};

export default part;
