// The operator pages' signal models with a scripted API and fake time: polling, connection loss,
// URL-held choices, sorting, acknowledging, and the call list's cursor paging.
import { signal } from '@preact/signals';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ApiError, ApiResult } from '../../ui/shared/api.ts';
import { CallsModel } from '../../ui/ops/calls/model.ts';
import type { OpsApi, SeriesRequest } from '../../ui/ops/ops-api.ts';
import { estimateClockSkew, OverviewModel, sortCustomers } from '../../ui/ops/overview/model.ts';
import type { Timers } from '../../ui/ops/poll.ts';
import type { Alert, CallListPage, CustomerLiveRow, LiveView, SeriesResponse } from '../../ui/ops/wire.ts';

const timers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms) as unknown as number,
  clearTimeout: (id) => clearTimeout(id),
};

const start = Date.parse('2026-11-24T14:00:04.000Z');

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});

afterEach(() => {
  vi.useRealTimers();
});

const rate = (numerator: number, denominator: number) => ({ value: denominator === 0 ? null : numerator / denominator, numerator, denominator });
const quantiles = (p50: number, p95: number, p99: number) => ({ p50, p95, p99 });

function customer(id: string, overrides: Partial<CustomerLiveRow> = {}): CustomerLiveRow {
  return {
    customer_id: id,
    as_of: '2026-11-24T14:00:00.000Z',
    active_calls: 1,
    calls_per_hour: 10,
    cost_per_hour_micros: 100,
    provider_cost_per_hour_micros: 50,
    success_rate: rate(1, 1),
    error_rate: rate(0, 1),
    p95_e2e_ms: 800,
    load_ratio: 1,
    noisy: false,
    normal_calls_per_hour: 10,
    flags: [],
    ...overrides,
  };
}

function liveView(asOf: string, overrides: Partial<LiveView['platform']> = {}): LiveView {
  return {
    as_of: asOf,
    window_s: 300,
    region: null,
    platform: {
      active_calls: 12,
      call_attempts_per_minute: 7,
      calls_per_hour: 433,
      ended_calls: 433,
      cost_per_hour_micros: 1_000_000,
      provider_cost_per_hour_micros: 500_000,
      provider_cost_per_hour_by_component_micros: {},
      success_rate: rate(421, 433),
      error_rate: rate(26, 433),
      completion_rate: rate(430, 433),
      escalation_rate: rate(9, 433),
      interruption_rate: rate(3, 433),
      task_success_rate: rate(300, 400),
      tool_failure_rate: rate(2, 120),
      csat: 4.5,
      e2e_ms: quantiles(620, 1_408, 2_019),
      stt_ms: quantiles(150, 220, 300),
      llm_ms: quantiles(400, 900, 1_200),
      tts_ms: quantiles(100, 180, 250),
      ttfa_ms: quantiles(700, 950, 1_100),
      ...overrides,
    },
    providers: [
      { kind: 'stt', provider: null, success_rate: rate(99, 100), latency_ms: quantiles(150, 220, 300) },
      { kind: 'stt', provider: 'deepgram', success_rate: rate(99, 100), latency_ms: quantiles(150, 220, 300) },
      { kind: 'tts', provider: null, success_rate: rate(40, 100), latency_ms: quantiles(100, 180, 250) },
    ],
    customers: [customer('acme', { load_ratio: 0.5 }), customer('globex', { load_ratio: 3.1, noisy: true })],
  };
}

const networkError: ApiError = { code: 'network_error', message: 'Could not reach Switchboard.', details: [], status: 0 };
const sessionEnded: ApiError = { code: 'unauthorized', message: 'Sign in again.', details: [], status: 401 };

function ok<T>(data: T): ApiResult<T> {
  return { ok: true, status: 200, data };
}

/** Points as the API steps them: 10 s inside the live hour, hours beyond. */
function seriesFor(request: SeriesRequest): SeriesResponse {
  const stepMs = request.toMs - request.fromMs <= 3_600_000 ? 10_000 : 3_600_000;
  const t: string[] = [];
  for (let ms = Math.ceil(request.fromMs / stepMs) * stepMs; ms < request.toMs; ms += stepMs) t.push(new Date(ms).toISOString());
  return { metric: request.metric, region: request.region, resolution_s: stepMs / 1000, source: stepMs === 10_000 ? 'live' : 'stored', t, values: t.map(() => 1) };
}

function overviewWith(answers: { live?: Array<ApiResult<LiveView>>; alerts?: Alert[]; feed?: () => Promise<ApiResult<{ data: Alert[] }>>; search?: string }) {
  const liveAnswers = [...(answers.live ?? [])];
  const search = signal(answers.search ?? '');
  const api = {
    live: vi.fn(async (_region: string | null) => liveAnswers.shift() ?? ok(liveView(new Date(Math.floor(Date.now() / 10_000) * 10_000).toISOString()))),
    series: vi.fn(async (request: SeriesRequest) => ok(seriesFor(request))),
    alerts: vi.fn(answers.feed ?? (async () => ok({ data: answers.alerts ?? [] }))),
    acknowledgeAlert: vi.fn(async (_id: string) => ok({})),
    alertTargets: vi.fn(async () => ok({ data: [{ id: 't1', kind: 'pagerduty' as const, name: 'PagerDuty on-call' }] })),
  } satisfies Pick<OpsApi, 'live' | 'series' | 'alerts' | 'acknowledgeAlert' | 'alertTargets'>;
  const model = new OverviewModel({ api, search, setSearch: (next) => (search.value = next), now: () => Date.now(), timers });
  return { model, api, search };
}

describe('operator overview model', () => {
  test('shows the live view it fetched and asks again every 5 seconds', async () => {
    const view = liveView('2026-11-24T14:00:00.000Z');
    const { model, api } = overviewWith({ live: [ok(view)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.live.value).toEqual(view);
    expect(model.connection.value).toBe('live');
    expect(api.live).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.live).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.live).toHaveBeenCalledTimes(4);
    model[Symbol.dispose]();
  });

  test('shows the live view while the alert feed is still on its way, then the feed', async () => {
    const view = liveView('2026-11-24T14:00:00.000Z');
    let answerFeed: (feed: ApiResult<{ data: Alert[] }>) => void = () => {};
    const { model, api } = overviewWith({ live: [ok(view)], feed: () => new Promise((resolve) => (answerFeed = resolve)) });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.live.value).toEqual(view);
    expect(model.connection.value).toBe('live');
    expect(model.alerts.value).toEqual([]);
    // The next poll waits for the whole of this one: polls never overlap.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.live).toHaveBeenCalledTimes(1);
    const alert = { id: 'a1', status: 'triggered' } as Alert;
    answerFeed(ok({ data: [alert] }));
    await vi.advanceTimersByTimeAsync(0);
    expect(model.alerts.value).toEqual([alert]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.live).toHaveBeenCalledTimes(2);
    model[Symbol.dispose]();
  });

  test('says how old as_of is, by the server clock', async () => {
    const { model } = overviewWith({ live: [ok(liveView('2026-11-24T14:00:00.000Z'))] });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.ageMs.value).toBe(4_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(model.ageMs.value).toBe(7_000);
    model[Symbol.dispose]();
  });

  test('a browser clock that is off by minutes is corrected, one that agrees is left alone', () => {
    expect(estimateClockSkew(Date.parse('2026-11-24T14:00:04.000Z'), Date.parse('2026-11-24T14:00:00.000Z'))).toBe(0);
    expect(estimateClockSkew(Date.parse('2026-11-24T14:03:04.000Z'), Date.parse('2026-11-24T14:00:00.000Z'))).toBe(181_500);
    expect(estimateClockSkew(Date.parse('2026-11-24T13:58:00.000Z'), Date.parse('2026-11-24T14:00:00.000Z'))).toBe(-122_500);
  });

  test('keeps the last values when a poll fails, says the connection is lost, and recovers on the next poll', async () => {
    const first = liveView('2026-11-24T14:00:00.000Z');
    const later = liveView('2026-11-24T14:00:10.000Z', { active_calls: 13 });
    const { model } = overviewWith({ live: [ok(first), { ok: false, error: networkError }, ok(later)] });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(model.connection.value).toBe('lost');
    expect(model.stale.value).toBe(true);
    expect(model.live.value).toEqual(first);
    expect(model.lastError.value).toEqual(networkError);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(model.connection.value).toBe('live');
    expect(model.live.value?.platform.active_calls).toBe(13);
    model[Symbol.dispose]();
  });

  test('an ended session (401) is told apart from a lost connection', async () => {
    const { model } = overviewWith({ live: [{ ok: false, error: sessionEnded }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.connection.value).toBe('signed_out');
    model[Symbol.dispose]();
  });

  test('the region in the URL goes to the API; choosing another writes the URL and fetches again', async () => {
    const { model, api, search } = overviewWith({ search: '?region=eu&range=24h' });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.region.value).toBe('eu');
    expect(model.range.value).toBe('24h');
    expect(api.live).toHaveBeenLastCalledWith('eu', expect.anything());
    model.setRegion('us');
    expect(search.value).toBe('?region=us&range=24h');
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).toHaveBeenLastCalledWith('us', expect.anything());
    model.setRegion(null);
    model.setRange('live');
    expect(search.value).toBe('');
    model[Symbol.dispose]();
  });

  test('a fixed range loads its window once; the live hour asks only for points it does not have yet', async () => {
    const { model, api } = overviewWith({ search: '?range=7d' });
    await vi.advanceTimersByTimeAsync(0);
    const weekRequests = api.series.mock.calls.map(([request]) => request).filter((request) => request.toMs - request.fromMs > 3_600_000);
    expect(weekRequests.map((request) => request.metric).sort()).toEqual(
      ['calls_started', 'cost_micros', 'e2e_p95_ms', 'llm_p95_ms', 'provider_cost_micros', 'stt_p95_ms', 'ttfa_p95_ms', 'tts_p95_ms'].sort(),
    );
    expect(weekRequests.every((request) => request.toMs - request.fromMs === 7 * 24 * 3_600_000)).toBe(true);
    expect(model.rangeLoading.value).toBe(false);

    api.series.mockClear();
    await vi.advanceTimersByTimeAsync(10_000);
    const refresh = api.series.mock.calls.map(([request]) => request);
    // Sparklines only (the charts show the fixed week), each from 30 s before its last point.
    expect(refresh.map((request) => request.metric).sort()).toEqual(['e2e_p95_ms', 'error_rate', 'escalation_rate', 'success_rate', 'tool_failure_rate']);
    const lastPoint = Math.floor((start - 1) / 10_000) * 10_000;
    expect(refresh.every((request) => request.fromMs === lastPoint - 30_000)).toBe(true);
    model[Symbol.dispose]();
  });

  test('tiles carry sample sizes and judgements; the kind entries feed the provider tiles', async () => {
    const { model } = overviewWith({ live: [ok(liveView('2026-11-24T14:00:00.000Z'))] });
    await vi.advanceTimersByTimeAsync(0);
    const tiles = Object.fromEntries(model.tiles.value.map((tile) => [tile.id, tile]));
    expect(tiles.success_rate).toMatchObject({ value: '97.2%', detail: '(421/433 calls)' });
    expect(tiles.success_rate?.judgement?.tone).toBe('good');
    expect(tiles.error_rate).toMatchObject({ value: '6.0%', detail: '(26/433 calls)' });
    expect(tiles.error_rate?.judgement?.tone).toBe('bad');
    expect(tiles.e2e_p95).toMatchObject({ value: '1,408 ms', detail: 'P50 620 ms · P99 2,019 ms' });
    expect(tiles.stt_success).toMatchObject({ value: '99.0%', detail: '(99/100 requests)' });
    expect(tiles.tts_success?.judgement?.tone).toBe('bad');
    expect(tiles.llm_success).toMatchObject({ value: '—', detail: '(0/0 requests)' });
    expect(model.tiles.value).toHaveLength(9);
    model[Symbol.dispose]();
  });

  test('customers come busiest first; a column sorts largest first, again smallest first', async () => {
    const { model } = overviewWith({});
    await vi.advanceTimersByTimeAsync(0);
    expect(model.customers.value.map((row) => row.customer_id)).toEqual(['globex', 'acme']);
    model.sortCustomersBy('customer_id');
    expect(model.customers.value.map((row) => row.customer_id)).toEqual(['acme', 'globex']);
    model.sortCustomersBy('customer_id');
    expect(model.customers.value.map((row) => row.customer_id)).toEqual(['globex', 'acme']);
    const rows = [customer('a', { p95_e2e_ms: null }), customer('b', { p95_e2e_ms: 900 }), customer('c', { p95_e2e_ms: 900 })];
    expect(sortCustomers(rows, 'p95_e2e_ms', true).map((row) => row.customer_id)).toEqual(['b', 'c', 'a']);
    model[Symbol.dispose]();
  });

  test('acknowledging an alert shows it acknowledged at once and refreshes the feed', async () => {
    const open: Alert = {
      id: 'al_1',
      dedup_key: 'platform:error_rate',
      rule: 'error_rate',
      severity: 'warning',
      status: 'triggered',
      subject: {},
      summary: 'Platform error rate 6.0%',
      value: 0.06,
      threshold: 0.05,
      links: [],
      condition_since: '2026-11-24T13:58:00.000Z',
      triggered_at: '2026-11-24T13:59:00.000Z',
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      silenced_until: null,
      deliveries: [],
    };
    const { model, api } = overviewWith({ alerts: [open] });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.openAlerts.value).toHaveLength(1);
    expect(model.targetNames.value).toEqual({ t1: 'PagerDuty on-call' });
    const polls = api.alerts.mock.calls.length;
    await model.acknowledge('al_1');
    expect(api.acknowledgeAlert).toHaveBeenCalledWith('al_1');
    expect(model.alerts.value[0]?.status).toBe('acknowledged');
    expect(api.alerts.mock.calls.length).toBe(polls + 1);
    model[Symbol.dispose]();
  });

  test('stops polling once disposed', async () => {
    const { model, api } = overviewWith({});
    await vi.advanceTimersByTimeAsync(0);
    model[Symbol.dispose]();
    const calls = api.live.mock.calls.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.live.mock.calls.length).toBe(calls);
  });
});

describe('call list model', () => {
  function page(ids: string[], next: string | null): CallListPage {
    return {
      data: ids.map((id) => ({
        customer_id: 'acme',
        call_id: id,
        started_at: null,
        ended_at: null,
        status: 'completed',
        duration_ms: null,
        latency_ms: null,
        cost_micros: 0,
        provider_cost_micros: 0,
        region: null,
        from: null,
        to: null,
        agent_id: null,
        agent_version: null,
        providers: { stt: null, llm: null, tts: null, telephony: null },
        has_error: false,
        error_count: 0,
        turn_count: 0,
      })),
      has_more: next !== null,
      next_cursor: next,
    };
  }

  function listWith(pages: Record<string, ApiResult<CallListPage> | Array<ApiResult<CallListPage>>>, initialSearch = '?status=failed') {
    const search = signal(initialSearch);
    const visited: string[] = [];
    const calls = vi.fn(async (query: URLSearchParams) => {
      const answer = pages[query.get('cursor') ?? 'first'];
      const next = Array.isArray(answer) ? answer.shift() : answer;
      return next ?? ok(page([], null));
    });
    const model = new CallsModel({ api: { calls }, search, navigate: (url) => visited.push(url) });
    return { model, calls, search, visited };
  }

  test('reads its filters from the URL and asks for the first page with them', async () => {
    const { model, calls } = listWith({ first: ok(page(['c1', 'c2'], 'cur-2')) }, '?status=failed&sort=latency_ms&limit=25');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.mock.calls[0]?.[0].toString()).toBe('status=failed&sort=-latency_ms&limit=25');
    expect(model.page.value?.data.map((row) => row.call_id)).toEqual(['c1', 'c2']);
    expect(model.csvHref.value).toBe('/api/ops/calls.csv?status=failed&sort=-latency_ms');
    expect(model.listSearch.value).toBe('status=failed&sort=-latency_ms&limit=25');
  });

  test('Next follows next_cursor and Previous goes back through the cursors that led here', async () => {
    const { model, calls } = listWith({ first: ok(page(['c1'], 'cur-2')), 'cur-2': ok(page(['c2'], 'cur-3')), 'cur-3': ok(page(['c3'], null)) });
    await vi.advanceTimersByTimeAsync(0);
    model.next();
    await vi.advanceTimersByTimeAsync(0);
    model.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.page.value?.data[0]?.call_id).toBe('c3');
    expect(model.pageNumber.value).toBe(3);
    expect(model.hasNext.value).toBe(false);
    model.previous();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.page.value?.data[0]?.call_id).toBe('c2');
    model.previous();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.page.value?.data[0]?.call_id).toBe('c1');
    expect(model.hasPrevious.value).toBe(false);
    expect(calls.mock.calls.map(([query]) => query.get('cursor'))).toEqual([null, 'cur-2', 'cur-3', 'cur-2', null]);
  });

  test('a page that fails leaves the stack where it was, and Try again asks for that page again', async () => {
    const { model, calls } = listWith({ first: ok(page(['c1'], 'cur-2')), 'cur-2': [{ ok: false, error: networkError }, ok(page(['c2'], null))] });
    await vi.advanceTimersByTimeAsync(0);
    model.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.error.value).toEqual(networkError);
    expect(model.pageNumber.value).toBe(1);
    model.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(model.page.value?.data[0]?.call_id).toBe('c2');
    expect(model.pageNumber.value).toBe(2);
    expect(calls.mock.calls.map(([query]) => query.get('cursor'))).toEqual([null, 'cur-2', 'cur-2']);
  });

  test('new filters in the URL start again from the first page; validation details are kept per field', async () => {
    const invalid: ApiError = { code: 'validation_failed', message: 'The query is not valid.', details: [{ path: 'phone', message: 'must be E.164' }], status: 400 };
    const { model, search } = listWith({ first: [ok(page(['c1'], 'cur-2')), { ok: false, error: invalid }], 'cur-2': ok(page(['c2'], null)) });
    await vi.advanceTimersByTimeAsync(0);
    model.next();
    await vi.advanceTimersByTimeAsync(0);
    search.value = '?phone=12';
    await vi.advanceTimersByTimeAsync(0);
    expect(model.pageNumber.value).toBe(1);
    expect(model.fieldErrors.value).toEqual({ phone: 'must be E.164' });
  });

  test('applying filters navigates to the list with their query string', () => {
    const { model, visited } = listWith({});
    model.apply({ ...model.filters.value, customer_id: 'acme', status: [] });
    model.clear();
    expect(visited).toEqual(['/ops/calls?customer_id=acme', '/ops/calls']);
  });
});
