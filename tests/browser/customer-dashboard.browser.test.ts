// The customer dashboard in Chromium against the whole local stack, on seeded history: every
// figure on the page equals the answer the page fetched, formatted by an oracle written here
// (exact integer and decimal arithmetic, en-US, UTC); nothing internal reaches the page; a
// customer sees only their own data; the page works at 390 px and by keyboard alone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import { uiOutDir } from '../../local/ui-build.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { checkAccessibility, hasFocus, horizontalOverflow, launchBrowser, newPinnedPage, saveScreenshot } from '../support/browser.ts';
import { customerHistory, seededProviders, seededTokenCounts, storeEvents, type SeededCall } from '../support/customer-history.ts';

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

interface Metric {
  value: number | null;
  last_7d: number | null;
  previous: number | null;
  numerator: number | null;
  denominator: number | null;
  explanation: string;
  estimated: boolean;
  low_sample: boolean;
}
interface Overview {
  as_of: string;
  month: string;
  stale: boolean;
  metrics: Record<string, Metric>;
}
type Usage = Array<{ date: string; calls: number; cost_micros: number; estimated: boolean }>;
interface CallRow {
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  status: string;
  failure_reason: string | null;
  cost_micros: number;
}
interface CallPage {
  data: CallRow[];
  has_more: boolean;
  next_cursor: string | null;
}
interface Invoice {
  month: string;
  status: 'open' | 'issued';
  final: boolean;
  issued_at: string | null;
  lines: Array<{ kind: string; description: string; quantity: number; unit: string; amount_micros: number; adjusts_month: string | null }>;
  subtotal_micros: number;
  adjustments_micros: number;
  total_micros: number;
  amount_due_cents: number;
}

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };
const hourMs = 3_600_000;

let stack: Stack;
let browser: Browser;
let dataDir: string;
const openPages: Page[] = [];

const suffix = crypto.randomUUID().slice(0, 6);
const acme = `acme-${suffix}`;
const globex = `globex-${suffix}`;
const supportOperator = 'support@switchboard.example';
let acmeCalls: SeededCall[];
let globexCalls: SeededCall[];
let previousMonth: string;

/** This UTC month, "2026-11". */
function overviewMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function url(path: string): string {
  return new URL(path, stack.baseUrl).href;
}

async function operatorToken(subject = supportOperator): Promise<string> {
  return (await signToken(stack.jwtSecret, { role: 'operator', subject, ttlSeconds: 3600 })).token;
}

async function customerToken(customerId: string): Promise<string> {
  return (await signToken(stack.jwtSecret, { role: 'customer', subject: `owner@${customerId}`, customerId, ttlSeconds: 3600 })).token;
}

async function asOperator(path: string, body: unknown = {}): Promise<globalThis.Response> {
  return fetch(url(path), { method: 'POST', headers: { authorization: `Bearer ${await operatorToken()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-dashboard-browser-'));
  stack = await startLocalStack({ port: 0, dataDir, demo: false, quiet: true });
  browser = await launchBrowser();

  for (const [id, name] of [[acme, 'Acme Dental'], [globex, 'Globex']]) {
    expect((await asOperator('/api/ops/customers', { id, name, markup_bps: 2500, fee_per_minute_micros: 5000 })).status).toBe(201);
  }
  const now = new Date();
  const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  previousMonth = new Date(thisMonth - 86_400_000).toISOString().slice(0, 7);
  // 64 calls 7 h apart (the last 19 days), three in the middle of last month, and globex's own.
  const recent = customerHistory({ customerId: acme, callPrefix: 'acme-call', calls: 64, spacingHours: 7, ratings: 4, now });
  const lastMonth = customerHistory({ customerId: acme, callPrefix: 'acme-old', calls: 3, spacingHours: 5, ratings: 0, now: new Date(`${previousMonth}-15T12:00:00.000Z`) });
  const theirs = customerHistory({ customerId: globex, callPrefix: 'globex-call', calls: 6, spacingHours: 20, ratings: 2, now });
  // A call that arrives after last month's invoice is issued: it becomes an adjustment on this month's.
  const late = customerHistory({ customerId: acme, callPrefix: 'acme-late', calls: 1, spacingHours: 1, ratings: 0, now: new Date(`${previousMonth}-20T12:00:00.000Z`) });
  // Last month's histories start a call that never ends: only the ended calls are kept.
  const ended = (events: unknown[]) => events.filter((event) => !/-live-start$/.test((event as { id: string }).id));
  await storeEvents(stack.databaseUrl, [...recent.events, ...ended(lastMonth.events), ...theirs.events]);
  acmeCalls = [...recent.calls, ...lastMonth.calls, ...late.calls].filter((c) => c.status !== 'in_progress' || c.callId === 'acme-call-live');
  globexCalls = theirs.calls;

  // Last month is over: issue its invoice (early only when it ended under 24 h ago).
  expect((await asOperator('/api/ops/refresh')).status).toBe(200);
  const early = now.getTime() - thisMonth < 24 * hourMs;
  expect((await asOperator(`/api/ops/invoices/${acme}/${previousMonth}/issue`, early ? { early: true } : {})).status).toBe(201);
  await storeEvents(stack.databaseUrl, ended(late.events));
  expect((await asOperator('/api/ops/refresh')).status).toBe(200);
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function openPage(viewport = desktop): Promise<Page> {
  const page = await newPinnedPage(browser, { viewport });
  openPages.push(page);
  return page;
}

/** Signs in through the session cookie, as the login page does. */
async function signIn(page: Page, token: string): Promise<void> {
  const response = await page.request.post(url('/api/session'), { data: { token } });
  expect(response.status()).toBe(201);
}

function answerTo(page: Page, path: string): Promise<Response> {
  return page.waitForResponse((response) => new URL(response.url()).pathname === path && response.request().method() === 'GET');
}

/** Opens /dashboard as acme and answers the overview and usage it fetched. */
async function openOverview(viewport = desktop): Promise<{ page: Page; overview: Overview; usage: Usage }> {
  const page = await openPage(viewport);
  await signIn(page, await customerToken(acme));
  const overviewAnswer = answerTo(page, '/api/customer/overview');
  const usageAnswer = answerTo(page, '/api/customer/usage');
  await page.goto(url('/dashboard'));
  const overview = (await (await overviewAnswer).json()) as Overview;
  const usage = (await (await usageAnswer).json()) as Usage;
  await page.locator('.tile').first().waitFor();
  await page.locator('.day-chart canvas').first().waitFor();
  return { page, overview, usage };
}

// The oracle: numbers as the page should write them, from exact integers and decimals, en-US.

const grouped = (n: bigint): string => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const count = (n: number): string => grouped(BigInt(n));

/** Micro-USD to dollars with `places` decimals, half up, then zeros past `keep` decimals dropped. */
function dollars(micros: number, places: number, keep = 2): string {
  const negative = micros < 0;
  const unit = 10n ** BigInt(6 - places);
  const scaled = (BigInt(Math.abs(micros)) + unit / 2n) / unit;
  const whole = scaled / 10n ** BigInt(places);
  let fraction = (scaled % 10n ** BigInt(places)).toString().padStart(places, '0');
  while (fraction.length > keep && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}$${grouped(whole)}.${fraction}`;
}
const cents = (micros: number) => dollars(micros, 2);
const exact = (micros: number) => dollars(micros, 6);
const fine = (micros: number) => dollars(micros, 4);

/** A non-negative value's exact decimal (12 significant digits) rounded half up to `places` decimals, as an integer. */
function roundedUnits(value: number, places: number): bigint {
  const [whole = '0', fraction = ''] = value.toPrecision(12).split('.');
  const scale = 30;
  const exactScaled = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  const divisor = 10n ** BigInt(scale - places);
  return (exactScaled + divisor / 2n) / divisor;
}

function decimals(units: bigint, places: number, keepZeros: boolean): string {
  const whole = units / 10n ** BigInt(places);
  let fraction = (units % 10n ** BigInt(places)).toString().padStart(places, '0');
  if (!keepZeros) fraction = fraction.replace(/0+$/, '');
  return fraction ? `${grouped(whole)}.${fraction}` : grouped(whole);
}

function percent(value: number, places: number): string {
  const units = roundedUnits(value, places + 2);
  const top = 10n ** BigInt(places + 2);
  if (value > 0 && units === 0n) return `<${decimals(1n, places, false)}%`;
  if (value < 1 && units === top) return `>${decimals(top - 1n, places, false)}%`;
  return `${decimals(units, places, false)}%`;
}

const oneDecimal = (value: number) => decimals(roundedUnits(value, 1), 1, true);

function durationWords(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

type Format = (value: number) => string;
interface TileOracle {
  format: Format;
  trend?: Format;
  noun: string;
  shape: 'count' | 'money' | 'average' | 'rate' | 'projection';
}
const tileOracles: Record<string, TileOracle> = {
  total_calls: { shape: 'count', format: count, trend: (v) => `${count(v)} ${v === 1 ? 'call' : 'calls'}`, noun: 'calls' },
  cost_micros: { shape: 'money', format: cents, noun: 'calls' },
  cost_per_call_micros: { shape: 'average', format: fine, noun: 'calls' },
  projected_month_cost_micros: { shape: 'projection', format: cents, noun: 'calls' },
  task_success_rate: { shape: 'rate', format: (v) => percent(v, 1), noun: 'calls' },
  avg_call_duration_ms: { shape: 'average', format: durationWords, noun: 'calls' },
  error_rate: { shape: 'rate', format: (v) => percent(v, 1), noun: 'calls' },
  completion_rate: { shape: 'rate', format: (v) => percent(v, 1), noun: 'calls' },
  csat: { shape: 'average', format: (v) => `${oneDecimal(v)} / 5`, noun: 'ratings' },
  uptime: { shape: 'rate', format: (v) => percent(v, 2), noun: 'minutes' },
};

interface TileText {
  value: string | null;
  sample: string | null;
  smallSample: string | null;
  trend: string | null;
  estimated: boolean;
}

function expectedTile(key: string, overview: Overview): TileText {
  const oracle = tileOracles[key];
  const m = overview.metrics[key];
  if (!oracle || !m) throw new Error(`no metric ${key}`);
  const show = (v: number | null) => (v === null ? '—' : oracle.format(v));
  const showTrend = (v: number | null) => (v === null ? '—' : (oracle.trend ?? oracle.format)(v));
  const by = key === 'csat' ? 'from' : 'over';
  const small = m.low_sample && (oracle.shape === 'rate' || oracle.shape === 'average') && m.value !== null;
  let trend: string;
  if (oracle.shape === 'projection') trend = `${show(overview.metrics.cost_micros?.value ?? null)} so far this month`;
  else if (m.last_7d === null && m.previous === null) trend = `No ${oracle.noun} in the last 14 days`;
  else if (m.last_7d === null) trend = `No ${oracle.noun} in the last 7 days; ${showTrend(m.previous)} the week before`;
  else if (m.previous === null) trend = `${showTrend(m.last_7d)} in the last 7 days; no ${oracle.noun} the week before`;
  else {
    const [now, before] = [showTrend(m.last_7d), showTrend(m.previous)];
    const change = now === before ? 'the same as' : m.last_7d > m.previous ? `up from ${before}` : `down from ${before}`;
    trend = `${now} in the last 7 days, ${change} the week before`;
  }
  let sample: string | null = null;
  if (m.value === null) sample = `No ${oracle.noun} yet this month`;
  else if (key === 'cost_micros' && m.value % 10_000 !== 0) sample = `(exactly ${exact(m.value)})`;
  else if (m.denominator !== null && oracle.shape === 'rate') sample = `(${count(m.numerator ?? 0)} of ${count(m.denominator)} ${oracle.noun})`;
  else if (m.denominator !== null && oracle.shape === 'average') sample = `(${by} ${count(m.denominator)} ${oracle.noun})`;
  if (small) {
    const words = oracle.shape === 'rate'
      ? `${count(m.numerator ?? 0)} of ${count(m.denominator ?? 0)} ${oracle.noun}: too few for a reliable rate`
      : `${show(m.value)} ${by} ${count(m.denominator ?? 0)} ${oracle.noun}: too few for a reliable average`;
    return { value: null, sample: null, smallSample: words, trend, estimated: m.estimated };
  }
  return { value: show(m.value), sample, smallSample: null, trend, estimated: m.estimated };
}

async function shownTile(page: Page, key: string): Promise<TileText> {
  const tile = page.locator(`li[data-metric="${key}"]`);
  const text = async (selector: string) => {
    const part = tile.locator(selector);
    return (await part.count()) === 0 ? null : ((await part.textContent()) ?? '').trim();
  };
  return {
    value: await text('.tile-value'),
    sample: await text('.tile-sample'),
    smallSample: await text('.tile-small-sample'),
    trend: await text('.tile-trend'),
    estimated: (await text('.tile-estimated')) === 'Estimated, reconciled daily',
  };
}

const utcDay = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const utcMoment = (iso: string) => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const month = d.toLocaleDateString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${month} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
};
const statusWords: Record<string, string> = { completed: 'Completed', failed: 'Failed', abandoned: 'Abandoned', in_progress: 'In progress' };

function expectedRow(call: CallRow): string[] {
  const when = call.started_at ?? call.ended_at;
  return [when ? utcMoment(when) : '—', call.call_id, call.duration_ms === null ? '—' : durationWords(call.duration_ms), statusWords[call.status] ?? call.status, call.failure_reason ?? '—', exact(call.cost_micros)];
}

async function shownRows(page: Page): Promise<string[][]> {
  return page.locator('.calls-table tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => (cell.textContent ?? '').trim())));
}

describe('overview', () => {
  test('shows every tile as the overview it fetched says: figure, sample, trend in words, estimate, update time', async () => {
    const { page, overview } = await openOverview();
    expect(Object.keys(overview.metrics)).toHaveLength(10);
    for (const key of Object.keys(overview.metrics)) {
      expect({ key, ...(await shownTile(page, key)) }).toEqual({ key, ...expectedTile(key, overview) });
    }
    // Seeded: four ratings this month, too few for a reliable average; 60-odd calls, enough for rates.
    expect(overview.metrics.csat?.low_sample).toBe(true);
    expect(await page.locator('li[data-metric="csat"] .tile-small-sample').textContent()).toMatch(/from 4 ratings: too few for a reliable average$/);

    const asOf = new Date(overview.as_of);
    const clock = `${String(asOf.getUTCHours()).padStart(2, '0')}:${String(asOf.getUTCMinutes()).padStart(2, '0')} UTC`;
    expect(await page.locator('.updated time').textContent()).toBe(`Updated ${clock}`);
    expect(await page.locator('.updated time').getAttribute('title')).toBe(utcMoment(overview.as_of));
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe(`${new Date(`${overview.month}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })} so far`);
    expect(await page.getByText('fresh ones are on their way').count()).toBe(0);
    await saveScreenshot(page, 'dashboard-overview-desktop');
    expect(await checkAccessibility(page)).toEqual([]);
  });

  test('explains each figure on hover and on keyboard focus, and Escape hides the explanation', async () => {
    const { page, overview } = await openOverview();
    const button = page.getByRole('button', { name: 'About Error rate' });
    const explanation = overview.metrics.error_rate?.explanation ?? '';
    // Screen readers read it with the button: it describes the button.
    const tip = page.locator(`#${await button.getAttribute('aria-describedby')}`);
    expect(await tip.getAttribute('role')).toBe('tooltip');
    expect(await tip.textContent()).toBe(explanation);
    expect(await tip.isVisible()).toBe(false);

    await button.hover();
    expect(await tip.isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    expect(await tip.isVisible()).toBe(false);

    await page.getByRole('button', { name: 'About Completion rate' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await hasFocus(button)).toBe(true);
    expect(await tip.textContent()).toBe(explanation);
    expect(await tip.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await tip.isVisible()).toBe(false);
    expect(await hasFocus(button)).toBe(true);
  });

  test('says when the figures are the last ones it has', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    await page.route('**/api/customer/overview', async (route) => {
      const answer = await route.fetch();
      await route.fulfill({ response: answer, json: { ...((await answer.json()) as Overview), stale: true } });
    });
    await page.goto(url('/dashboard'));
    await page.getByRole('status').getByText('Showing the last figures we have; fresh ones are on their way.').waitFor();
  });

  test('charts calls and billed cost per day for the 30 days fetched, with tooltips and a table of the same figures', async () => {
    const { page, usage } = await openOverview();
    expect(usage).toHaveLength(30);
    const callTotal = usage.reduce((sum, d) => sum + d.calls, 0);
    const [first, last] = [usage[0], usage.at(-1)];
    const callsChart = page.locator('.day-chart').first();
    const range = `${utcDay(first?.date ?? '')} to ${utcDay(last?.date ?? '')}`;
    expect(await callsChart.getAttribute('aria-label')).toBe(`Calls per day, ${range}: ${count(callTotal)} in total.`);
    const estimatedDays = usage.filter((d) => d.estimated).length;
    const costTotal = usage.reduce((sum, d) => sum + d.cost_micros, 0);
    const pending = estimatedDays === 0 ? 'every day reconciled' : `${estimatedDays} ${estimatedDays === 1 ? 'day' : 'days'} still estimated`;
    expect(await page.locator('.day-chart').nth(1).getAttribute('aria-label')).toBe(`Billed cost per day, ${range}: ${cents(costTotal)} in total; ${pending}.`);

    // The newest day's bar: the plot area spans the 30 days, one slot each.
    const hoverNewestDay = async (chart: typeof callsChart): Promise<string[]> => {
      const plot = chart.locator('.u-over');
      await plot.scrollIntoViewIfNeeded();
      const box = await plot.boundingBox();
      if (!box) throw new Error('the chart has no plot area');
      await page.mouse.move(box.x + box.width * (29.5 / 30), box.y + box.height / 2);
      const tip = chart.locator('.chart-tip');
      await tip.waitFor();
      return (await tip.innerText()).split('\n');
    };
    if (!last) throw new Error('no days');
    expect(await hoverNewestDay(callsChart)).toEqual([utcDay(last.date), `Calls: ${count(last.calls)} ${last.calls === 1 ? 'call' : 'calls'}`]);
    expect(await hoverNewestDay(page.locator('.day-chart').nth(1))).toEqual([
      utcDay(last.date),
      `${last.estimated ? 'Estimated, reconciled daily' : 'Reconciled'}: ${cents(last.cost_micros)}`,
    ]);

    await page.getByText('Show the daily figures as a table').click();
    const rows = await page.locator('.day-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toEqual(
      [...usage].reverse().map((d) => [utcDay(d.date), count(d.calls), cents(d.cost_micros), d.estimated ? 'Estimated, reconciled daily' : d.calls === 0 && d.cost_micros === 0 ? 'No calls' : 'Reconciled']),
    );
  });
});

describe('calls', () => {
  async function openCalls(path = '/dashboard/calls', viewport = desktop): Promise<{ page: Page; first: CallPage }> {
    const page = await openPage(viewport);
    await signIn(page, await customerToken(acme));
    const answer = answerTo(page, '/api/customer/calls');
    await page.goto(url(path));
    const first = (await (await answer).json()) as CallPage;
    await page.locator('.calls-table tbody tr').first().waitFor();
    return { page, first };
  }

  test('lists only the customer own calls, as the API answers them, and pages by cursor', async () => {
    const { page, first } = await openCalls();
    expect(await shownRows(page)).toEqual(first.data.map(expectedRow));
    expect(first.data).toHaveLength(50);
    expect(first.data[0]?.call_id).toBe('acme-call-live');

    const nextAnswer = answerTo(page, '/api/customer/calls');
    await page.getByRole('button', { name: 'Next page' }).click();
    const second = (await (await nextAnswer).json()) as CallPage;
    await page.getByText('Page 2', { exact: true }).waitFor();
    expect(await shownRows(page)).toEqual(second.data.map(expectedRow));
    expect(second.has_more).toBe(false);
    expect(await page.getByRole('button', { name: 'Next page' }).getAttribute('aria-disabled')).toBe('true');

    // Both pages together are exactly acme's seeded calls, none of globex's.
    const shown = [...first.data, ...second.data].map((c) => c.call_id).sort();
    expect(shown).toEqual(acmeCalls.map((c) => c.callId).sort());
    expect(shown.some((id) => globexCalls.some((c) => c.callId === id))).toBe(false);

    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1', { exact: true }).waitFor();
    expect(await shownRows(page)).toEqual(first.data.map(expectedRow));
    await saveScreenshot(page, 'dashboard-calls-desktop');
    expect(await checkAccessibility(page)).toEqual([]);
  });

  test('searches by call id, filters by status and days by keyboard alone, and keeps the filters in the URL', async () => {
    const { page } = await openCalls('/dashboard/calls');
    await page.getByLabel('Call ID contains').focus();
    await page.keyboard.insertText('acme-call-01');
    let answer = answerTo(page, '/api/customer/calls');
    await page.keyboard.press('Enter');
    let shown = (await (await answer).json()) as CallPage;
    await page.waitForURL(url('/dashboard/calls?q=acme-call-01'));
    // acme-call-010 to acme-call-019.
    expect(shown.data.map((c) => c.call_id)).toEqual(Array.from({ length: 10 }, (_, i) => `acme-call-01${i}`));
    await page.locator('.calls-table tbody tr').nth(9).waitFor();
    expect(await shownRows(page)).toEqual(shown.data.map(expectedRow));

    await page.getByLabel('Call ID contains').fill('');
    await page.getByLabel('Status').selectOption('failed');
    answer = answerTo(page, '/api/customer/calls');
    await page.getByRole('button', { name: 'Show calls' }).press('Enter');
    shown = (await (await answer).json()) as CallPage;
    await page.waitForURL(url('/dashboard/calls?status=failed'));
    // Every ninth call from the fifth failed: 4, 13, ..., 58.
    expect(shown.data.map((c) => c.call_id)).toEqual([4, 13, 22, 31, 40, 49, 58].map((i) => `acme-call-0${String(i).padStart(2, '0')}`));
    await page.locator('.calls-table tbody tr').nth(6).waitFor();
    expect(await shownRows(page)).toEqual(shown.data.map(expectedRow));
    expect(shown.data.every((c) => c.failure_reason !== null && !/tts|telephony|cartesia|twilio/i.test(c.failure_reason))).toBe(true);

    // One UTC day (the pinned zone is UTC): the calls that started on it.
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('From day').fill(day);
    await page.getByLabel('To day (included)').fill(day);
    answer = answerTo(page, '/api/customer/calls');
    await page.getByRole('button', { name: 'Show calls' }).press('Enter');
    shown = (await (await answer).json()) as CallPage;
    await page.waitForURL(url(`/dashboard/calls?from=${day}&to=${day}`));
    const startedThatDay = acmeCalls.filter((c) => c.startedAt.toISOString().slice(0, 10) === day).map((c) => c.callId);
    expect(startedThatDay.length).toBeGreaterThan(0);
    expect(shown.data.map((c) => c.call_id)).toEqual(startedThatDay);

    // The URL carries the view: a reload shows the same filter.
    await page.reload();
    await page.locator('.calls-table tbody tr').first().waitFor();
    expect(await page.getByLabel('From day').inputValue()).toBe(day);
    expect(await shownRows(page)).toEqual(shown.data.map(expectedRow));
  });

  test('downloads exactly the filtered calls as CSV', async () => {
    const { page } = await openCalls('/dashboard/calls?status=abandoned');
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href).toBe('/api/customer/calls.csv?status=abandoned');
    const csv = await page.request.get(url(href ?? ''));
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('call_id,started_at,ended_at,duration_ms,status,failure_reason,cost_micros');
    const ids = lines.slice(1).map((line) => line.split(',')[0]);
    expect(ids).toEqual((await shownRows(page)).map((row) => row[1]));
    expect(ids.length).toBe(acmeCalls.filter((c) => c.status === 'abandoned').length);
  });

  test('shows times in the browser own time zone, and in UTC on request, remembered on reload', async () => {
    const context = await browser.newContext({ viewport: desktop, locale: 'en-US', timezoneId: 'Asia/Kolkata', reducedMotion: 'reduce' });
    const page = await context.newPage();
    openPages.push(page);
    await signIn(page, await customerToken(acme));
    const answer = answerTo(page, '/api/customer/calls');
    await page.goto(url('/dashboard/calls'));
    const first = (await (await answer).json()) as CallPage;
    const started = first.data[1]?.started_at ?? '';
    const cell = page.locator('.calls-table tbody tr').nth(1).locator('time');
    const kolkata = new Date(new Date(started).getTime() + 330 * 60_000).toISOString();
    expect(await cell.textContent()).toBe(utcMoment(kolkata).replace(' UTC', ' GMT+5:30'));
    expect(await cell.getAttribute('title')).toBe(utcMoment(started));
    const zoneName = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await page.getByLabel('Times in').locator('option:checked').textContent()).toBe(`Your time zone (${zoneName})`);

    await page.getByLabel('Times in').selectOption('utc');
    await expect.poll(() => cell.textContent()).toBe(utcMoment(started));
    await page.reload();
    await page.locator('.calls-table tbody tr').nth(1).waitFor();
    expect(await page.locator('.calls-table tbody tr').nth(1).locator('time').textContent()).toBe(utcMoment(started));
  });
});

describe('invoices', () => {
  test('lists invoices newest first, opens one with its lines, marks an issued one and links its downloads', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    const listAnswer = answerTo(page, '/api/customer/invoices');
    await page.goto(url('/dashboard/invoices'));
    const list = ((await (await listAnswer).json()) as { data: Invoice[] }).data;
    const months = list.map((i) => i.month).sort().reverse();
    await page.locator('.invoice-list tbody tr').first().waitFor();
    const rows = await page.locator('.invoice-list tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    const byMonth = new Map(list.map((i) => [i.month, i]));
    const monthName = (m: string) => new Date(`${m}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const issuedOn = (iso: string) => new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    const badge = (i: Invoice) => (i.status === 'issued' ? `${i.final ? 'Final invoice, issued' : 'Issued'} ${issuedOn(i.issued_at ?? '')}` : 'Open');
    expect(rows).toEqual(months.map((m) => {
      const i = byMonth.get(m) as Invoice;
      return [monthName(m), badge(i), exact(i.total_micros), cents(i.amount_due_cents * 10_000)];
    }));
    const issued = byMonth.get(previousMonth);
    expect(issued?.status).toBe('issued');

    // Keyboard: the issued month's link, Enter, and focus lands on the invoice.
    await page.getByRole('link', { name: monthName(previousMonth) }).focus();
    const detailAnswer = answerTo(page, `/api/customer/invoices/${previousMonth}.json`);
    await page.keyboard.press('Enter');
    const invoice = (await (await detailAnswer).json()) as Invoice;
    await page.waitForURL(url(`/dashboard/invoices/${previousMonth}`));
    await page.getByRole('heading', { name: `Invoice for ${monthName(previousMonth)}` }).waitFor();
    const article = page.getByRole('article');
    expect(await article.locator('.badge').textContent()).toBe(badge(invoice));
    expect(await article.getByText('This invoice is issued and will not change.').count()).toBe(1);
    const lines = await article.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    expect(lines).toEqual(invoice.lines.map((l) => [l.description, `${count(l.quantity)} ${l.unit}`, exact(l.amount_micros)]));
    const totals = await article.locator('tfoot tr').evaluateAll((trs) => trs.map((tr) => (tr.querySelector('td')?.textContent ?? '').trim()));
    expect(totals).toEqual([exact(invoice.subtotal_micros), exact(invoice.adjustments_micros), exact(invoice.total_micros), cents(invoice.amount_due_cents * 10_000)]);

    for (const [name, suffix, type] of [['Download CSV', 'csv', 'text/csv'], ['Printable invoice', 'html', 'text/html']] as const) {
      const href = await article.getByRole('link', { name }).getAttribute('href');
      expect(href).toBe(`/api/customer/invoices/${previousMonth}.${suffix}`);
      const download = await page.request.get(url(href ?? ''));
      expect(download.status()).toBe(200);
      expect(download.headers()['content-type']).toContain(type);
    }
    await saveScreenshot(page, 'dashboard-invoice-desktop');
    expect(await checkAccessibility(page)).toEqual([]);

    // This month's open invoice carries the call that arrived after last month's was issued.
    const thisMonth = overviewMonth();
    const openAnswer = answerTo(page, `/api/customer/invoices/${thisMonth}.json`);
    await page.getByRole('link', { name: monthName(thisMonth) }).click();
    const open = (await (await openAnswer).json()) as Invoice;
    await page.getByRole('heading', { name: `Invoice for ${monthName(thisMonth)}` }).waitFor();
    expect(await page.getByRole('article').locator('.badge').textContent()).toBe('Open');
    const adjustment = open.lines.find((l) => l.kind === 'adjustment');
    expect(adjustment?.adjusts_month).toBe(previousMonth);
    expect(await page.locator('.invoice-lines tr.adjustment td').allTextContents()).toEqual([adjustment?.description, `${count(adjustment?.quantity ?? 0)} ${adjustment?.unit}`, exact(adjustment?.amount_micros ?? 0)]);
    expect(await page.locator('.invoice-lines tfoot tr').nth(1).locator('td').textContent()).toBe(exact(open.adjustments_micros));
  });

  test('says invoices are not available yet when the API does not serve them', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    await page.route('**/api/customer/invoices', (route) => route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'No route for GET /api/customer/invoices.', details: [] } } }));
    await page.goto(url('/dashboard/invoices'));
    await page.getByRole('status').getByText('Invoices are not available yet.').waitFor();
  });
});

describe('boundaries', () => {
  test('never shows provider names, token counts, markups or percentiles, on the page or in any JSON it fetched', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    const answers: Array<Promise<string>> = [];
    page.on('response', (response) => {
      if ((response.headers()['content-type'] ?? '').includes('application/json')) answers.push(response.text());
    });
    const texts: string[] = [];
    for (const path of ['/dashboard', '/dashboard/calls', '/dashboard/calls?status=failed', '/dashboard/invoices', `/dashboard/invoices/${previousMonth}`]) {
      await page.goto(url(path));
      await page.locator('.tile, .calls-table, article.invoice, .invoice-list').first().waitFor();
      await page.waitForLoadState('networkidle');
      if (path === '/dashboard') await page.getByText('Show the daily figures as a table').click();
      texts.push(await page.locator('body').innerText());
    }
    const bodies = await Promise.all(answers);
    expect(bodies.length).toBeGreaterThanOrEqual(8);
    const forbidden = [...Object.values(seededProviders), ...seededTokenCounts.flatMap((n) => [String(n), count(n)]), 'token', 'provider', 'markup', 'percentile', 'p95', 'p99', globex];
    for (const text of [...texts, ...bodies]) {
      const lower = text.toLowerCase();
      for (const word of forbidden) expect(lower, `found "${word}"`).not.toContain(word);
    }
  });

  test('a customer session cannot open the operator pages or API, nor ask for another customer', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    const opened = await page.goto(url('/ops'));
    expect(opened?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This page is not available to your account');
    expect((await page.request.get(url('/api/ops/live'))).status()).toBe(403);
    expect((await page.request.get(url(`/api/ops/calls?customer_id=${globex}`))).status()).toBe(403);
    // No customer endpoint takes a customer id: naming one is refused, not obeyed.
    const forged = await page.request.get(url(`/api/customer/calls?customer_id=${globex}`));
    expect(forged.status()).toBe(400);
    expect(await forged.text()).not.toContain('globex-call');

    // Globex, signed in on its own, sees its own calls and none of acme's.
    const theirs = await openPage();
    await signIn(theirs, await customerToken(globex));
    const answer = answerTo(theirs, '/api/customer/calls');
    await theirs.goto(url('/dashboard/calls'));
    const list = (await (await answer).json()) as CallPage;
    expect(list.data.map((c) => c.call_id).sort()).toEqual(globexCalls.map((c) => c.callId).sort());
    await theirs.locator('.calls-table tbody tr').first().waitFor();
    expect(await theirs.locator('body').innerText()).not.toContain('acme-call');
  });

  test('an operator view-session says whose dashboard it is, read-only, and who opened it', async () => {
    const page = await openPage();
    await signIn(page, await operatorToken());
    const opened = await page.request.post(url(`/api/ops/customers/${acme}/view-session`));
    expect(opened.status()).toBe(201);
    const overviewAnswer = answerTo(page, '/api/customer/overview');
    await page.goto(url('/dashboard'));
    const overview = (await (await overviewAnswer).json()) as Overview;
    const banner = page.getByRole('note', { name: 'Support view' });
    await banner.waitFor();
    expect(await banner.locator('strong').textContent()).toBe(`Viewing as ${acme} (read-only, opened by ${supportOperator})`);
    expect(await page.locator('li[data-metric="total_calls"] .tile-value').textContent()).toBe(count(overview.metrics.total_calls?.value ?? -1));
    // The 30-day charts draw after the tiles; the page must fit the phone once they have followed the resize.
    await page.locator('.chart-card .uplot').nth(1).waitFor();
    await page.setViewportSize(phone);
    await expect.poll(() => horizontalOverflow(page)).toBe(0);
    await saveScreenshot(page, 'dashboard-view-session-phone');
    expect(await checkAccessibility(page)).toEqual([]);
  });
});

describe('phone and keyboard', () => {
  test('every view fits 390 px without sideways scrolling and has no serious accessibility violations', async () => {
    const { page } = await openOverview(phone);
    expect(await horizontalOverflow(page)).toBe(0);
    await saveScreenshot(page, 'dashboard-overview-phone');
    expect(await checkAccessibility(page)).toEqual([]);
    for (const [name, path, ready] of [['calls', '/dashboard/calls', '.calls-table'], ['invoice', `/dashboard/invoices/${previousMonth}`, 'article.invoice']] as const) {
      await page.goto(url(path));
      await page.locator(ready).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await saveScreenshot(page, `dashboard-${name}-phone`);
      expect(await checkAccessibility(page)).toEqual([]);
    }
  });

  test('moves between views by keyboard, with focus on each new view heading', async () => {
    const { page } = await openOverview();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await hasFocus(page.getByRole('link', { name: 'Overview' }))).toBe(true);
    expect(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/dashboard/calls'));
    const heading = page.getByRole('heading', { name: 'Your calls' });
    await heading.waitFor();
    await expect.poll(() => hasFocus(heading)).toBe(true);
    expect(await page.title()).toBe('Calls · Dashboard · Switchboard');
    await page.goBack();
    await page.locator('.tile').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard');
  });
});

describe('delivery', () => {
  test('revalidates the page and its API answers by ETag, and serves hashed assets with their own validators', async () => {
    const page = await openPage();
    await signIn(page, await customerToken(acme));
    const assets: Array<{ url: string; cacheControl: string; etag: string }> = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/assets/')) assets.push({ url: response.url(), cacheControl: response.headers()['cache-control'] ?? '', etag: response.headers().etag ?? '' });
    });
    await page.goto(url('/dashboard'));
    await page.locator('.tile').first().waitFor();

    for (const path of ['/dashboard', '/api/customer/overview', '/api/customer/usage?days=30']) {
      const fresh = await page.request.get(url(path));
      expect(fresh.status()).toBe(200);
      expect(fresh.headers()['cache-control']).toMatch(/^private, no-cache$/);
      const tag = fresh.headers().etag ?? '';
      expect(tag).not.toBe('');
      const again = await page.request.get(url(path), { headers: { 'if-none-match': tag } });
      expect(again.status()).toBe(304);
    }

    const scripts = assets.filter((a) => a.url.endsWith('.js'));
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const script of scripts) {
      console.log(`asset ${new URL(script.url).pathname}: cache-control "${script.cacheControl}"`);
      expect(script.etag).not.toBe('');
      const again = await page.request.get(script.url, { headers: { 'if-none-match': script.etag } });
      expect(again.status()).toBe(304);
    }
  });

  test('reports the JavaScript size and the time to first figures from a cold cache', async () => {
    const html = await readFile(join(uiOutDir, 'dashboard.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
    let gzipBytes = 0;
    for (const file of files) gzipBytes += gzipSync(await readFile(join(uiOutDir, file)), { level: 9 }).length;

    const page = await openPage();
    await signIn(page, await customerToken(acme));
    await page.goto(url('/dashboard'));
    await page.locator('.tile').first().waitFor();
    // Entries read loosely: this file is typed for Node, the callback runs in the page.
    const timing = await page.evaluate(() => {
      type Entry = { name: string; entryType: string; startTime: number; domContentLoadedEventEnd?: number; transferSize?: number };
      const entries = performance.getEntries() as unknown as Entry[];
      const navigation = entries.find((e) => e.entryType === 'navigation');
      const figures = entries.find((e) => e.entryType === 'mark' && e.name === 'dashboard:first-figures');
      const scripts = entries.filter((e) => e.entryType === 'resource' && e.name.includes('/assets/') && e.name.endsWith('.js'));
      return {
        firstFiguresMs: figures?.startTime ?? null,
        domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? 0,
        scriptTransferBytes: scripts.reduce((sum, e) => sum + (e.transferSize ?? 0), 0),
        scripts: scripts.length,
      };
    });
    console.log(`/dashboard JavaScript: ${(gzipBytes / 1000).toFixed(1)} KB gzipped in ${files.length} files before any other view is opened (${files.join(', ')})`);
    console.log(`/dashboard cold cache: first figures ${timing.firstFiguresMs?.toFixed(0)} ms after navigation start, DOMContentLoaded ${timing.domContentLoadedMs.toFixed(0)} ms, ${timing.scripts} scripts, ${(timing.scriptTransferBytes / 1000).toFixed(1)} KB transferred`);
    expect(timing.firstFiguresMs).not.toBeNull();
  });
});
