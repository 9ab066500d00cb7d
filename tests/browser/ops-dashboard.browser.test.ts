// The operator dashboard in Chromium against the whole local stack (DEMO off), on calls seeded
// through the public API: tiles against the live view the page fetched, drill-down from a chart
// to the call list, the call list's filters, paging keys and CSV, a call's detail with its
// recording, connection loss, and axe and screenshots of every page at desktop and phone widths.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createRng, integer } from '../../local/demo/random.ts';
import { syntheticRecordingWav } from '../../local/demo/recording.ts';
import { startLocalStack } from '../../local/stack.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { checkAccessibility, hasFocus, horizontalOverflow, launchBrowser, newPinnedPage, saveScreenshot } from '../support/browser.ts';
import { waitUntil } from '../support/wait-until.ts';

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

let stack: Stack;
let browser: Browser;
let dataDir: string;
let operatorToken: string;
const openPages: Page[] = [];

// ---------------------------------------------------------------------------------------------
// Seeded traffic

const seed = Number(process.env.OPS_DASHBOARD_SEED ?? Date.now() % 1_000_000);
console.log(`ops-dashboard browser test: seed ${seed} (set OPS_DASHBOARD_SEED to replay)`);

const recording = syntheticRecordingWav(createRng(seed, 'ops-dashboard-recording'));
/** What a player reads from the header: data bytes over bytes per second. */
const recordingHeader = new DataView(recording.buffer);
const recordingSeconds = recordingHeader.getUint32(40, true) / recordingHeader.getUint32(28, true);
const recordingSha256 = createHash('sha256').update(recording).digest('hex');

/** acme's normal is high and globex's is learned (the floor of 10 an hour), so 8 calls make globex noisy. */
const customers = [
  { id: 'acme-dental', normal_calls_per_hour: 1000 },
  { id: 'globex-health' },
  { id: 'initech-voice', normal_calls_per_hour: 100 },
] as const;
const callCount = 24;
const recordedCall = { customerId: 'globex-health', callId: 'call-04' };

interface SeededCall {
  customerId: string;
  callId: string;
  firstUserText: string;
}

function seededTraffic(now: Date): { events: SwitchboardEvent[]; calls: SeededCall[] } {
  const rng = createRng(seed, 'ops-dashboard-traffic');
  const events: SwitchboardEvent[] = [];
  const calls: SeededCall[] = [];
  for (let i = 0; i < callCount; i++) {
    const customerId = customers[i % customers.length]?.id ?? 'acme-dental';
    const callId = `call-${String(i).padStart(2, '0')}`;
    const base = exampleEvents({ customerId, callId, now });
    // Every call starts 110-52 s ago and ends at least 12 s ago: inside the 5-minute live
    // window for the whole run, so the live values do not move while the tests read them.
    const startedMs = now.getTime() - (110_000 - i * 2_500);
    const durationMs = integer(rng, 20, 39) * 1000;
    const at = (offsetMs: number) => new Date(startedMs + offsetMs).toISOString();
    const id = (suffix: string) => `evt_${callId}_${suffix}`;
    const providers = {
      stt: i % 2 === 0 ? 'deepgram' : 'assemblyai',
      llm: i % 3 === 0 ? 'anthropic' : 'openai',
      tts: i % 2 === 0 ? 'cartesia' : 'elevenlabs',
      telephony: i % 2 === 0 ? 'twilio' : 'telnyx',
    };
    events.push({ ...base['call.started'], id: id('started'), ts: at(0), region: i % 2 === 0 ? 'us' : 'eu', providers });
    const turns = integer(rng, 2, 3);
    let firstUserText = '';
    for (let turn = 0; turn < turns; turn++) {
      const stt = integer(rng, 120, 300);
      const llm = i === 7 && turn === 1 ? 4_200 : integer(rng, 300, 1_500);
      const tts = integer(rng, 80, 250);
      const userText = `Seeded question ${turn} on ${callId}`;
      if (turn === 0) firstUserText = userText;
      const turnMs = 3_000 + turn * 5_000;
      events.push({
        ...base['call.turn'],
        id: id(`turn_${turn}`),
        ts: at(turnMs),
        turn,
        user_text: userText,
        agent_text: `Seeded answer ${turn}`,
        stt_ms: stt,
        llm_ms: llm,
        tts_ms: tts,
        e2e_ms: stt + llm + tts + integer(rng, 40, 120),
      });
      for (const kind of ['stt', 'llm', 'tts'] as const) {
        const failed = kind === 'tts' && i % 4 === 1 && turn === 0;
        events.push({
          ...base['provider.request'],
          id: id(`req_${turn}_${kind}`),
          ts: at(turnMs - 500),
          kind,
          provider: providers[kind],
          ok: !failed,
          latency_ms: kind === 'llm' ? llm : kind === 'stt' ? stt : tts,
          ...(failed ? { error_code: 'timeout' } : {}),
        });
      }
    }
    events.push({ ...base['tool.call'], id: id('tool'), ts: at(4_000), ok: i % 6 !== 2, latency_ms: integer(rng, 80, 600) });
    const failed = i % 5 === 0;
    if (failed) events.push({ ...base['call.error'], id: id('error'), ts: at(6_000), component: 'llm', code: 'upstream_error', message: 'the LLM answered 503' });
    const { audio: _declared, ...ended } = base['call.ended'];
    events.push({
      ...ended,
      id: id('ended'),
      ts: at(durationMs),
      status: failed ? 'failed' : i % 7 === 3 ? 'abandoned' : 'completed',
      duration_ms: durationMs,
      ttfa_ms: integer(rng, 600, 1_400),
      escalated: i % 4 === 3,
      cost: ended.cost.map((line) => ({ ...line, cost_micros: integer(rng, 1_000, 90_000) })),
      ...(customerId === recordedCall.customerId && callId === recordedCall.callId
        ? { audio: { content_type: 'audio/wav' as const, sha256: recordingSha256 } }
        : {}),
    });
    calls.push({ customerId, callId, firstUserText });
  }
  return { events, calls };
}

let seeded: SeededCall[] = [];

// ---------------------------------------------------------------------------------------------
// The stack, the API as the test's oracle, the browser

function url(path: string): string {
  return new URL(path, stack.baseUrl).href;
}

async function api(path: string, init: { method?: string; json?: unknown; body?: Uint8Array; headers?: Record<string, string>; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? operatorToken}`, ...init.headers };
  let body: RequestInit['body'];
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.body) {
    body = init.body;
  }
  return fetch(url(path), { method: init.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
}

async function apiJson<T>(path: string): Promise<T> {
  const response = await api(path);
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
}

interface LiveView {
  as_of: string;
  platform: {
    active_calls: number;
    call_attempts_per_minute: number;
    ended_calls: number;
    success_rate: Rate;
    error_rate: Rate;
    tool_failure_rate: Rate;
    escalation_rate: Rate;
    e2e_ms: { p50: number | null; p95: number | null; p99: number | null };
  };
  providers: Array<{ kind: string; provider: string | null; success_rate: Rate }>;
  customers: Array<{ customer_id: string; load_ratio: number; noisy: boolean }>;
}

/** The part of HTMLMediaElement the recording check reads (this file compiles without the DOM library). */
interface MediaElement {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: 'loadedmetadata' | 'error', listener: () => void): void;
  load(): void;
}

interface CallRow {
  customer_id: string;
  call_id: string;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-ops-browser-'));
  stack = await startLocalStack({ port: 0, dataDir, demo: false, quiet: true });
  operatorToken = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'oncall@example.com', ttlSeconds: 3600 })).token;
  browser = await launchBrowser();

  for (const customer of customers) {
    const created = await api('/api/ops/customers', { method: 'POST', json: { ...customer, name: customer.id } });
    expect(created.status).toBe(201);
  }
  const key = ((await (await api('/api/ops/ingest-keys', { method: 'POST', json: {} })).json()) as { key: string }).key;
  const traffic = seededTraffic(new Date());
  seeded = traffic.calls;
  const ingested = await api('/v1/events', { method: 'POST', json: traffic.events, token: key });
  expect(await ingested.json()).toMatchObject({ accepted: traffic.events.length, rejected: 0 });
  const uploaded = await api(`/v1/calls/${recordedCall.customerId}/${recordedCall.callId}/audio`, {
    method: 'PUT',
    body: recording,
    headers: { 'content-type': 'audio/wav' },
    token: key,
  });
  expect(uploaded.status).toBe(201);
  // A login for the logins page to list (the test's own token was signed outside the API).
  expect((await api('/api/ops/tokens', { method: 'POST', json: { role: 'customer', customer_id: 'acme-dental', subject: 'support@example.com' } })).status).toBe(201);

  // The TenantMeters report to the live view within seconds and flush to Postgres soon after;
  // the platform error-rate alert (5 failed of 24) follows on the PlatformMeter's next tick.
  await waitUntil(async () => (await apiJson<LiveView>('/api/ops/live')).platform.ended_calls === callCount, 'the live view counts every seeded call', 30_000);
  await waitUntil(async () => (await apiJson<{ data: CallRow[] }>('/api/ops/calls?limit=500')).data.length === callCount, 'every call is listed', 30_000);
  await waitUntil(
    async () => (await apiJson<{ data: Array<{ dedup_key: string }> }>('/api/ops/alerts')).data.some((alert) => alert.dedup_key === 'platform:error_rate'),
    'the platform error-rate alert triggers',
    60_000,
  );
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function signedInPage(viewport = desktop, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await newPinnedPage(browser, { viewport, colorScheme });
  openPages.push(page);
  const session = await page.request.post(url('/api/session'), { data: { token: operatorToken } });
  expect(session.status()).toBe(201);
  return page;
}

function query(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

// Independent formatting oracles: what en-US readers expect to see.
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const grouped = (value: number) => value.toLocaleString('en-US');
const sample = (rate: Rate, noun: string) => `(${grouped(rate.numerator)}/${grouped(rate.denominator)} ${noun})`;
const ms = (value: number | null) => (value === null ? '—' : `${grouped(Math.round(value))} ms`);

async function tileText(page: Page, id: string): Promise<string> {
  return ((await page.locator(`[data-tile="${id}"] [data-testid="tile-value"]`).textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------

describe('/ops overview', () => {
  test('the tiles show the live view the page fetched, with sample sizes', async () => {
    const page = await signedInPage();
    const fetched = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/ops/live');
    await page.goto(url('/ops'));
    const response = await fetched;
    // A thousand customers' view is hundreds of KiB of JSON: it travels compressed, once per view.
    expect(response.headers()['content-encoding']).toBe('gzip');
    const view = (await response.json()) as LiveView;
    await page.locator('[data-tile="success_rate"]').waitFor();
    const p = view.platform;
    const kind = (name: string) => view.providers.find((entry) => entry.kind === name && entry.provider === null)?.success_rate;

    expect(p.ended_calls).toBe(callCount);
    expect(await tileText(page, 'active_calls')).toBe(`${grouped(p.active_calls)} ${grouped(p.call_attempts_per_minute)} attempts in the last minute`);
    expect(await tileText(page, 'success_rate')).toBe(`${percent(p.success_rate.value)} ${sample(p.success_rate, 'calls')}`);
    expect(await tileText(page, 'error_rate')).toBe(`${percent(p.error_rate.value)} ${sample(p.error_rate, 'calls')}`);
    expect(await tileText(page, 'e2e_p95')).toBe(`${ms(p.e2e_ms.p95)} P50 ${ms(p.e2e_ms.p50)} · P99 ${ms(p.e2e_ms.p99)}`);
    for (const name of ['stt', 'llm', 'tts']) {
      const success = kind(name);
      if (!success) throw new Error(`the live view has no ${name} entry`);
      expect(await tileText(page, `${name}_success`)).toBe(`${percent(success.value)} ${sample(success, 'requests')}`);
    }
    expect(await tileText(page, 'tool_failure_rate')).toBe(`${percent(p.tool_failure_rate.value)} ${sample(p.tool_failure_rate, 'tool calls')}`);
    expect(await tileText(page, 'escalation_rate')).toBe(`${percent(p.escalation_rate.value)} ${sample(p.escalation_rate, 'calls')}`);

    // 5 of 24 calls failed: over the 5% line, so the tile says so in words as well as colour.
    expect(p.error_rate.value).toBeGreaterThan(0.05);
    expect(await page.locator('[data-tile="error_rate"]').getAttribute('class')).toContain('tone-bad');
    expect(await page.locator('[data-tile="error_rate"] .tile-state').textContent()).toContain('Critical');

    const globex = view.customers.find((row) => row.customer_id === 'globex-health');
    expect(globex?.noisy).toBe(true);
    const noisyRow = page.locator('tr[data-customer="globex-health"]');
    expect(await noisyRow.getAttribute('class')).toContain('row-noisy');
    expect(await noisyRow.textContent()).toContain(`Noisy ${globex?.load_ratio.toFixed(1)}x`);
    expect(await page.locator('tr[data-customer="acme-dental"]').getAttribute('class')).toBeNull();
    await page.getByTestId('freshness').getByText(/Updated \d+ s ago/).waitFor();
  });

  test('a drag across a chart opens the calls of that window, sorted by latency', async () => {
    const page = await signedInPage();
    const overlay = page.locator('[data-chart="attempts"] .u-over');

    /** Opens the overview's fixed hour and reads the chart's scale from the series the page fetched. */
    const openHourChart = async (open: () => Promise<unknown>) => {
      const fetched = page.waitForResponse((response) => response.url().includes('/api/ops/series') && response.url().includes('metric=calls_started'));
      await open();
      const series = (await (await fetched).json()) as { t: string[]; values: number[]; resolution_s: number };
      expect(series.resolution_s).toBe(10);
      // The chart draws whole minutes (six 10 s points each), from the first to the last.
      const perMinute = new Map<number, { count: number; sum: number }>();
      series.t.forEach((iso, i) => {
        const minute = Math.floor(Date.parse(iso) / 60_000) * 60_000;
        const entry = perMinute.get(minute) ?? { count: 0, sum: 0 };
        perMinute.set(minute, { count: entry.count + 1, sum: entry.sum + (series.values[i] ?? 0) });
      });
      const minutes = [...perMinute].filter(([, entry]) => entry.count === 6).sort(([a], [b]) => a - b);
      await overlay.waitFor();
      await page.getByText('Loading the 1 h series').waitFor({ state: 'detached' });
      // Tiles, providers and alerts above the chart arrive with the first live poll; measure after them.
      await page.locator('[data-tile="active_calls"]').waitFor();
      await page.locator('li[data-alert]').first().waitFor();
      // The mouse works in the viewport: bring the chart into it first.
      await overlay.scrollIntoViewIfNeeded();
      const box = await overlay.boundingBox();
      if (!box) throw new Error('the attempts chart has no plot area');
      const first = minutes[0]?.[0] ?? 0;
      const last = minutes.at(-1)?.[0] ?? 0;
      return {
        box,
        timeAt: (x: number) => first + ((x - box.x) / box.width) * (last - first),
        msPerPixel: (last - first) / box.width,
      };
    };

    const chart = await openHourChart(() => page.goto(url('/ops?range=1h')));
    const y = chart.box.y + chart.box.height / 2;
    const x1 = chart.box.x + chart.box.width * 0.4;
    const x2 = chart.box.x + chart.box.width * 0.85;
    await page.mouse.move(x1, y);
    await page.mouse.down();
    await page.mouse.move(x2, y, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((current) => current.pathname === '/ops/calls');
    const dragged = query(page);
    expect(dragged.get('sort')).toBe('-latency_ms');
    expect(Math.abs(Date.parse(dragged.get('from') ?? '') - chart.timeAt(x1))).toBeLessThanOrEqual(chart.msPerPixel + 1_000);
    expect(Math.abs(Date.parse(dragged.get('to') ?? '') - chart.timeAt(x2))).toBeLessThanOrEqual(chart.msPerPixel + 1_000);
    await page.locator('#results-heading').waitFor();
  });

  test('says the connection is lost while polls fail and recovers when they succeed', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops'));
    await page.locator('[data-tile="active_calls"]').waitFor();
    await page.route('**/api/ops/live*', (route) => route.abort('internetdisconnected'));
    await page.getByTestId('connection-lost').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('alert').filter({ hasText: 'Connection lost' }).isVisible()).toBe(true);
    expect(await page.getByTestId('freshness').getAttribute('class')).toContain('freshness-stale');
    // The last values stay on screen while the page retries.
    expect(await tileText(page, 'active_calls')).not.toBe('');
    await page.unroute('**/api/ops/live*');
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 15_000 });
  });

  test('an open provider outage alert puts "Outage detected" and the status page above its provider', async () => {
    const page = await signedInPage();
    // A real outage needs five full minutes of failures; the page is given the alert feed instead.
    const outage = {
      id: 'al_outage',
      dedup_key: 'provider:tts:cartesia:outage',
      rule: 'provider_outage',
      severity: 'critical',
      status: 'triggered',
      subject: { kind: 'tts', provider: 'cartesia' },
      summary: 'Outage detected: TTS provider cartesia below 50.0% success in each of the last 5 minutes',
      value: 0.2,
      threshold: 0.5,
      links: [],
      condition_since: new Date(Date.now() - 6 * 60_000).toISOString(),
      triggered_at: new Date(Date.now() - 60_000).toISOString(),
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      silenced_until: null,
      deliveries: [{ target_id: 'pd', action: 'trigger', message_id: 'm1', status: 'delivered', attempts: [{ at: new Date().toISOString(), ok: true, status_code: 202, latency_ms: 80, error: null }] }],
    };
    await page.route('**/api/ops/alerts', (route) => route.fulfill({ json: { data: [outage] } }));
    await page.goto(url('/ops'));
    const banner = page.locator('#providers-tts [data-testid="outage-banner"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Outage detected: cartesia (TTS)');
    expect(await banner.getByRole('link', { name: 'cartesia status page' }).getAttribute('href')).toBe('https://status.cartesia.ai');
    expect(await page.locator('#providers-stt [data-testid="outage-banner"]').count()).toBe(0);
    const item = page.locator('li[data-alert="provider:tts:cartesia:outage"]');
    expect(await item.textContent()).toContain('pd: trigger delivered (1 attempt)');
  });

  test('acknowledging an alert in the feed marks it acknowledged by the operator', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops'));
    const item = page.locator('li[data-alert="platform:error_rate"]');
    await item.waitFor();
    expect(await item.textContent()).toMatch(/Platform error rate/i);
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item.getByText('Acknowledged by oncall@example.com').waitFor();
    const stored = await apiJson<{ data: Array<{ dedup_key: string; status: string }> }>('/api/ops/alerts');
    expect(stored.data.find((alert) => alert.dedup_key === 'platform:error_rate')?.status).toBe('acknowledged');
  });
});

describe('/ops/calls', () => {
  test('filters survive a reload and show what the API answers for them', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops/calls'));
    await page.getByLabel('Customer').fill('globex-health');
    await page.getByLabel('Completed').check();
    await page.getByLabel('Order').selectOption('-latency_ms');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((current) => current.searchParams.get('customer_id') === 'globex-health');
    expect(Object.fromEntries(query(page))).toEqual({ customer_id: 'globex-health', status: 'completed', sort: '-latency_ms' });

    const expected = await apiJson<{ data: CallRow[] }>('/api/ops/calls?customer_id=globex-health&status=completed&sort=-latency_ms');
    const onScreen = async () => page.locator('tr[data-call]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-call')));
    await page.locator('tr[data-call]').first().waitFor();
    expect(await onScreen()).toEqual(expected.data.map((row) => `${row.customer_id}/${row.call_id}`));

    await page.reload();
    await page.locator('tr[data-call]').first().waitFor();
    expect(await page.getByLabel('Customer').inputValue()).toBe('globex-health');
    expect(await page.getByLabel('Completed').isChecked()).toBe(true);
    expect(await page.getByLabel('Failed').isChecked()).toBe(false);
    expect(await page.getByLabel('Order').inputValue()).toBe('-latency_ms');
    expect(await onScreen()).toEqual(expected.data.map((row) => `${row.customer_id}/${row.call_id}`));
  });

  test('the CSV download holds exactly the rows on screen, in order', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops/calls?customer_id=acme-dental&sort=-latency_ms'));
    await page.locator('tr[data-call]').first().waitFor();
    const onScreen = await page.locator('tr[data-call]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-call')));
    const link = page.getByRole('link', { name: 'Download CSV' });
    expect(await link.getAttribute('href')).toBe('/api/ops/calls.csv?customer_id=acme-dental&sort=-latency_ms');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    const lines = (await readFile(path, 'utf8')).trim().split('\r\n');
    expect(lines[0]?.startsWith('customer_id,call_id,')).toBe(true);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join('/'))).toEqual(onScreen);
    expect(onScreen).toHaveLength(seeded.filter((call) => call.customerId === 'acme-dental').length);
  });

  test('Next and Previous page through the calls with a cursor stack', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops/calls?sort=-latency_ms&limit=10'));
    const all = (await apiJson<{ data: CallRow[] }>('/api/ops/calls?sort=-latency_ms&limit=500')).data.map((row) => `${row.customer_id}/${row.call_id}`);
    const onScreen = () => page.locator('tr[data-call]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-call')));
    const pageShows = async (rows: string[]) => {
      await page.locator(`tr[data-call="${rows[0]}"]`).waitFor();
      expect(await onScreen()).toEqual(rows);
    };
    await pageShows(all.slice(0, 10));
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();
    await pageShows(all.slice(10, 20));
    await page.getByRole('button', { name: 'Next' }).click();
    await pageShows(all.slice(20));
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await pageShows(all.slice(10, 20));
    await page.getByRole('button', { name: 'Previous' }).click();
    await pageShows(all.slice(0, 10));
  });

  test('arrow keys move through the rows and Enter opens the call', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops/calls?sort=-latency_ms'));
    const links = page.locator('a[data-row-link]');
    await links.first().waitFor();
    const third = (await page.locator('tr[data-call]').nth(2).getAttribute('data-call')) ?? '';
    await links.first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await hasFocus(links.nth(2))).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await hasFocus(links.nth(1))).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const [customerId, callId] = third.split('/');
    await page.waitForURL((current) => current.pathname === `/ops/calls/${customerId}/${callId}`);
    expect(query(page).get('sort')).toBe('-latency_ms');
  });
});

describe('/ops/calls/{customer_id}/{call_id}', () => {
  test('a row click opens the call with its transcript, waterfall, and a recording that plays', async () => {
    const page = await signedInPage();
    await page.goto(url(`/ops/calls?customer_id=${recordedCall.customerId}&sort=-latency_ms`));
    const row = page.locator(`tr[data-call="${recordedCall.customerId}/${recordedCall.callId}"]`);
    await row.waitFor();
    await row.locator('td').first().click();
    await page.waitForURL((current) => current.pathname === `/ops/calls/${recordedCall.customerId}/${recordedCall.callId}`);
    const detail = await apiJson<{ transcript: Array<{ user_text: string }>; turns: unknown[]; audio_url: string }>(
      `/api/ops/calls/${recordedCall.customerId}/${recordedCall.callId}`,
    );
    const call = seeded.find((c) => c.customerId === recordedCall.customerId && c.callId === recordedCall.callId);
    await page.getByText(call?.firstUserText ?? 'missing').waitFor();
    expect(await page.locator('.transcript li').count()).toBe(detail.transcript.length);
    expect(await page.locator('.waterfall tbody tr').count()).toBe(detail.turns.length);

    const audio = page.locator('audio');
    expect(await audio.getAttribute('src')).toBe(detail.audio_url);
    expect(await audio.getAttribute('controls')).not.toBeNull();
    const duration = await audio.evaluate(
      (element) =>
        new Promise<number>((resolve, reject) => {
          const media = element as unknown as MediaElement;
          if (media.readyState >= 1) {
            resolve(media.duration);
            return;
          }
          media.addEventListener('loadedmetadata', () => resolve(media.duration));
          media.addEventListener('error', () => reject(new Error(`the recording did not load (${media.error?.code})`)));
          media.load();
        }),
    );
    expect(duration).toBeCloseTo(recordingSeconds, 2);

    const back = page.getByRole('link', { name: '← Back to calls' });
    expect(await back.getAttribute('href')).toBe(`/ops/calls?customer_id=${recordedCall.customerId}&sort=-latency_ms`);
    await back.click();
    await page.waitForURL((current) => current.pathname === '/ops/calls' && current.searchParams.get('customer_id') === recordedCall.customerId);
  });

  test('an unknown call says so', async () => {
    const page = await signedInPage();
    await page.goto(url('/ops/calls/acme-dental/no-such-call'));
    await page.getByRole('alert').getByText(/No call "no-such-call"/).waitFor();
  });
});

describe('accessibility and layout', () => {
  const pages = [
    { name: 'ops-overview', path: '/ops', ready: '[data-chart="cost"] .u-over' },
    { name: 'ops-calls', path: '/ops/calls?sort=-latency_ms', ready: 'tr[data-call]' },
    { name: 'ops-call', path: `/ops/calls/${recordedCall.customerId}/${recordedCall.callId}?sort=-latency_ms`, ready: 'audio' },
    { name: 'ops-logins', path: '/ops/logins', ready: '.data-table tbody tr' },
    { name: 'ops-audit', path: '/ops/audit', ready: '.data-table tbody tr' },
  ];

  test.each(pages.flatMap((p) => [{ ...p, viewport: desktop, suffix: 'desktop' }, { ...p, viewport: phone, suffix: 'phone' }]))(
    '$name at $suffix width has no serious accessibility violations and no sideways scrolling',
    async ({ name, path, ready, viewport, suffix }) => {
      const page = await signedInPage(viewport);
      await page.goto(url(path));
      await page.locator(ready).first().waitFor();
      if (name === 'ops-overview') await page.locator('[data-tile="escalation_rate"] .u-over').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await saveScreenshot(page, `${name}-${suffix}`);
      expect(await checkAccessibility(page)).toEqual([]);
    },
  );

  test('the overview in the dark theme has no serious accessibility violations', async () => {
    const page = await signedInPage(desktop, 'dark');
    await page.goto(url('/ops'));
    await page.locator('[data-chart="cost"] .u-over').waitFor();
    await saveScreenshot(page, 'ops-overview-desktop-dark');
    expect(await checkAccessibility(page)).toEqual([]);
  });
});
