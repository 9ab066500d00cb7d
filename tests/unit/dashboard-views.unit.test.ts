// The customer dashboard's view models with a fake API: routes, call filters as URL and API
// query, cursor paging, invoices that are not served yet, and failures kept apart.
import { signal } from '@preact/signals';
import { describe, expect, test } from 'vitest';
import { callsQuery, dayStart, filtersSearch, parseCallFilters } from '../../ui/dashboard/calls/call-filters.ts';
import { CallsModel } from '../../ui/dashboard/calls/model.ts';
import { InvoicesModel } from '../../ui/dashboard/invoices/model.ts';
import { OverviewModel } from '../../ui/dashboard/overview/model.ts';
import { parseRoute } from '../../ui/dashboard/router.ts';
import type { CallPage, Invoice, InvoiceList, Overview, UsageDay } from '../../ui/dashboard/wire.ts';
import type { ApiError, ApiResult } from '../../ui/shared/api.ts';

const notFound: ApiError = { code: 'not_found', message: 'No route for GET /api/customer/invoices.', details: [], status: 404 };
const unavailable: ApiError = { code: 'service_unavailable', message: 'Your figures have not been computed yet.', details: [], status: 503 };
const ok = <T>(data: T): ApiResult<T> => ({ ok: true, status: 200, data });
const failed = <T>(error: ApiError): ApiResult<T> => ({ ok: false, error });

/** Resolves once pending promise callbacks (the models' fetches) have run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('routes', () => {
  test.each([
    ['/dashboard', { view: 'overview' }],
    ['/dashboard/', { view: 'overview' }],
    ['/dashboard/calls', { view: 'calls' }],
    ['/dashboard/invoices', { view: 'invoices', month: null }],
    ['/dashboard/invoices/2026-11', { view: 'invoices', month: '2026-11' }],
    ['/dashboard/invoices/2026-13', { view: 'not_found' }],
    ['/dashboard/tokens', { view: 'not_found' }],
  ])('%s opens %o', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });
});

describe('call filters', () => {
  test('read from the page URL, dropping what no form could have sent', () => {
    expect(parseCallFilters('?q=%20acme-01%20&status=failed&from=2026-11-02&to=yesterday')).toEqual({ q: 'acme-01', status: 'failed', from: '2026-11-02', to: '' });
    expect(parseCallFilters('?status=stale')).toEqual({ q: '', status: '', from: '', to: '' });
  });

  test('written back to the URL without empty fields', () => {
    expect(filtersSearch({ q: 'x y', status: '', from: '2026-11-02', to: '' })).toBe('?q=x+y&from=2026-11-02');
    expect(filtersSearch({ q: '', status: '', from: '', to: '' })).toBe('');
  });

  test('whole days become UTC instants, the last day included', () => {
    expect(dayStart('2026-11-30', 'utc')).toBe('2026-11-30T00:00:00.000Z');
    expect(dayStart('2026-11-30', 'utc', 1)).toBe('2026-12-01T00:00:00.000Z');
    expect(callsQuery({ q: 'acme', status: 'abandoned', from: '2026-11-02', to: '2026-11-03' }, 'utc').toString()).toBe(
      'q=acme&status=abandoned&from=2026-11-02T00%3A00%3A00.000Z&to=2026-11-04T00%3A00%3A00.000Z',
    );
  });
});

function callPage(ids: string[], next: string | null): CallPage {
  return {
    data: ids.map((call_id) => ({ call_id, started_at: '2026-11-24T14:00:00.000Z', ended_at: '2026-11-24T14:01:00.000Z', duration_ms: 60_000, status: 'completed', failure_reason: null, cost_micros: 1_000 })),
    has_more: next !== null,
    next_cursor: next,
  };
}

describe('call list', () => {
  test('pages forward by cursor and back through the cursors that led there', async () => {
    const pages: Record<string, CallPage> = { first: callPage(['c1', 'c2'], 'k2'), k2: callPage(['c3', 'c4'], 'k3'), k3: callPage(['c5'], null) };
    const asked: string[] = [];
    const model = new CallsModel({
      api: {
        calls: async (query) => {
          asked.push(query.toString());
          return ok(pages[query.get('cursor') ?? 'first'] ?? callPage([], null));
        },
      },
      search: signal('?status=completed'),
      timeZone: signal('utc'),
      navigate: () => {},
    });
    await settle();
    expect(model.page.value?.data.map((c) => c.call_id)).toEqual(['c1', 'c2']);
    expect(model.hasPrevious.value).toBe(false);
    model.next();
    await settle();
    model.next();
    await settle();
    expect(model.page.value?.data.map((c) => c.call_id)).toEqual(['c5']);
    expect(model.pageNumber.value).toBe(3);
    expect(model.hasNext.value).toBe(false);
    model.previous();
    await settle();
    expect(model.page.value?.data.map((c) => c.call_id)).toEqual(['c3', 'c4']);
    model.previous();
    await settle();
    expect(model.pageNumber.value).toBe(1);
    expect(asked).toEqual(['status=completed&limit=50', 'status=completed&limit=50&cursor=k2', 'status=completed&limit=50&cursor=k3', 'status=completed&limit=50&cursor=k2', 'status=completed&limit=50']);
    expect(model.csvHref.value).toBe('/api/customer/calls.csv?status=completed');
  });

  test('new filters start again from the first page, and apply writes them to the URL', async () => {
    const search = signal('');
    const visited: string[] = [];
    const model = new CallsModel({
      api: { calls: async (query) => ok(query.get('cursor') ? callPage(['c3'], null) : callPage(['c1'], 'k2')) },
      search,
      timeZone: signal('utc'),
      navigate: (url) => visited.push(url),
    });
    await settle();
    model.next();
    await settle();
    expect(model.pageNumber.value).toBe(2);
    model.apply({ q: 'c', status: 'failed', from: '', to: '' });
    expect(visited).toEqual(['/dashboard/calls?q=c&status=failed']);
    search.value = '?q=c&status=failed';
    await settle();
    expect(model.pageNumber.value).toBe(1);
    expect(model.filtered.value).toBe(true);
  });
});

describe('invoices', () => {
  const invoice: Invoice = { month: '2026-10', status: 'issued', final: false, calls: 3, issued_at: '2026-11-02T00:00:00.000Z', lines: [], subtotal_micros: 10, adjustments_micros: 0, total_micros: 10, amount_due_cents: 0 };

  test('a 404 from the list means invoices are not available yet', async () => {
    const model = new InvoicesModel({ api: { invoices: async () => failed<InvoiceList>(notFound), invoice: async () => failed<Invoice>(notFound) }, month: signal(null) });
    await settle();
    expect(model.unavailable.value).toBe(true);
  });

  test('lists newest first and loads the month the URL names', async () => {
    const month = signal<string | null>(null);
    const older = { ...invoice, month: '2026-09' };
    const model = new InvoicesModel({ api: { invoices: async () => ok({ data: [older, invoice] }), invoice: async (m) => ok({ ...invoice, month: m }) }, month });
    await settle();
    expect(model.list.value?.map((i) => i.month)).toEqual(['2026-10', '2026-09']);
    expect(model.invoice.value).toBeNull();
    month.value = '2026-09';
    await settle();
    expect(model.invoice.value?.month).toBe('2026-09');
    expect(model.unavailable.value).toBe(false);
  });
});

test('the overview shows this month while the 30 days are still on their way', async () => {
  const figures = { as_of: '2026-11-24T14:00:00.000Z', month: '2026-11', stale: false, metrics: {} } as unknown as Overview;
  let answerDays: (days: ApiResult<UsageDay[]>) => void = () => {};
  const model = new OverviewModel({ api: { overview: async () => ok(figures), usage: () => new Promise((resolve) => (answerDays = resolve)) } });
  await settle();
  expect(model.overview.value).toEqual(figures);
  expect(model.usage.value).toBeNull();
  expect(model.loading.value).toBe(true);
  answerDays(ok([]));
  await settle();
  expect(model.usage.value).toEqual([]);
  expect(model.loading.value).toBe(false);
});

test('the overview keeps the daily figures when this month cannot be loaded', async () => {
  const usage: UsageDay[] = [{ date: '2026-11-24', calls: 2, cost_micros: 30, estimated: true }];
  const model = new OverviewModel({ api: { overview: async () => failed<Overview>(unavailable), usage: async () => ok(usage) } });
  await settle();
  expect(model.overviewError.value).toEqual(unavailable);
  expect(model.usage.value).toEqual(usage);
  expect(model.tiles.value).toEqual([]);
});
