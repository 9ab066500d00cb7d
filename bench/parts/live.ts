// Issue "Live operator metrics": GET /api/ops/live with 1,000 active customers beside /healthz,
// what each TenantMeter costs in memory and storage, what the PlatformMeter's merging of their
// reports costs, and how stale the live view is while an ingest load runs: a call.started is
// posted and /api/ops/live polled until the customer's active_calls shows it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LiveDelta, newLiveCall, recordEvent, type LiveCall } from '../../analytics/live-recording.ts';
import { hourWindowMs, liveAsOf, mergeBuckets, type LiveBucket } from '../../analytics/live-window.ts';
import type { CustomerLiveRow, LiveView } from '../../durable/platform/live-view.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventBatch, generateCall } from '../support/calls.ts';
import { durableObjectStorage } from '../support/durable-storage.ts';
import { timedGet, timedGetOk } from '../support/http-timing.ts';
import { startLoad, wallClockMs, type LoadConfig } from '../support/load.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { coresUsed, sampleCpu, workerdRssBytes, type CoresUsed } from '../support/processes.ts';
import { createRng, deriveSeed } from '../support/rng.ts';
import { startBenchStack, type BenchStack } from '../support/stack.ts';
import { median, quantile, timeSync } from '../support/stats.ts';

const customerCount = 1_000;
/** Customers that only receive the staleness probes, so their meters are never busy with load. */
const probeCustomerCount = 20;
const creationConcurrency = 4;
const seedBatchEvents = 500;
/** Enough that the p95 is not one or two of the machine's hiccups (the customer part takes 600). */
const latencySamples = 400;
/** Budgets that keep the part to minutes even when the live path is far off its targets. */
const latencyBudgetMs = 90_000;
const requestTimeoutMs = 60_000;
const maxPostAttempts = 3;
/** Seeding is a few dozen batches; past this the stack has stopped keeping up and the part fails. */
const seedingBudgetMs = 300_000;
const quietSeconds = 20;
/**
 * After seeding, each meter still wakes once or twice (its buckets entering the windows, its
 * flush's report), and workerd evicts the thousand objects from memory about 10 s after each
 * goes idle, which costs it seconds of CPU: no traffic is measured once that has passed.
 */
const settleSeconds = 30;
const loadMs = 40_000;
const probeIntervalMs = 250;
const floorIntervalMs = 500;
const probeDeadlineMs = 60_000;
const visibleDeadlineMs = 240_000;
const clients = 4;
const loadBatchSize = 500;
const loadCustomersPerBatch = 10;
const p95TargetMs = 50;
const healthzRatioTarget = 3;
const stalenessTargetMs = 10_000;

const customerIds = Array.from({ length: customerCount }, (_, i) => `live-${String(i).padStart(4, '0')}`);
const probeCustomers = customerIds.slice(0, probeCustomerCount);
const loadCustomers = customerIds.slice(probeCustomerCount);

interface TimedLive {
  view: LiveView;
  ms: number;
  bytes: number;
  /** The body as sent: Content-Length, gzip-compressed when the Worker compressed it (fetch inflates it on the way in). */
  wireBytes: number;
  /** Epoch ms when the request left and when its answer had arrived. */
  sentMs: number;
  receivedMs: number;
}

async function getLive(bench: BenchStack): Promise<TimedLive> {
  const sentMs = wallClockMs();
  const answer = await timedGetOk(`${bench.stack.baseUrl}/api/ops/live`, { authorization: `Bearer ${bench.operatorToken}` }, requestTimeoutMs);
  const wireBytes = Number(answer.headers.get('content-length') ?? answer.bytes);
  return { view: JSON.parse(answer.body) as LiveView, ms: answer.ms, bytes: answer.bytes, wireBytes, sentMs, receivedMs: wallClockMs() };
}

async function timeGet(bench: BenchStack, path: string, expectedStatus: number): Promise<number> {
  const answer = await timedGet(`${bench.stack.baseUrl}${path}`, {}, requestTimeoutMs);
  if (answer.status !== expectedStatus) throw new Error(`${path} answered ${answer.status}`);
  return answer.ms;
}

const timeHealthz = (bench: BenchStack) => timeGet(bench, '/healthz', 200);
/** A path no route takes: the Worker answers 404 without touching a Durable Object, Postgres or Redis. */
const timeNotFound = (bench: BenchStack) => timeGet(bench, '/no-such-route', 404);

/**
 * POST /v1/events until a 202, as a platform would: ingestion is idempotent, so a request lost to
 * a 5xx or a dropped connection (workerd restarting its isolate) is sent again whole. Each re-send
 * is counted, since it means the stack failed a request.
 */
async function postEvents(bench: BenchStack, key: string, events: readonly SwitchboardEvent[], resent: { count: number; last: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const response = await fetch(`${bench.stack.baseUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await response.text();
      if (response.status === 202) return;
      if (response.status < 500) throw new Error(`POST /v1/events answered ${response.status}: ${text.slice(0, 300)}`);
      problem = `${response.status}: ${text.slice(0, 200)}`;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('POST /v1/events answered')) throw error;
      problem = error instanceof Error ? error.message : String(error);
    }
    if (attempt >= maxPostAttempts) throw new Error(`POST /v1/events failed ${attempt} times; last: ${problem}`);
    resent.count += 1;
    resent.last = problem;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

function callStarted(customerId: string, callId: string, atMs: number): SwitchboardEvent {
  return {
    type: 'call.started',
    id: `${callId}-start`,
    customer_id: customerId,
    call_id: callId,
    ts: new Date(atMs).toISOString(),
    direction: 'inbound',
    from: '+14155550123',
    to: '+18005550199',
    agent_id: 'order-support',
    agent_version: '2026.11.4',
    region: 'us',
    providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' },
  };
}

/** Every customer gets one whole call and one call left in progress, in shared batches. */
function seedingBatches(seed: number, nowMs: number): SwitchboardEvent[][] {
  const rng = createRng(deriveSeed(seed, 'live-seed'));
  const batches: SwitchboardEvent[][] = [[]];
  for (const customerId of customerIds) {
    const events = [
      ...generateCall(rng, { customerId, callId: `seed-${customerId}`, startMs: nowMs - 3_000, timeScale: 0.015 }),
      callStarted(customerId, `open-${customerId}`, nowMs - 1_000),
    ];
    if (batches.at(-1)!.length + events.length > seedBatchEvents) batches.push([]);
    batches.at(-1)!.push(...events);
  }
  return batches;
}

/**
 * The PlatformMeter's own JavaScript for one report, in Node: per delta it parses the stored
 * bucket, merges the delta in and serialises the result; then it stores the tenant's snapshot.
 * The stored bucket is one that already holds many tenants' traffic.
 */
function mergeMillisecondsPerReport(seed: number, snapshot: CustomerLiveRow): { ms: number; deltas: number } {
  const nowMs = Date.now();
  const windowStartMs = liveAsOf(nowMs) - hourWindowMs;
  const card = { markupBps: 2_000, feePerMinuteMicros: 10_000n };
  const fold = (events: readonly SwitchboardEvent[]) => {
    const delta = new LiveDelta();
    const calls = new Map<string, LiveCall>();
    for (const event of events) calls.set(event.call_id, recordEvent(delta, event, calls.get(event.call_id) ?? newLiveCall(event.call_id), card, windowStartMs));
    return delta.toBuckets();
  };
  // What the platform bucket holds after many tenants: 5,000 events' worth, per (bucket, region).
  const platform = new Map<string, string>();
  for (const row of fold(Array.from({ length: 10 }, (_, i) => eventBatch({ seed, index: i, customerId: `c${i}`, size: 500, anchorMs: nowMs }).events).flat())) {
    const key = `${row.bucketMs}|${row.region}`;
    const existing = platform.get(key);
    platform.set(key, JSON.stringify(existing ? mergeBuckets([JSON.parse(existing) as LiveBucket, row.bucket]) : row.bucket));
  }
  // One tenant's report: the deltas of about a second of its traffic.
  const report = fold(eventBatch({ seed, index: 100, customerId: 'tenant', size: 50, anchorMs: nowMs }).events);
  const storedSnapshot = { asOfMs: nowMs, validUntilMs: nowMs + 300_000, normalCallsPerHour: 100, normalIsLearned: true, startedLast15Minutes: 3, hourlySpendLimitMicros: 100_000_000, rows: { '*': snapshot, us: snapshot } };
  const ms = timeSync(() => {
    for (const delta of report) {
      const existing = platform.get(`${delta.bucketMs}|${delta.region}`);
      const merged = existing ? mergeBuckets([JSON.parse(existing) as LiveBucket, delta.bucket]) : delta.bucket;
      JSON.stringify(merged);
    }
    JSON.stringify(storedSnapshot);
  }, { repeat: 200, warmup: 20 });
  return { ms, deltas: report.length };
}

interface Probe {
  customerId: string;
  sentMs: number;
  expectedActive: number;
  /** The answer that first showed it: when its request left, and when it arrived. */
  visibleSentMs: number | null;
  visibleMs: number | null;
}

interface UnderLoad {
  eventsPerSecond: number;
  nonAccepted: number;
  staleness: number[];
  /** The same, up to the request that first showed the call rather than its answer: a lower bound. */
  stalenessAtRequest: number[];
  unseenProbes: number;
  platformAsOfAge: number[];
  customerAsOfAge: number[];
  liveMs: number[];
  /** Beside the polls, one every floorIntervalMs: GET /healthz, and a GET no route takes (the floor any request queues on). */
  healthzMs: number[];
  notFoundMs: number[];
  /**
   * How late this process's own timers ran: the local stack's Postgres proxy and Upstash stand-in
   * live in this process, so under load every answer it times also waits for them.
   */
  benchLoopDelayMs: { p50: number; p99: number };
  /** Polls of /api/ops/live under load that failed or were not answered within requestTimeoutMs. */
  failedPolls: { count: number; last: string };
  cores: CoresUsed;
}

async function measureUnderLoad(bench: BenchStack, ingestKey: string, seed: number, context: PartContext, resent: { count: number; last: string }): Promise<UnderLoad> {
  const before = await getLive(bench);
  const active = new Map(before.view.customers.map((row) => [row.customer_id, row.active_calls]));
  const config: LoadConfig = {
    baseUrl: bench.stack.baseUrl,
    keys: { all: ingestKey },
    customers: loadCustomers,
    seed,
    batchSize: loadBatchSize,
    customersPerBatch: loadCustomersPerBatch,
    clients,
    durationMs: loadMs,
    firstIndex: 0,
  };
  context.log(`${clients} clients x ${loadBatchSize}-event batches (${loadCustomersPerBatch} customers each) for ${loadMs / 1000} s, a call.started probe every ${probeIntervalMs} ms`);
  const load = startLoad(config);
  const cpuStart = sampleCpu(load.pid);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const probes: Probe[] = [];
  const platformAsOfAge: number[] = [];
  const customerAsOfAge: number[] = [];
  const liveMs: number[] = [];
  const healthzMs: number[] = [];
  const notFoundMs: number[] = [];
  const failedPolls = { count: 0, last: '' };
  let loadRunning = true;

  // Probes go out on a fixed cadence, not one after another's answer, so a slow 202 under load
  // does not thin the samples.
  const probePosts: Array<Promise<void>> = [];
  const probing = (async () => {
    for (let n = 0; loadRunning; n++) {
      const customerId = probeCustomers[n % probeCustomers.length]!;
      const expectedActive = (active.get(customerId) ?? 0) + 1;
      active.set(customerId, expectedActive);
      probes.push({ customerId, sentMs: wallClockMs(), expectedActive, visibleSentMs: null, visibleMs: null });
      probePosts.push(postEvents(bench, ingestKey, [callStarted(customerId, `probe-${n}`, Date.now())], resent));
      await new Promise((resolve) => setTimeout(resolve, probeIntervalMs));
    }
  })();
  const floorTiming = (async () => {
    while (loadRunning) {
      const started = performance.now();
      // A lost answer counts as the whole timeout rather than ending the run.
      healthzMs.push(await timeHealthz(bench).catch(() => requestTimeoutMs));
      notFoundMs.push(await timeNotFound(bench).catch(() => requestTimeoutMs));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, floorIntervalMs - (performance.now() - started))));
    }
  })();
  const polling = (async () => {
    const deadline = Date.now() + loadMs + probeDeadlineMs;
    while (Date.now() < deadline && (loadRunning || probes.some((p) => p.visibleMs === null))) {
      let live: TimedLive;
      try {
        live = await getLive(bench);
      } catch (error) {
        // Counted and reported, so one lost answer shows in the results instead of ending the run.
        failedPolls.count += 1;
        failedPolls.last = error instanceof Error ? error.message : String(error);
        continue;
      }
      if (loadRunning) {
        liveMs.push(live.ms);
        platformAsOfAge.push(live.receivedMs - Date.parse(live.view.as_of));
      }
      const rows = new Map(live.view.customers.map((row) => [row.customer_id, row]));
      for (const customerId of probeCustomers) {
        const row = rows.get(customerId);
        if (row && loadRunning) customerAsOfAge.push(live.receivedMs - Date.parse(row.as_of));
      }
      for (const probe of probes) {
        if (probe.visibleMs !== null) continue;
        if ((rows.get(probe.customerId)?.active_calls ?? 0) >= probe.expectedActive) {
          probe.visibleSentMs = live.sentMs;
          probe.visibleMs = live.receivedMs;
        }
      }
    }
  })();

  const records = await load.done.finally(() => {
    loadRunning = false;
  });
  const cpuEnd = sampleCpu(load.pid);
  loopDelay.disable();
  await load.close();
  await probing;
  await Promise.all(probePosts);
  await polling;
  await floorTiming;
  const accepted = records.filter((r) => r.status === 202);
  const first = Math.min(...records.map((r) => r.sentMs));
  const last = Math.max(...records.map((r) => r.answeredMs));
  return {
    eventsPerSecond: accepted.reduce((sum, r) => sum + r.accepted, 0) / ((last - first) / 1000),
    nonAccepted: records.length - accepted.length,
    staleness: probes.filter((p) => p.visibleMs !== null).map((p) => p.visibleMs! - p.sentMs),
    stalenessAtRequest: probes.filter((p) => p.visibleSentMs !== null).map((p) => Math.max(0, p.visibleSentMs! - p.sentMs)),
    unseenProbes: probes.filter((p) => p.visibleMs === null).length,
    platformAsOfAge,
    customerAsOfAge,
    liveMs,
    healthzMs,
    notFoundMs,
    benchLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6 },
    failedPolls,
    cores: coresUsed(cpuStart, cpuEnd),
  };
}

function summary(samples: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  return { n: samples.length, p50: median(samples), p95: quantile(samples, 0.95), p99: quantile(samples, 0.99), max: Math.max(...samples) };
}

async function run(context: PartContext): Promise<PartResult> {
  const seed = deriveSeed(context.seed, 'live');
  context.log('starting the stack on a fresh Postgres server database');
  const bench = await startBenchStack({ kind: 'server', label: 'live', scratchDir: context.scratchDir, log: context.log });
  try {
    const rssBefore = workerdRssBytes();
    const storageBefore = await durableObjectStorage(bench.stack.dataDir, 'TenantMeter');
    context.log(`creating ${customerCount.toLocaleString('en-US')} customers through POST /api/ops/customers`);
    const creationStart = performance.now();
    await inParallel(customerIds, creationConcurrency, (id) => bench.createCustomer(id));
    const creationSeconds = (performance.now() - creationStart) / 1000;
    const ingestKey = await bench.createIngestKey(null);

    context.log('sending every customer a whole call and a call in progress');
    const seedStart = wallClockMs();
    const batches = seedingBatches(seed, Date.now());
    const resent = { count: 0, last: '' };
    let seedingTimer: NodeJS.Timeout | undefined;
    const overBudget = new Promise<never>((_, reject) => {
      seedingTimer = setTimeout(() => reject(new Error(`seeding ${batches.length} batches did not finish within ${seedingBudgetMs / 1000} s: the stack stopped keeping up with ${customerCount.toLocaleString('en-US')} live customers`)), seedingBudgetMs);
    });
    await Promise.race([inParallel(batches, clients, (batch) => postEvents(bench, ingestKey, batch, resent)), overBudget]).finally(() => clearTimeout(seedingTimer));
    if (resent.count > 0) context.log(`${resent.count} seeding requests sent again (last: ${resent.last})`);
    const deadline = Date.now() + visibleDeadlineMs;
    const liveCustomers = (view: LiveView) => view.customers.filter((row) => row.active_calls >= 1).length;
    let live = await getLive(bench);
    while (liveCustomers(live.view) < customerCount && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      live = await getLive(bench);
    }
    const visibleCustomers = liveCustomers(live.view);
    const allVisibleSeconds = (live.receivedMs - seedStart) / 1000;
    context.log(`${visibleCustomers} of ${customerCount} customers live ${allVisibleSeconds.toFixed(1)} s after seeding began; ${settleSeconds} s to settle, then measuring with no traffic`);
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1_000));

    // Quiet: every meter has a call in progress, and sleeps until one of its values moves.
    const quietStart = sampleCpu();
    await new Promise((resolve) => setTimeout(resolve, quietSeconds * 1_000));
    const quietCores = coresUsed(quietStart, sampleCpu());
    const liveIdle: number[] = [];
    const healthz: number[] = [];
    let liveBytes = 0;
    let liveWireBytes = 0;
    const latencyDeadline = Date.now() + latencyBudgetMs;
    for (let i = 0; i < latencySamples && Date.now() < latencyDeadline; i++) {
      healthz.push(await timeHealthz(bench));
      const sample = await getLive(bench);
      liveIdle.push(sample.ms);
      liveBytes = sample.bytes;
      liveWireBytes = sample.wireBytes;
    }
    const rssAfter = workerdRssBytes();
    const storageAfter = await durableObjectStorage(bench.stack.dataDir, 'TenantMeter');
    const platformStorage = await durableObjectStorage(bench.stack.dataDir, 'PlatformMeter');
    const someRow = live.view.customers[0]!;
    const merge = mergeMillisecondsPerReport(seed, someRow);

    const underLoad = await measureUnderLoad(bench, ingestKey, seed, context, resent);
    if (resent.count > 0) context.log(`${resent.count} requests sent again in all (last: ${resent.last})`);

    const tenants = storageAfter.objects;
    const memoryPerMeter = (rssAfter - rssBefore) / customerCount;
    const newMeters = Math.max(1, tenants - storageBefore.objects);
    const storagePerMeter = (storageAfter.databaseBytes - storageBefore.databaseBytes) / newMeters;
    const walPerMeter = (storageAfter.walBytes - storageBefore.walBytes) / newMeters;
    const healthP50 = median(healthz);
    const healthP95 = quantile(healthz, 0.95);
    const figures: Figure[] = [
      { label: 'customers live in /api/ops/live (active_calls counted)', value: visibleCustomers, unit: 'customers', targets: [{ on: 'value', atLeast: customerCount }] },
      { label: '/api/ops/live p50, no traffic', value: median(liveIdle), unit: 'ms', baseline: { label: '/healthz p50', value: healthP50 } },
      {
        label: '/api/ops/live p95, no traffic',
        value: quantile(liveIdle, 0.95),
        unit: 'ms',
        baseline: { label: '/healthz p95', value: healthP95 },
        targets: [{ on: 'value', atMost: p95TargetMs }, { on: 'ratio', atMost: healthzRatioTarget }],
      },
      { label: '/api/ops/live response size (JSON)', value: liveBytes / 1024, unit: 'KiB' },
      { label: '/api/ops/live response on the wire (gzip)', value: liveWireBytes / 1024, unit: 'KiB', baseline: { label: 'JSON', value: liveBytes / 1024 } },
      { label: 'time from seeding until then', value: allVisibleSeconds, unit: 's' },
      { label: '/api/ops/live samples with no traffic', value: liveIdle.length, unit: 'requests' },
      { label: 'creating one customer (POST /api/ops/customers, 4 at a time)', value: (creationSeconds * 1000 * creationConcurrency) / customerCount, unit: 'ms' },
      { label: 'workerd memory per TenantMeter', value: memoryPerMeter / 1024, unit: 'KiB' },
      { label: 'storage per TenantMeter (SQLite database file)', value: storagePerMeter / 1024, unit: 'KiB' },
      { label: 'write-ahead log per TenantMeter, not yet checkpointed', value: walPerMeter / 1024, unit: 'KiB' },
      { label: `PlatformMeter storage with ${customerCount.toLocaleString('en-US')} customers (database + WAL)`, value: (platformStorage.databaseBytes + platformStorage.walBytes) / 1024, unit: 'KiB' },
      { label: `workerd CPU, ${customerCount.toLocaleString('en-US')} live meters, no traffic`, value: quietCores.workerd, unit: 'cores' },
      { label: "workerd's busiest thread, no traffic", value: quietCores.workerdBusiestThread, unit: 'cores' },
      { label: `PlatformMeter JavaScript per report (${merge.deltas} deltas, Node)`, value: merge.ms * 1000, unit: 'µs' },
      { label: 'ingest load while probing', value: underLoad.eventsPerSecond, unit: 'events/s' },
      { label: 'load requests not answered 202', value: underLoad.nonAccepted, unit: 'requests' },
      { label: 'seeding and probe requests sent again after a 5xx or dropped connection', value: resent.count, unit: 'requests', targets: [{ on: 'value', atMost: 0 }] },
      { label: 'call.started to visible in /api/ops/live p50', value: median(underLoad.staleness), unit: 'ms' },
      { label: 'call.started to visible in /api/ops/live p99', value: quantile(underLoad.staleness, 0.99), unit: 'ms', targets: [{ on: 'value', atMost: stalenessTargetMs }] },
      { label: 'the same p99, to the poll request that showed it (lower bound)', value: quantile(underLoad.stalenessAtRequest, 0.99), unit: 'ms' },
      { label: 'probes measured', value: underLoad.staleness.length, unit: 'probes' },
      { label: 'probes never visible within 60 s', value: underLoad.unseenProbes, unit: 'probes', targets: [{ on: 'value', atMost: 0 }] },
      { label: 'platform as_of age p50, under load', value: median(underLoad.platformAsOfAge), unit: 'ms' },
      { label: 'platform as_of age p99, under load', value: quantile(underLoad.platformAsOfAge, 0.99), unit: 'ms', targets: [{ on: 'value', atMost: stalenessTargetMs }] },
      { label: "customer row as_of age p99, under load", value: quantile(underLoad.customerAsOfAge, 0.99), unit: 'ms' },
      { label: '/api/ops/live p50, under load', value: median(underLoad.liveMs), unit: 'ms', baseline: { label: 'a 404 p50 under load', value: median(underLoad.notFoundMs) } },
      { label: '/api/ops/live p95, under load', value: quantile(underLoad.liveMs, 0.95), unit: 'ms', baseline: { label: 'a 404 p95 under load', value: quantile(underLoad.notFoundMs, 0.95) } },
      { label: '/healthz p50, under load', value: median(underLoad.healthzMs), unit: 'ms', baseline: { label: 'a 404 p50 under load', value: median(underLoad.notFoundMs) } },
      { label: "bench process's event-loop delay p50, under load (it hosts the stack's proxies)", value: underLoad.benchLoopDelayMs.p50, unit: 'ms' },
      { label: "bench process's event-loop delay p99, under load", value: underLoad.benchLoopDelayMs.p99, unit: 'ms' },
      { label: '/api/ops/live polls failed or unanswered within 60 s, under load', value: underLoad.failedPolls.count, unit: 'requests', targets: [{ on: 'value', atMost: 0 }] },
      { label: 'workerd CPU under load', value: underLoad.cores.workerd, unit: 'cores' },
      { label: "workerd's busiest thread under load", value: underLoad.cores.workerdBusiestThread, unit: 'cores' },
      { label: 'whole machine under load', value: underLoad.cores.machine, unit: 'cores' },
    ];
    return {
      setup: [
        `One stack on a fresh Postgres server database, its local storage on tmpfs (see the ingest part for why and what a commit costs on disk). ${customerCount.toLocaleString('en-US')} customers created through the operator API (each configures its TenantMeter); each then sent one whole call and one call left in progress through POST /v1/events, so every TenantMeter has reported and stays live.`,
        `No traffic: ${settleSeconds} s after the last customer showed up (the meters' last wake-ups after seeding and workerd evicting them from memory), workerd CPU over ${quietSeconds} s, then ${latencySamples} interleaved sequential GET /healthz and GET /api/ops/live. /healthz probes Postgres, Redis and storage, so it is the floor of a request that does real I/O.`,
        `Under load: ${clients} clients post ${loadBatchSize}-event batches (${loadCustomersPerBatch} customers each) for ${loadMs / 1000} s to the other ${loadCustomers.length} customers while a call.started goes every ${probeIntervalMs} ms to one of ${probeCustomerCount} probe customers in turn, and /api/ops/live is polled back to back (beside, every ${floorIntervalMs} ms, a GET /healthz and a GET of a path no route takes, answered 404 by the Worker alone: the floor under the same load); a probe is visible once its customer's active_calls counts it (from the POST leaving to the poll answer that shows it).`,
        `Memory: workerd's resident memory after the customers were live minus before they were created, per customer. Storage: the TenantMeters' SQLite files under wrangler's persist directory (the local counterpart of ctx.storage.sql.databaseSize).`,
      ],
      figures,
      notes: [
        `With no traffic each of the ${customerCount.toLocaleString('en-US')} live meters sleeps until one of its values moves (a bucket leaving the 5-minute, 15-minute or hour window, a call turning stale, the hour turning), and its row in the PlatformMeter stays current meanwhile; workerd then uses ${quietCores.workerd.toFixed(2)} cores. Of a report with new counts, the PlatformMeter's own JavaScript (parse, merge, serialise ${merge.deltas} deltas and the snapshot) is ${Math.round(merge.ms * 1000)} µs in Node; the rest is SQLite statements and the RPC.`,
        `/api/ops/live answers ${(liveBytes / 1024).toFixed(0)} KiB of JSON (${(liveWireBytes / 1024).toFixed(0)} KiB gzip-compressed on the wire) for ${customerCount.toLocaleString('en-US')} customers in ${median(liveIdle).toFixed(0)} ms (p50) with no traffic against ${healthP50.toFixed(0)} ms for /healthz; the PlatformMeter builds the view (the hour's and five minutes' merged buckets, every customer's row) once per as_of and report, and answers the same text, compressed once, until either moves. Under load it takes ${median(underLoad.liveMs).toFixed(0)} ms (p50), while a GET that no route takes, answered 404 by the Worker before any Durable Object, Postgres or Redis, takes ${median(underLoad.notFoundMs).toFixed(0)} ms (p50) and /healthz ${median(underLoad.healthzMs).toFixed(0)} ms (it also waits for a Postgres connection among the meters' flushes): every request waits for workerd's one thread, which shares the machine's 2 cores with Postgres, the load client and this process's proxies (whole machine ${underLoad.cores.machine.toFixed(2)} cores, workerd's busiest thread ${underLoad.cores.workerdBusiestThread.toFixed(2)}; this process's own timers ran late by ${underLoad.benchLoopDelayMs.p99.toFixed(0)} ms at p99, so its timings are not what waited).${underLoad.failedPolls.count > 0 ? ` ${underLoad.failedPolls.count} polls failed (last: ${underLoad.failedPolls.last}).` : ''}`,
        `Staleness under ${Math.round(underLoad.eventsPerSecond).toLocaleString('en-US')} events/s: a new call shows in ${(median(underLoad.staleness) / 1000).toFixed(1)} s (p50), ${(quantile(underLoad.staleness, 0.99) / 1000).toFixed(1)} s (p99) counted to the answer that shows it, ${(quantile(underLoad.stalenessAtRequest, 0.99) / 1000).toFixed(1)} s (p99) counted to that answer's request. The path is the TenantMeter's alarm (500 ms after the event), its report (sent before its flush to Postgres), then the next poll. as_of is the start of the current 5-second bucket, so it is 0-5 s old by construction before any delay.`,
        `Each TenantMeter costs about ${(memoryPerMeter / 1024).toFixed(0)} KiB of workerd memory while live (resident memory growth over ${customerCount.toLocaleString('en-US')} meters, V8 heap and SQLite caches included) and ${(storagePerMeter / 1024).toFixed(0)} KiB of SQLite database after one call's events (the buffer is emptied by the flush; dedup ids, call state and live buckets remain), plus ${(walPerMeter / 1024).toFixed(0)} KiB of write-ahead log until SQLite checkpoints it.`,
      ],
      details: {
        creationSeconds,
        allVisibleSeconds,
        quietCores,
        liveBytes,
        liveWireBytes,
        rssBefore,
        rssAfter,
        storageBefore,
        storageAfter,
        platformStorage,
        merge,
        underLoad: {
          eventsPerSecond: underLoad.eventsPerSecond,
          probes: underLoad.staleness.length,
          unseenProbes: underLoad.unseenProbes,
          stalenessMs: summary(underLoad.staleness),
          stalenessAtRequestMs: summary(underLoad.stalenessAtRequest),
          platformAsOfAgeMs: summary(underLoad.platformAsOfAge),
          customerAsOfAgeMs: summary(underLoad.customerAsOfAge),
          liveMs: summary(underLoad.liveMs),
          healthzMs: summary(underLoad.healthzMs),
          notFoundMs: summary(underLoad.notFoundMs),
          benchLoopDelayMs: underLoad.benchLoopDelayMs,
          cores: underLoad.cores,
        },
      },
    };
  } catch (error) {
    context.log(`the stack's last output:\n${bench.stack.workerOutputTail()}`);
    throw error;
  } finally {
    await bench.stop();
  }
}

const part: BenchPart = {
  name: 'live',
  title: 'Live operator metrics with 1,000 customers',
  issue: 'Live operator metrics',
  runsByDefault: true,
  run,
};
export default part;
