// Issue "Proof", how cost grows: the same short ingest load and the same reads (/api/ops/live,
// /api/ops/calls, /api/customer/overview cached and uncached, beside /healthz) at 10, 1,000 and
// 10,000 customers, each on a fresh stack and database holding the same 20,000 seeded calls
// spread over its customers. The 10-customer run is every figure's baseline. Only the customer
// count changes between runs, so a ratio shows what that count costs. 10,000 customers:
// BENCH_SCALE_SIZE=10k (not by default).
import pg from 'pg';
import { signToken } from '../../workers/auth/tokens.ts';
import { FailedReads, interleavedWithHealth, percentiles, round1, timedGetOk, type Percentiles } from '../support/http-timing.ts';
import { startLoad, type BatchRecord } from '../support/load.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { seedCustomers, seedEndedCalls, seededCustomerId, seededRateCard, seedRandom } from '../support/seed-calls.ts';
import { startBenchStack, type BenchStack } from '../support/stack.ts';
import { quantile } from '../support/stats.ts';

const seededCalls = 20_000;
const seededHours = 24;
const load = { clients: 2, batchSize: 200, maxCustomersPerBatch: 10, durationMs: 15_000 };
const readRounds = 30;
const overviewCustomers = 20;
const maxRefreshRequests = 20;
const drainTimeoutMs = 120_000;
/** Customers created through the API (known to the Worker, so the load can send for them); the rest are rows in Postgres only. */
const maxApiCustomers = 500;
const creationConcurrency = 4;

interface SizeResult {
  customers: number;
  apiCustomers: number;
  creationSeconds: number;
  seedSeconds: number;
  refresh: { wallMs: number; requests: number; dirtyHours: number };
  ingest: { eventsPerSecond: number; accepted: number; batches: number; refused: number; p50: number; p99: number; customersTouched: number; drainSeconds: number };
  live: Percentiles & { bytes: number };
  calls: Percentiles;
  overviewCached: Percentiles;
  overviewUncached: Percentiles;
  health: Percentiles;
  failedReads: { count: number; described: string };
}

function sizesToRun(): number[] {
  const opted = process.env.BENCH_SCALE_SIZE?.trim().toLowerCase();
  if (opted === undefined || opted === '') return [10, 1_000];
  if (opted === '10k') return [10, 1_000, 10_000];
  throw new Error(`BENCH_SCALE_SIZE must be "10k" (or unset), not "${opted}"`);
}

const customersLabel = (n: number) => `${n.toLocaleString('en-US')} customers`;

async function dirtyHours(client: pg.Client): Promise<number> {
  return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM rollup_dirty_hours')).rows[0]?.n ?? 0;
}

/** Refreshes until no customer-hour is dirty, as the hourly cron would over its runs; answers the summed wall time. */
async function refreshAll(bench: BenchStack, client: pg.Client): Promise<{ wallMs: number; requests: number }> {
  let wallMs = 0;
  for (let requests = 1; requests <= maxRefreshRequests; requests++) {
    const started = performance.now();
    const response = await fetch(`${bench.stack.baseUrl}/api/ops/refresh`, { method: 'POST', headers: { authorization: `Bearer ${bench.operatorToken}` }, signal: AbortSignal.timeout(300_000) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST /api/ops/refresh answered ${response.status}: ${text.slice(0, 300)}`);
    wallMs += performance.now() - started;
    if ((await dirtyHours(client)) === 0) return { wallMs, requests };
  }
  throw new Error(`rollup hours were still dirty after ${maxRefreshRequests} refreshes`);
}

/** Seconds until `events` rows are in event_keys (the flushes after a load); fails after drainTimeoutMs. */
async function secondsUntilStored(client: pg.Client, events: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const stored = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM event_keys')).rows[0]?.n ?? 0;
    if (stored >= events) return (performance.now() - started) / 1000;
    if (performance.now() - started > drainTimeoutMs) throw new Error(`${stored} of ${events} acknowledged events in Postgres ${drainTimeoutMs / 1000} s after the load`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function ingestFigures(records: BatchRecord[], customersPerBatch: number, customers: number): SizeResult['ingest'] {
  const accepted = records.filter((r) => r.status === 202);
  if (accepted.length === 0) throw new Error(`no batch was answered 202: ${records.slice(0, 3).map((r) => `${r.status} ${r.error ?? ''}`).join('; ')}`);
  const first = Math.min(...accepted.map((r) => r.sentMs));
  const last = Math.max(...accepted.map((r) => r.answeredMs));
  const latencies = accepted.map((r) => r.answeredMs - r.sentMs);
  return {
    eventsPerSecond: accepted.reduce((sum, r) => sum + r.accepted, 0) / ((last - first) / 1000),
    accepted: accepted.reduce((sum, r) => sum + r.accepted, 0),
    batches: records.length,
    refused: records.length - accepted.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    customersTouched: Math.min(customers, records.length * customersPerBatch),
    drainSeconds: 0,
  };
}

async function measureSize(customers: number, { seed, scratchDir, log }: PartContext): Promise<SizeResult> {
  const bench = await startBenchStack({ kind: 'server', label: `scale_${customers}`, scratchDir, log });
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  await client.connect();
  try {
    const nowMs = Date.now();
    const apiCustomers = Math.min(customers, maxApiCustomers);
    const creationStarted = performance.now();
    let nextCreation = 0;
    const creator = async (): Promise<void> => {
      for (let i = nextCreation++; i < apiCustomers; i = nextCreation++) await bench.createCustomer(seededCustomerId(i), { ...seededRateCard });
    };
    await Promise.all(Array.from({ length: creationConcurrency }, creator));
    const creationSeconds = (performance.now() - creationStarted) / 1000;
    const seedStarted = performance.now();
    await seedCustomers(client, { first: apiCustomers, count: customers - apiCustomers });
    await seedRandom(client, seed, `scale-${customers}`);
    // Ended within the last day and before the current hour ends, so the refresh has a bounded number of hours to fill.
    await seedEndedCalls(client, { prefix: 's', count: seededCalls, customers, fromIso: new Date(nowMs - seededHours * 3_600_000).toISOString(), toIso: new Date(nowMs - 60_000).toISOString() });
    await client.query('ANALYZE');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const dirty = await dirtyHours(client);
    const refreshed = await refreshAll(bench, client);
    log(`${customersLabel(customers)}: ${apiCustomers.toLocaleString('en-US')} created through the API in ${creationSeconds.toFixed(0)} s, the rest and the calls seeded in ${seedSeconds.toFixed(0)} s; refresh of ${dirty.toLocaleString('en-US')} customer-hours ${(refreshed.wallMs / 1000).toFixed(1)} s`);

    const ids = Array.from({ length: apiCustomers }, (_, i) => seededCustomerId(i));
    const customersPerBatch = Math.min(apiCustomers, load.maxCustomersPerBatch);
    const running = startLoad({
      baseUrl: bench.stack.baseUrl,
      keys: { all: await bench.createIngestKey(null) },
      customers: ids,
      seed,
      batchSize: load.batchSize,
      customersPerBatch,
      clients: load.clients,
      durationMs: load.durationMs,
      firstIndex: 0,
    });
    let records: BatchRecord[];
    try {
      records = await running.done;
    } finally {
      await running.close();
    }
    const ingest = ingestFigures(records, customersPerBatch, apiCustomers);
    // Reads are measured once what was acknowledged is in Postgres, not while the meters still flush.
    ingest.drainSeconds = await secondsUntilStored(client, ingest.accepted);
    log(`${customersLabel(customers)}: ingest ${Math.round(ingest.eventsPerSecond)} events/s, 202 p50 ${ingest.p50.toFixed(0)} ms, p99 ${ingest.p99.toFixed(0)} ms, ${ingest.refused} refused, all in Postgres ${ingest.drainSeconds.toFixed(1)} s after the load`);

    const baseUrl = bench.stack.baseUrl;
    const operator = { authorization: `Bearer ${bench.operatorToken}` };
    const failed = new FailedReads();
    const liveBytes = (await timedGetOk(`${baseUrl}/api/ops/live`, operator)).bytes;
    const live = await interleavedWithHealth(baseUrl, () => failed.time(`${baseUrl}/api/ops/live`, operator), { rounds: readRounds });
    const calls = await interleavedWithHealth(baseUrl, () => failed.time(`${baseUrl}/api/ops/calls`, operator), { rounds: readRounds });

    // Spread over the id range; nobody has read an overview on this fresh stack, so each first read is uncached.
    const sampleCount = Math.min(customers, overviewCustomers);
    const sampled = Array.from({ length: sampleCount }, (_, i) => seededCustomerId(Math.floor((i * customers) / sampleCount)));
    const tokens = await Promise.all(sampled.map(async (id) => (await signToken(bench.stack.jwtSecret, { role: 'customer', subject: id, customerId: id, ttlSeconds: 3600 })).token));
    const overview = (round: number) => failed.time(`${baseUrl}/api/customer/overview`, { authorization: `Bearer ${tokens[((round % sampleCount) + sampleCount) % sampleCount]!}` });
    const uncached: number[] = [];
    for (let i = 0; i < sampleCount; i++) {
      const ms = await overview(i);
      if (ms !== null) uncached.push(ms);
    }
    const cached = await interleavedWithHealth(baseUrl, overview, { rounds: readRounds });
    if (failed.total > 0) log(`${customersLabel(customers)}: reads not answered 200: ${failed.describe()}`);
    const health = [...live.health, ...calls.health, ...cached.health];
    return {
      customers,
      apiCustomers,
      creationSeconds,
      seedSeconds,
      refresh: { ...refreshed, dirtyHours: dirty },
      ingest,
      live: { ...percentiles(live.samples), bytes: liveBytes },
      calls: percentiles(calls.samples),
      overviewCached: percentiles(cached.samples),
      overviewUncached: percentiles(uncached),
      health: percentiles(health),
      failedReads: { count: failed.total, described: failed.describe() },
    };
  } finally {
    await client.end();
    await bench.stop();
  }
}

/** One figure per size; from the second size on, the 10-customer value is its baseline. */
function grown(results: SizeResult[], label: string, unit: string, value: (size: SizeResult) => number): Figure[] {
  const base = results[0]!;
  return results.map((size) => ({
    label: `${label}, ${customersLabel(size.customers)}`,
    value: value(size),
    unit,
    ...(size === base ? {} : { baseline: { label: customersLabel(base.customers), value: value(base) } }),
  }));
}

async function run(context: PartContext): Promise<PartResult> {
  const results: SizeResult[] = [];
  for (const customers of sizesToRun()) results.push(await measureSize(customers, context));
  const figures: Figure[] = [
    ...grown(results, 'Ingest, events/s answered 202', 'events/s', (s) => Math.round(s.ingest.eventsPerSecond)),
    ...grown(results, 'Ingest, 202 latency p50', 'ms', (s) => Math.round(s.ingest.p50)),
    ...grown(results, 'Ingest, 202 latency p99', 'ms', (s) => Math.round(s.ingest.p99)),
    ...grown(results, 'GET /api/ops/live p50', 'ms', (s) => round1(s.live.p50)),
    ...grown(results, 'GET /api/ops/live p95', 'ms', (s) => round1(s.live.p95)),
    ...grown(results, 'GET /api/ops/live response size', 'KiB', (s) => round1(s.live.bytes / 1024)),
    ...grown(results, 'GET /api/ops/calls p50', 'ms', (s) => round1(s.calls.p50)),
    ...grown(results, 'GET /api/ops/calls p95', 'ms', (s) => round1(s.calls.p95)),
    ...grown(results, 'GET /api/customer/overview cached p50', 'ms', (s) => round1(s.overviewCached.p50)),
    ...grown(results, 'GET /api/customer/overview cached p95', 'ms', (s) => round1(s.overviewCached.p95)),
    ...grown(results, 'GET /api/customer/overview uncached p50', 'ms', (s) => round1(s.overviewUncached.p50)),
    ...grown(results, 'GET /healthz p50 (in the same rounds)', 'ms', (s) => round1(s.health.p50)),
    // A count to be zero, not a cost that grows: no baseline.
    ...results.map((s): Figure => ({ label: `Reads not answered 200, ${customersLabel(s.customers)}`, value: s.failedReads.count, unit: 'requests', targets: [{ on: 'value', atMost: 0 }] })),
    ...grown(results, 'Ingest, acknowledged to all in Postgres after the load', 's', (s) => round1(s.ingest.drainSeconds)),
    ...grown(results, 'Refresh of the seeded day', 'ms', (s) => Math.round(s.refresh.wallMs)),
  ];
  return {
    setup: [
      `Per size, a fresh database on the machine's Postgres with that many customers (a rate card each; up to ${maxApiCustomers.toLocaleString('en-US')} created through POST /api/ops/customers, so the Worker knows them and the load sends for them, the rest inserted with SQL) and the same ${seededCalls.toLocaleString('en-US')} ended calls over the last ${seededHours} h spread uniformly over them (INSERT ... SELECT, bench/support/seed-calls.ts), refreshed through POST /api/ops/refresh until no customer-hour is dirty; the real local stack in front`,
      `Ingest: ${load.clients} clients (a separate Node process) POST ${load.batchSize}-event batches of generated calls back to back for ${load.durationMs / 1000} s, each batch shared by ${load.maxCustomersPerBatch} consecutive customers, cycling over the customers created through the API; events/s = accepted / (last 202 - first request)`,
      `Reads once the load has stopped and every acknowledged event is in Postgres, one at a time, each followed by GET /healthz: ${readRounds} GET /api/ops/live, ${readRounds} GET /api/ops/calls (default page), ${readRounds} cached GET /api/customer/overview over ${overviewCustomers} customers (fewer at 10), after each of them was read once uncached`,
    ],
    figures,
    notes: results.map(
      (s) =>
        `${customersLabel(s.customers)}: ${s.apiCustomers.toLocaleString('en-US')} created through the API in ${s.creationSeconds.toFixed(0)} s, seeding ${s.seedSeconds.toFixed(0)} s; refresh ${s.refresh.dirtyHours.toLocaleString('en-US')} customer-hours in ${s.refresh.requests} request(s); ingest ${s.ingest.accepted.toLocaleString('en-US')} events in ${s.ingest.batches} batches reaching ${s.ingest.customersTouched.toLocaleString('en-US')} customers' TenantMeters, ${s.ingest.refused} not answered 202; /healthz p50 ${s.health.p50.toFixed(1)} ms, p95 ${s.health.p95.toFixed(1)} ms${s.failedReads.count > 0 ? `; reads not answered 200 (left out of the latencies): ${s.failedReads.described}` : ''}.`,
    ),
    details: { sizes: results },
  };
}

const part: BenchPart = {
  name: 'scale',
  title: 'How cost grows: the same ingest load and reads at 10 and 1,000 customers (10,000 with BENCH_SCALE_SIZE=10k)',
  issue: 'Proof',
  runsByDefault: true,
  run,
};

export default part;
