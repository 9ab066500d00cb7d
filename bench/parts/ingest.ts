// Issue "Event spine": sustained end-to-end ingestion (POST /v1/events -> 202 -> rows in
// Postgres) with 4 clients sending 500-event batches, against the machine's Postgres and the
// embedded PGlite default, beside the same rows written straight into a fresh database of the same
// kind. The clients first send back to back (the most the stack takes), then at the target rate
// (the 202's latency while it carries that rate). Then a sequential profile of one batch's way
// through the edge and the TenantMeter, and the CPU each process used under load.
import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { parseEventBatch } from '../../workers/ingest/parse-batch.ts';
import { eventBatch } from '../support/calls.ts';
import { loadBatch, startLoad, wallClockMs, type BatchRecord, type LoadConfig } from '../support/load.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { coresUsed, sampleCpu, type CoresUsed } from '../support/processes.ts';
import { rawChunkSize, rawInsertRate } from '../support/raw-postgres.ts';
import { deriveSeed } from '../support/rng.ts';
import { postgresLabels, startBenchStack, type BenchStack, type PostgresKind } from '../support/stack.ts';
import { stackStorageDir } from '../support/storage-dir.ts';
import { mean, median, quantile, timeSync } from '../support/stats.ts';
import { measureWorkerdCommitMillis, measureWorkerdStatementCost, type StatementCost } from '../support/workerd-sqlite.ts';

const customerCount = 8;
const clients = 4;
const batchSize = 500;
const loadMs = 30_000;
const pacedMs = 20_000;
const drainDeadlineMs = 300_000;
const profileRepeats = 8;
/** TenantMeter's flush alarm runs this long after the first buffered event (durable/tenant/flush-backoff.ts). */
const flushDelayNoteMs = 500;
const minimumEventsPerSecond: Record<PostgresKind, number> = { server: 5_000, embedded: 2_000 };
const p99TargetMs = 250;
const baselineAim = 0.25;
// Batch index ranges, so warm-up, load and profile never share an event id.
const warmupFirstIndex = 1_000_000;
const pacedFirstIndex = 500_000;
const profileFirstIndex = 2_000_000;

interface ProfileTimes {
  freshMs: number;
  duplicateMs: number;
  unknownCustomerMs: number;
}

/** The same clients sending at the target rate on a fixed schedule. */
interface PacedMeasurement {
  eventsPerSecond: number;
  endToEndEventsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  flushLagMs: { p50: number; p99: number };
  nonAccepted: number;
  cores: CoresUsed;
}

interface KindMeasurement {
  kind: PostgresKind;
  accepted: number;
  nonAccepted: number;
  endToEndEventsPerSecond: number;
  edgeEventsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  flushLagMs: { p50: number; p99: number; samples: number };
  maxBacklog: number;
  drainSeconds: number;
  loadSeconds: number;
  cores: CoresUsed;
  drainCores: CoresUsed;
  /** workerd CPU time per accepted event while the load ran: unlike rates, hardly moved by other work on the machine. */
  workerdCpuMsPerEvent: number;
  paced: PacedMeasurement;
  profile: ProfileTimes;
  /** Database growth over the load (rows, indexes, TOAST) per event stored. */
  bytesPerEvent: number;
  raw: { eventsPerSecond: number; seconds: number; stored: number };
}

const customerIds = Array.from({ length: customerCount }, (_, i) => `ingest-${i}`);

async function databaseBytes(client: pg.Client): Promise<number> {
  const result = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
  return Number(result.rows[0]?.bytes ?? 0);
}

async function countRows(client: pg.Client): Promise<number> {
  const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM event_keys');
  return result.rows[0]?.n ?? 0;
}

async function waitForRows(client: pg.Client, expected: number, deadlineMs: number, intervalMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const rows = await countRows(client);
    if (rows >= expected) return wallClockMs();
    if (Date.now() > deadline) throw new Error(`only ${rows} of ${expected} rows reached Postgres within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function postBatch(baseUrl: string, key: string, body: string): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const response = await fetch(`${baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
}

/** One batch at a time on an idle stack: fresh (stored), re-sent (all duplicates), unknown customer (never reaches a TenantMeter). */
async function profileOneBatch(bench: BenchStack, client: pg.Client, key: string, seed: number, anchorMs: number): Promise<ProfileTimes> {
  const unscopedKey = await bench.createIngestKey(null);
  const fresh: number[] = [];
  const duplicate: number[] = [];
  const unknown: number[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < profileRepeats; i++) {
    const { events } = eventBatch({ seed, index: profileFirstIndex + i, customerId: customerIds[0]!, size: batchSize, anchorMs });
    const body = JSON.stringify(events);
    bodies.push(body);
    const before = await countRows(client);
    const answer = await postBatch(bench.stack.baseUrl, key, body);
    if (answer.status !== 202) throw new Error(`profile batch answered ${answer.status}`);
    fresh.push(answer.ms);
    // The next batch waits for this one's flush, so each request meets an idle meter.
    await waitForRows(client, before + batchSize, 30_000, 20);
  }
  for (const body of bodies) duplicate.push((await postBatch(bench.stack.baseUrl, key, body)).ms);
  for (let i = 0; i < profileRepeats; i++) {
    const { events } = eventBatch({ seed, index: profileFirstIndex + profileRepeats + i, customerId: 'ingest-unknown', size: batchSize, anchorMs });
    const answer = await postBatch(bench.stack.baseUrl, unscopedKey, JSON.stringify(events));
    if (answer.status !== 400) throw new Error(`unknown-customer batch answered ${answer.status}`);
    unknown.push(answer.ms);
  }
  return { freshMs: median(fresh), duplicateMs: median(duplicate), unknownCustomerMs: median(unknown) };
}

async function flushLags(client: pg.Client, records: readonly BatchRecord[]): Promise<number[]> {
  const answeredById = new Map<string, number>();
  for (const record of records) for (const id of record.sampleIds) answeredById.set(id, record.answeredMs);
  const result = await client.query<{ id: string; received_ms: number }>(
    'SELECT id, extract(epoch FROM received_at) * 1000 AS received_ms FROM event_keys WHERE id = ANY($1)',
    [[...answeredById.keys()]],
  );
  return result.rows.map((row) => Number(row.received_ms) - answeredById.get(row.id)!);
}

function latencySummary(records: readonly BatchRecord[]): { p50: number; p99: number; max: number } {
  const latencies = records.map((r) => r.answeredMs - r.sentMs);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: Math.max(...latencies) };
}

/** The clients at `eventsPerSecond` for pacedMs, on a stack whose earlier rows have all arrived. */
async function measurePaced(config: LoadConfig, client: pg.Client, rowsBefore: number, eventsPerSecond: number): Promise<PacedMeasurement> {
  const load = startLoad({ ...config, eventsPerSecond, durationMs: pacedMs, firstIndex: pacedFirstIndex });
  const cpuStart = sampleCpu(load.pid);
  const records = await load.done;
  const cpuEnd = sampleCpu(load.pid);
  await load.close();
  const accepted = records.filter((r) => r.status === 202);
  const stored = accepted.reduce((sum, r) => sum + r.accepted, 0);
  const allRowsMs = await waitForRows(client, rowsBefore + stored, drainDeadlineMs, 100);
  const lags = await flushLags(client, accepted);
  return {
    eventsPerSecond,
    endToEndEventsPerSecond: stored / ((allRowsMs - Math.min(...records.map((r) => r.sentMs))) / 1000),
    latencyMs: latencySummary(records),
    flushLagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99) },
    nonAccepted: records.length - accepted.length,
    cores: coresUsed(cpuStart, cpuEnd),
  };
}

async function measureOn(kind: PostgresKind, context: PartContext): Promise<KindMeasurement> {
  const seed = deriveSeed(context.seed, `ingest-${kind}`);
  context.log(`${postgresLabels[kind]}: starting the stack`);
  const bench = await startBenchStack({ kind, label: `ingest_${kind}`, scratchDir: context.scratchDir, log: context.log });
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  let measured: Omit<KindMeasurement, 'raw'>;
  let acceptedEvents: SwitchboardEvent[] = [];
  try {
    await client.connect();
    const keys: Record<string, string> = {};
    for (const id of customerIds) {
      await bench.createCustomer(id);
      keys[id] = await bench.createIngestKey(id);
    }
    const anchorMs = Date.now();
    // Warm-up: every TenantMeter exists and has flushed once before the clock starts.
    for (const [i, id] of customerIds.entries()) {
      const { events } = eventBatch({ seed, index: warmupFirstIndex + i, customerId: id, size: 50, anchorMs });
      const answer = await postBatch(bench.stack.baseUrl, keys[id]!, JSON.stringify(events));
      if (answer.status !== 202) throw new Error(`warm-up batch answered ${answer.status}`);
    }
    const warmRows = customerIds.length * 50;
    await waitForRows(client, warmRows, 60_000, 50);
    const bytesBefore = await databaseBytes(client);

    context.log(`${postgresLabels[kind]}: ${clients} clients x ${batchSize}-event batches for ${loadMs / 1000} s`);
    const config: LoadConfig = { baseUrl: bench.stack.baseUrl, keys, customers: customerIds, seed, batchSize, customersPerBatch: 1, clients, durationMs: loadMs, firstIndex: 0 };
    const load = startLoad(config);
    const cpuStart = sampleCpu(load.pid);
    const backlog: Array<{ atMs: number; rows: number }> = [];
    let loadDone = false;
    const polling = (async () => {
      while (!loadDone) {
        backlog.push({ atMs: wallClockMs(), rows: (await countRows(client)) - warmRows });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
    const records = await load.done.finally(() => {
      loadDone = true;
    });
    const cpuLoadEnd = sampleCpu(load.pid);
    await load.close();
    await polling;

    const acceptedRecords = records.filter((r) => r.status === 202);
    const refused = records.filter((r) => r.status !== 202);
    if (refused.length > 0) context.log(`${postgresLabels[kind]}: ${refused.length} requests not answered 202, e.g. ${refused[0]!.status}: ${refused[0]!.error}`);
    const accepted = acceptedRecords.reduce((sum, r) => sum + r.accepted, 0);
    const firstSentMs = Math.min(...records.map((r) => r.sentMs));
    const lastAnsweredMs = Math.max(...records.map((r) => r.answeredMs));
    const allRowsMs = await waitForRows(client, warmRows + accepted, drainDeadlineMs, 100);
    const cpuDrainEnd = sampleCpu();
    const bytesPerEvent = ((await databaseBytes(client)) - bytesBefore) / accepted;
    context.log(`${postgresLabels[kind]}: ${accepted} events accepted, all in Postgres ${((allRowsMs - lastAnsweredMs) / 1000).toFixed(1)} s after the last 202`);

    const acceptedBy = (atMs: number) => acceptedRecords.filter((r) => r.answeredMs <= atMs).reduce((sum, r) => sum + r.accepted, 0);
    const maxBacklog = Math.max(0, ...backlog.map((point) => acceptedBy(point.atMs) - point.rows));
    const lags = await flushLags(client, acceptedRecords);

    context.log(`${postgresLabels[kind]}: ${clients} clients at ${minimumEventsPerSecond[kind].toLocaleString('en-US')} events/s for ${pacedMs / 1000} s`);
    const paced = await measurePaced(config, client, warmRows + accepted, minimumEventsPerSecond[kind]);

    context.log(`${postgresLabels[kind]}: profiling single batches`);
    const profile = await profileOneBatch(bench, client, keys[customerIds[0]!]!, seed, Date.now());
    measured = {
      kind,
      accepted,
      nonAccepted: records.length - acceptedRecords.length,
      endToEndEventsPerSecond: accepted / ((allRowsMs - firstSentMs) / 1000),
      edgeEventsPerSecond: accepted / ((lastAnsweredMs - firstSentMs) / 1000),
      latencyMs: latencySummary(records),
      flushLagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), samples: lags.length },
      paced,
      maxBacklog,
      drainSeconds: (allRowsMs - lastAnsweredMs) / 1000,
      loadSeconds: (lastAnsweredMs - firstSentMs) / 1000,
      cores: coresUsed(cpuStart, cpuLoadEnd),
      drainCores: coresUsed(cpuLoadEnd, cpuDrainEnd),
      workerdCpuMsPerEvent: ((cpuLoadEnd.seconds.workerd - cpuStart.seconds.workerd) * 1000) / accepted,
      profile,
      bytesPerEvent,
    };
    acceptedEvents = acceptedRecords
      .sort((a, b) => a.index - b.index)
      .flatMap((r) => loadBatch(config, r.index, r.anchorMs));
  } finally {
    await client.end().catch(() => {});
    await bench.stop();
  }
  context.log(`${postgresLabels[kind]}: the same ${acceptedEvents.length} events straight into a fresh database`);
  const raw = await rawInsertRate({ kind, scratchDir: context.scratchDir, customerIds, events: acceptedEvents });
  return { ...measured, raw };
}

function kindFigures(m: KindMeasurement): Figure[] {
  const on = postgresLabels[m.kind];
  const rawBaseline = { label: `raw ${on}, 1 client`, value: m.raw.eventsPerSecond };
  return [
    {
      label: `${on}: end-to-end events/s`,
      value: m.endToEndEventsPerSecond,
      unit: 'events/s',
      baseline: rawBaseline,
      targets: [{ on: 'value', atLeast: minimumEventsPerSecond[m.kind] }, { on: 'ratio', atLeast: baselineAim, aim: true }],
    },
    { label: `${on}: events/s answered 202`, value: m.edgeEventsPerSecond, unit: 'events/s', baseline: rawBaseline },
    { label: `${on}: 202 latency p50, back to back`, value: m.latencyMs.p50, unit: 'ms' },
    { label: `${on}: 202 latency p99, back to back`, value: m.latencyMs.p99, unit: 'ms' },
    { label: `${on}: paced, events/s sent`, value: m.paced.eventsPerSecond, unit: 'events/s' },
    { label: `${on}: paced, end-to-end events/s`, value: m.paced.endToEndEventsPerSecond, unit: 'events/s', targets: [{ on: 'value', atLeast: 0.95 * m.paced.eventsPerSecond }] },
    { label: `${on}: paced, 202 latency p50`, value: m.paced.latencyMs.p50, unit: 'ms' },
    { label: `${on}: paced, 202 latency p99`, value: m.paced.latencyMs.p99, unit: 'ms', targets: [{ on: 'value', atMost: p99TargetMs }] },
    { label: `${on}: paced, 202 latency max`, value: m.paced.latencyMs.max, unit: 'ms' },
    { label: `${on}: paced, flush lag p99 (202 to row)`, value: m.paced.flushLagMs.p99, unit: 'ms' },
    { label: `${on}: paced, requests not answered 202`, value: m.paced.nonAccepted, unit: 'requests', targets: [{ on: 'value', atMost: 0 }] },
    { label: `${on}: paced, CPU of the whole machine`, value: m.paced.cores.machine, unit: 'cores' },
    { label: `${on}: flush lag p50 (202 to row)`, value: m.flushLagMs.p50, unit: 'ms' },
    { label: `${on}: flush lag p99 (202 to row)`, value: m.flushLagMs.p99, unit: 'ms' },
    { label: `${on}: largest backlog (202 but not in Postgres)`, value: m.maxBacklog, unit: 'events' },
    { label: `${on}: drain after the last 202`, value: m.drainSeconds, unit: 's' },
    { label: `${on}: requests not answered 202`, value: m.nonAccepted, unit: 'requests' },
    { label: `${on}: one fresh batch, idle stack`, value: m.profile.freshMs, unit: 'ms' },
    { label: `${on}: the same batch re-sent (all duplicates)`, value: m.profile.duplicateMs, unit: 'ms' },
    { label: `${on}: a batch for an unknown customer (no TenantMeter)`, value: m.profile.unknownCustomerMs, unit: 'ms' },
    { label: `${on}: CPU under load, workerd`, value: m.cores.workerd, unit: 'cores' },
    { label: `${on}: CPU under load, workerd's busiest thread`, value: m.cores.workerdBusiestThread, unit: 'cores' },
    { label: `${on}: CPU under load, Postgres server`, value: m.cores.postgres, unit: 'cores' },
    { label: `${on}: CPU under load, bench process`, value: m.cores.benchNode, unit: 'cores' },
    { label: `${on}: CPU under load, load client`, value: m.cores.loadClient, unit: 'cores' },
    { label: `${on}: CPU under load, everything else on the machine`, value: m.cores.others, unit: 'cores' },
    { label: `${on}: CPU under load, whole machine`, value: m.cores.machine, unit: 'cores' },
    { label: `${on}: workerd CPU per accepted event`, value: m.workerdCpuMsPerEvent, unit: 'ms' },
    { label: `${on}: Postgres bytes per stored event`, value: m.bytesPerEvent, unit: 'bytes' },
    { label: `${on}: events/s one workerd core could take at that cost`, value: 1000 / m.workerdCpuMsPerEvent, unit: 'events/s' },
  ];
}

function cpuSentence(m: KindMeasurement, cores: number): string {
  const c = m.cores;
  const where = m.kind === 'embedded' ? 'the bench process (PGlite, the proxies, the Upstash stand-in)' : 'the bench process (proxies, Upstash stand-in)';
  return `While the load ran the machine was ${Math.round((c.machine / cores) * 100)}% busy (${c.machine.toFixed(2)} of ${cores} cores): workerd ${c.workerd.toFixed(2)} (its busiest thread ${c.workerdBusiestThread.toFixed(2)}), Postgres server ${c.postgres.toFixed(2)}, ${where} ${c.benchNode.toFixed(2)}, load client ${c.loadClient.toFixed(2)}, everything else ${c.others.toFixed(2)}.`;
}

function kindNotes(m: KindMeasurement, parseMs: number, statements: StatementCost, cores: number): string[] {
  const on = postgresLabels[m.kind];
  const p = m.profile;
  const keptUp = m.endToEndEventsPerSecond >= 0.95 * m.edgeEventsPerSecond;
  const writesMs = Math.max(0, p.freshMs - p.duplicateMs);
  const lookupMicros = (Math.max(0, p.duplicateMs - p.unknownCustomerMs) * 1000) / batchSize;
  const statementMicros = (statements.selectMicros + statements.insertMicros) / 2;
  const oneThread = m.cores.workerdBusiestThread >= 0.75;
  return [
    `${on}: ${Math.round(m.endToEndEventsPerSecond).toLocaleString('en-US')} events/s end to end against ${Math.round(m.edgeEventsPerSecond).toLocaleString('en-US')} events/s answered 202; ` +
      (keptUp
        ? `the flush kept up (largest backlog ${m.maxBacklog.toLocaleString('en-US')} events, all rows in ${m.drainSeconds.toFixed(1)} s after the last 202), so the 202 path, not the flush, set the pace.`
        : `the flush fell behind (backlog up to ${m.maxBacklog.toLocaleString('en-US')} events, ${m.drainSeconds.toFixed(1)} s to drain after the last 202), so the flush to Postgres set the end-to-end pace.`),
    `${on}: one 500-event batch on an idle stack takes ${p.freshMs.toFixed(0)} ms to its 202. The edge alone (HTTP, auth, validation, the customer check; a batch for an unknown customer never reaches a TenantMeter) takes ${p.unknownCustomerMs.toFixed(0)} ms, of which validation is about ${parseMs.toFixed(0)} ms (parseEventBatch in Node). Re-sending a stored batch adds the TenantMeter RPC and 500 dedup look-ups: ${p.duplicateMs.toFixed(0)} ms, ${lookupMicros.toFixed(0)} µs per event. Storing it costs ${writesMs.toFixed(0)} ms more: the TenantMeter's SQLite work (buffer row, seen id, call state, live buckets) is ${Math.round((writesMs / p.freshMs) * 100)}% of the 202, about ${(writesMs / batchSize).toFixed(2)} ms per event, the price of ${Math.round((writesMs * 1000) / batchSize / statementMicros)} statements per event at the measured ${Math.round(statementMicros)} µs per SQLite statement in this runtime.`,
    `${on}: back to back, the 202 p50 is ${m.latencyMs.p50.toFixed(0)} ms against ${p.freshMs.toFixed(0)} ms idle: batches queue for workerd. With ${clients} clients each waiting for its answer, ${clients * batchSize} events are always in flight, so the mean latency is that divided by the rate (Little's law: ${((clients * batchSize * 1000) / m.edgeEventsPerSecond).toFixed(0)} ms at ${Math.round(m.edgeEventsPerSecond).toLocaleString('en-US')} events/s) whatever the stack does; the latency target is therefore checked at the target rate. ${cpuSentence(m, cores)}` +
      (oneThread
        ? ' The Worker and every Durable Object share one workerd thread here, and that thread is close to saturated: it, not Postgres, bounds ingestion on this machine.'
        : ` workerd spends ${m.workerdCpuMsPerEvent.toFixed(2)} ms of CPU per accepted event, so one core would carry at most ${Math.round(1000 / m.workerdCpuMsPerEvent).toLocaleString('en-US')} events/s; with the Worker and every Durable Object on one workerd thread, that is the ceiling here whatever Postgres does${m.cores.others > 0.3 ? `, and other work on the machine (${m.cores.others.toFixed(2)} cores) kept workerd from reaching it` : ''}.`),
    `${on}: paced at ${m.paced.eventsPerSecond.toLocaleString('en-US')} events/s (the same ${clients} clients, a ${batchSize}-event batch each every ${((clients * batchSize * 1000) / m.paced.eventsPerSecond).toFixed(0)} ms, sent on schedule whether or not the last one was answered, timed from when it was due), the 202 takes ${m.paced.latencyMs.p50.toFixed(0)} ms at p50 and ${m.paced.latencyMs.p99.toFixed(0)} ms at p99 (max ${m.paced.latencyMs.max.toFixed(0)}), with the machine ${Math.round((m.paced.cores.machine / cores) * 100)}% busy; rows reach Postgres at ${Math.round(m.paced.endToEndEventsPerSecond).toLocaleString('en-US')} events/s end to end, flush lag p99 ${m.paced.flushLagMs.p99.toFixed(0)} ms.`,
    `${on}: the raw floor (the same ${m.raw.stored.toLocaleString('en-US')} events through ingest_events() in ${rawChunkSize.toLocaleString('en-US')}-event statements by one client, once the stack has stopped) runs at ${Math.round(m.raw.eventsPerSecond).toLocaleString('en-US')} events/s; end to end reaches ${((m.endToEndEventsPerSecond / m.raw.eventsPerSecond) * 100).toFixed(0)}% of it. Flush lag (202 to row) p50 ${m.flushLagMs.p50.toFixed(0)} ms includes the flush alarm's ${flushDelayNoteMs} ms delay and waiting behind ingest calls in the same single-threaded TenantMeter.`,
  ];
}

async function run(context: PartContext): Promise<PartResult> {
  const sample = eventBatch({ seed: deriveSeed(context.seed, 'ingest-parse'), index: 0, customerId: customerIds[0]!, size: batchSize, anchorMs: Date.now() });
  const body = JSON.stringify(sample.events);
  const now = new Date();
  const parseMs = timeSync(() => {
    const parsed = parseEventBatch({ body, contentType: 'application/json', now });
    if (!parsed.ok || parsed.valid.length !== batchSize) throw new Error('the sample batch does not validate');
  });
  context.log('pricing one SQLite statement inside a Durable Object (probe Worker)');
  const statements = await measureWorkerdStatementCost(context.scratchDir);
  const tmpfsDir = await stackStorageDir('sqlite-probe', context.scratchDir);
  const tmpfsCommitMillis = await measureWorkerdCommitMillis(tmpfsDir).finally(() => rm(tmpfsDir, { recursive: true, force: true }));
  const measurements = [await measureOn('server', context), await measureOn('embedded', context)];
  const cores = (await import('node:os')).cpus().length;
  const eventBytes = mean(sample.events.map((event) => Buffer.byteLength(JSON.stringify(event))));
  return {
    setup: [
      `${customerCount} customers, one customer-scoped ingest key each; ${clients} concurrent clients (a separate Node process) POST ${batchSize}-event JSON batches back to back for ${loadMs / 1000} s; batch i goes to customer i mod ${customerCount}. Once those rows have all arrived, the same clients send for ${pacedMs / 1000} s at the target rate (${minimumEventsPerSecond.server.toLocaleString('en-US')} events/s on the Postgres server, ${minimumEventsPerSecond.embedded.toLocaleString('en-US')} on PGlite), each batch on a fixed schedule and timed from when it was due, so a slow answer counts in full and never delays the next batch.`,
      `Each stack keeps its local storage on tmpfs (bench/support/storage-dir.ts): local workerd syncs each Durable Object commit to disk on its only thread, and nothing else in the stack runs meanwhile; the cost follows this machine's disk from minute to minute (in this run a one-row commit added ${statements.commitMillis.toFixed(1)} ms on disk and ${tmpfsCommitMillis.toFixed(1)} ms on tmpfs). Production Durable Objects commit off the isolate's thread. The 202 still waits for the commit, on either.`,
      `Events are whole generated calls (call.started, turns with their STT/LLM/TTS requests, tool calls, errors, call.ended with 4 cost lines, feedback), ${Math.round(eventBytes)} bytes each on average, stamped within the 3 s before their batch is sent, as a platform forwarding what just happened would.`,
      `End-to-end events/s: events answered 202 / (last row present in event_keys - first request sent), rows counted from outside every 100 ms once the load stops. Flush lag: event_keys.received_at (the flush statement's start) minus the 202's arrival, for the first, middle and last event of every batch.`,
      `Baseline: the same accepted events, after the stack has stopped, through SELECT ingest_events($1::jsonb) in ${rawChunkSize.toLocaleString('en-US')}-event statements by one pg client on a fresh database of the same kind (a Postgres server database, or a PGlite served over its socket as npm start does). ingest_events() is the projection every stored event must go through, so nothing cheaper writes the same rows; measured chunk sizes from 500 to 2,000 run within a few percent of each other, 5,000 is slower.`,
    ],
    figures: [
      { label: 'parseEventBatch, one 500-event batch (Node)', value: parseMs, unit: 'ms' },
      { label: 'workerd: one SQLite primary-key look-up in a Durable Object', value: statements.selectMicros, unit: 'µs' },
      { label: 'workerd: one SQLite insert in a Durable Object', value: statements.insertMicros, unit: 'µs' },
      { label: "workerd: one committed write transaction in a Durable Object, on this machine's disk", value: statements.commitMillis, unit: 'ms' },
      { label: 'the same on tmpfs, where the bench stacks keep their storage', value: tmpfsCommitMillis, unit: 'ms' },
      ...measurements.flatMap(kindFigures),
    ],
    notes: measurements.flatMap((m) => kindNotes(m, parseMs, statements, cores)),
    details: { parseMs, eventBytes, statements, measurements },
  };
}

const part: BenchPart = {
  name: 'ingest',
  title: 'Ingestion throughput, end to end',
  issue: 'Event spine',
  runsByDefault: true,
  run,
};
export default part;
