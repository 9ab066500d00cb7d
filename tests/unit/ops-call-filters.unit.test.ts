// The call list's query string, the drill-down windows that produce it, and routes inside /ops.
import { expect, test } from 'vitest';
import {
  callDetailPath,
  callsCsvPath,
  filterQuery,
  isoToLocalInput,
  localInputToIso,
  pageQuery,
  parseCallFilters,
} from '../../ui/ops/call-filters.ts';
import { drillDownHref, wholeSeconds } from '../../ui/ops/drill-down.ts';
import { openOutage, providerStatusPage } from '../../ui/ops/provider-status.ts';
import { parseRoute } from '../../ui/ops/router.ts';
import type { Alert } from '../../ui/ops/wire.ts';

test('every filter survives a trip through the query string', () => {
  const search =
    '?from=2026-11-24T14%3A00%3A00.000Z&to=2026-11-24T15%3A00%3A00.000Z&customer_id=acme&phone=%2B14155550123' +
    '&min_latency_ms=1500&region=eu&provider=cartesia&kind=tts&has_error=true&status=failed,stale&sort=-latency_ms&limit=100';
  const filters = parseCallFilters(search);
  expect(filters).toEqual({
    from: '2026-11-24T14:00:00.000Z',
    to: '2026-11-24T15:00:00.000Z',
    customer_id: 'acme',
    phone: '+14155550123',
    min_latency_ms: '1500',
    region: 'eu',
    provider: 'cartesia',
    kind: 'tts',
    has_error: 'true',
    status: ['failed', 'stale'],
    sort: '-latency_ms',
    limit: 100,
  });
  expect(parseCallFilters(`?${pageQuery(filters).toString()}`)).toEqual(filters);
});

test('repeated statuses and unsigned sort names read as the API reads them; unknown choices fall back', () => {
  const filters = parseCallFilters('?status=failed&status=in_progress&status=failed&sort=cost_micros&limit=7&kind=video');
  expect(filters.status).toEqual(['failed', 'in_progress']);
  expect(filters.sort).toBe('-cost_micros');
  expect(filters.limit).toBe(50);
  expect(filters.kind).toBe('');
});

test('defaults stay out of the URL, and the CSV link carries the filters without paging', () => {
  expect(pageQuery(parseCallFilters('?sort=-started_at&limit=50')).toString()).toBe('');
  const filters = parseCallFilters('?customer_id=acme&limit=200&sort=-cost_micros');
  expect(pageQuery(filters).toString()).toBe('customer_id=acme&sort=-cost_micros&limit=200');
  expect(callsCsvPath(filters)).toBe('/api/ops/calls.csv?customer_id=acme&sort=-cost_micros');
  expect(filterQuery(filters).has('limit')).toBe(false);
});

test("a call's page keeps the list's query string for its way back, ids encoded", () => {
  expect(callDetailPath('acme', 'call/7', 'status=failed&sort=-latency_ms')).toBe('/ops/calls/acme/call%2F7?status=failed&sort=-latency_ms');
  expect(callDetailPath('acme', 'c1', '')).toBe('/ops/calls/acme/c1');
});

test('datetime-local inputs round-trip whole-second UTC timestamps exactly', () => {
  const iso = '2026-11-24T14:03:07.000Z';
  expect(isoToLocalInput(iso)).toBe('2026-11-24T14:03:07');
  expect(localInputToIso(isoToLocalInput(iso))).toBe(iso);
  expect(isoToLocalInput('not a time')).toBe('');
  expect(localInputToIso('')).toBe('');
});

test('a drill-down window is widened to whole seconds and keeps at least one second', () => {
  expect(wholeSeconds({ fromMs: 1_000_400, toMs: 1_009_600 })).toEqual({ fromMs: 1_000_000, toMs: 1_010_000 });
  expect(wholeSeconds({ fromMs: 5_000, toMs: 5_000 })).toEqual({ fromMs: 5_000, toMs: 6_000 });
  // A drag from right to left is the same window.
  expect(wholeSeconds({ fromMs: 9_000, toMs: 2_000 })).toEqual({ fromMs: 2_000, toMs: 9_000 });
});

test('drill-downs: the error chart asks for calls with errors, the cost chart sorts by cost, kind only with a provider', () => {
  const window = { fromMs: Date.parse('2026-11-24T14:34:00.000Z'), toMs: Date.parse('2026-11-24T14:35:00.000Z') };
  const range = 'from=2026-11-24T14%3A34%3A00.000Z&to=2026-11-24T14%3A35%3A00.000Z';
  expect(drillDownHref(window, null, { sort: '-latency_ms', hasError: true })).toBe(`/ops/calls?${range}&has_error=true&sort=-latency_ms`);
  expect(drillDownHref(window, 'eu', { sort: '-cost_micros' })).toBe(`/ops/calls?${range}&region=eu&sort=-cost_micros`);
  expect(drillDownHref(window, null, { sort: '-latency_ms', kind: 'tts', provider: 'cartesia' })).toBe(
    `/ops/calls?${range}&provider=cartesia&kind=tts&sort=-latency_ms`,
  );
  expect(drillDownHref(window, null, { sort: '-latency_ms', kind: 'tts' })).toBe(`/ops/calls?${range}&sort=-latency_ms`);
});

test('routes inside /ops come from the path, with ids decoded', () => {
  expect(parseRoute('/ops')).toEqual({ view: 'overview' });
  expect(parseRoute('/ops/')).toEqual({ view: 'overview' });
  expect(parseRoute('/ops/calls')).toEqual({ view: 'calls' });
  expect(parseRoute('/ops/calls/acme/call%2F7')).toEqual({ view: 'call', customerId: 'acme', callId: 'call/7' });
  expect(parseRoute('/ops/calls/acme')).toEqual({ view: 'not_found' });
  expect(parseRoute('/ops/calls/acme/%E0%A4%A')).toEqual({ view: 'not_found' });
});

function alert(overrides: Partial<Alert>): Alert {
  return {
    id: 'a1',
    dedup_key: 'provider:tts:cartesia:outage',
    rule: 'provider_outage',
    severity: 'critical',
    status: 'triggered',
    subject: { kind: 'tts', provider: 'cartesia' },
    summary: 'Outage detected',
    value: 0.2,
    threshold: 0.5,
    links: [],
    condition_since: '2026-11-24T14:30:00.000Z',
    triggered_at: '2026-11-24T14:31:00.000Z',
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    silenced_until: null,
    deliveries: [],
    ...overrides,
  };
}

test('an open outage alert belongs to its own provider row, or to the kind row when it names no provider', () => {
  const providerOutage = alert({});
  const kindOutage = alert({ id: 'a2', dedup_key: 'provider:tts:outage', subject: { kind: 'tts' } });
  const alerts = [providerOutage, kindOutage, alert({ id: 'a3', rule: 'provider_degraded', subject: { kind: 'stt', provider: 'deepgram' } })];
  expect(openOutage(alerts, 'tts', 'cartesia')).toBe(providerOutage);
  expect(openOutage(alerts, 'tts', null)).toBe(kindOutage);
  expect(openOutage(alerts, 'tts', 'elevenlabs')).toBeNull();
  expect(openOutage(alerts, 'stt', 'deepgram')).toBeNull();
  expect(openOutage([alert({ status: 'resolved' })], 'tts', 'cartesia')).toBeNull();
  expect(openOutage([alert({ status: 'acknowledged' })], 'tts', 'cartesia')).not.toBeNull();
});

test('known providers link to their public status pages, whatever the case of the name', () => {
  expect(providerStatusPage('Deepgram')).toBe('https://status.deepgram.com');
  expect(providerStatusPage('twilio')).toBe('https://status.twilio.com');
  expect(providerStatusPage('in-house-tts')).toBeNull();
  expect(providerStatusPage(null)).toBeNull();
});
