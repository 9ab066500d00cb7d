// GET /metrics against two oracles: hand-computed values for a small seeded traffic, and the
// operator's JSON live view (the PlatformMeter's answer for the same as_of), converted by hand to
// the exposition's units. Switchboard's own health (event buffers, request durations) likewise.
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveAsOf } from '../../analytics/live-window.ts';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { LiveView } from '../../durable/platform/live-view.ts';
import { reportDelayMs, type TenantMeter } from '../../durable/TenantMeter.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { waitUntil } from '../support/wait-until.ts';
import { call, customerToken, operatorToken, uniqueCustomerId } from './support.ts';

const now = Date.now();
const asOf = liveAsOf(now);
const iso = (ms: number) => new Date(ms).toISOString();
/** A provider name with every character the exposition must escape but a newline (names are labels, not prose). */
const oddProvider = 'acme "tts" \\ v2';

const meter = (customerId: string): DurableObjectStub<TenantMeter> => env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));

interface CallPlan {
  callId: string;
  region: string;
  startedAgoS: number;
  e2eMs: number[];
  ended?: { agoS: number; status: 'completed' | 'failed' };
}

function eventsOf(customerId: string, plan: CallPlan): SwitchboardEvent[] {
  const base = (type: string, n = 0) => ({ id: `${plan.callId}-${type}-${n}`, customer_id: customerId, call_id: plan.callId });
  const startedMs = asOf - plan.startedAgoS * 1000;
  const events: SwitchboardEvent[] = [
    { ...base('start'), type: 'call.started', ts: iso(startedMs), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v1', region: plan.region, providers: { stt: 'deepgram', llm: 'openai', tts: oddProvider, telephony: 'twilio' } },
  ];
  plan.e2eMs.forEach((e2e, turn) => {
    events.push({ ...base('turn', turn), type: 'call.turn', ts: iso(startedMs + 2_000 + turn * 3_000), turn, user_text: 'hi', agent_text: 'hello', stt_ms: 100, llm_ms: e2e - 300, tts_ms: 200, e2e_ms: e2e, interrupted: false });
  });
  if (plan.ended) {
    events.push({ ...base('end'), type: 'call.ended', ts: iso(asOf - plan.ended.agoS * 1000), status: plan.ended.status, duration_ms: (plan.startedAgoS - plan.ended.agoS) * 1000, ttfa_ms: 700, escalated: false, task_success: true, cost: [{ component: 'llm', provider: 'openai', quantity: 1, unit: 'call', cost_micros: 30_000 }] });
  }
  return events;
}

function providerRequest(customerId: string, callId: string, id: string, kind: 'stt' | 'tts', provider: string, ok: boolean, agoS: number): SwitchboardEvent {
  return { id, type: 'provider.request', customer_id: customerId, call_id: callId, ts: iso(asOf - agoS * 1000), kind, provider, ok, latency_ms: 120 };
}

/** The value of one series, its labels written as the exposition writes them. */
function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function ingest(customerId: string, events: SwitchboardEvent[]): Promise<void> {
  const operator = await operatorToken();
  const key = (await (await call('/api/ops/ingest-keys', { method: 'POST', token: operator, json: { customer_id: customerId } })).json<{ key: string }>()).key;
  const response = await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events });
  expect(response.status).toBe(202);
}

async function scrape(token: string): Promise<{ text: string; view: LiveView }> {
  const response = await call('/metrics', { token });
  expect(response.status).toBe(200);
  const text = await response.text();
  const asOfSeconds = sampleValue(text, 'switchboard_live_as_of_timestamp_seconds');
  expect(asOfSeconds).toBeDefined();
  return { text, view: await platformMeter(env).live({ nowMs: (asOfSeconds ?? 0) * 1000 }) };
}

describe('GET /metrics', () => {
  const us = uniqueCustomerId('metrics-us');
  const eu = uniqueCustomerId('metrics-eu');
  let operator: string;

  beforeAll(async () => {
    operator = await operatorToken();
    // us: 3 calls started in the last 15 minutes against a normal of 4 an hour (a quarter is 1): load 3, noisy.
    // eu: 2 started against 40 an hour (a quarter is 10): load 0.2.
    for (const [id, normal] of [[us, 4], [eu, 40]] as const) {
      const created = await call('/api/ops/customers', { method: 'POST', token: operator, json: { id, markup_bps: 2500, fee_per_minute_micros: 12_000, normal_calls_per_hour: normal } });
      expect(created.status).toBe(201);
    }
    await ingest(us, [
      ...eventsOf(us, { callId: 'a1', region: 'us', startedAgoS: 150, e2eMs: [800, 1200], ended: { agoS: 60, status: 'completed' } }),
      ...eventsOf(us, { callId: 'a2', region: 'us', startedAgoS: 140, e2eMs: [1500], ended: { agoS: 50, status: 'failed' } }),
      ...eventsOf(us, { callId: 'a3', region: 'us', startedAgoS: 20, e2eMs: [] }),
      providerRequest(us, 'a1', 'p1', 'stt', 'deepgram', true, 100),
      providerRequest(us, 'a1', 'p2', 'stt', 'deepgram', true, 90),
      providerRequest(us, 'a1', 'p3', 'stt', 'deepgram', false, 80),
      providerRequest(us, 'a1', 'p4', 'tts', oddProvider, true, 70),
    ]);
    await ingest(eu, [
      ...eventsOf(eu, { callId: 'b1', region: 'eu', startedAgoS: 100, e2eMs: [600], ended: { agoS: 40, status: 'completed' } }),
      ...eventsOf(eu, { callId: 'b2', region: 'eu', startedAgoS: 30, e2eMs: [] }),
    ]);
    // The first alarm reports the live rows and starts the flush; the next one reports the emptied buffer.
    for (const customerId of [us, eu]) {
      await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.tick(now));
      await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flush(now));
      await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.tick(now + reportDelayMs));
    }
  });

  it('answers operators in text exposition 0.0.4 and refuses anyone else', async () => {
    const response = await call('/metrics', { token: operator });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/metrics', { token: await customerToken(us) })).status).toBe(403);
  });

  it('exposes the platform values the JSON live view answers for the same as_of, as counted by hand', async () => {
    const { text, view } = await scrape(operator);
    const p = view.platform;
    expect(sampleValue(text, 'switchboard_active_calls')).toBe(2);
    expect(p.active_calls).toBe(2);
    expect(sampleValue(text, 'switchboard_call_attempts_per_minute')).toBe(p.call_attempts_per_minute);
    expect(sampleValue(text, 'switchboard_calls_per_hour')).toBe(5);
    expect(sampleValue(text, 'switchboard_ended_calls')).toBe(3);
    expect(sampleValue(text, 'switchboard_call_success_ratio')).toBe(2 / 3);
    expect(sampleValue(text, 'switchboard_call_success_ratio_numerator')).toBe(2);
    expect(sampleValue(text, 'switchboard_call_success_ratio_denominator')).toBe(3);
    expect(sampleValue(text, 'switchboard_call_error_ratio')).toBe(p.error_rate.value);
    expect(sampleValue(text, 'switchboard_cost_per_hour_usd')).toBe(p.cost_per_hour_micros / 1_000_000);
    expect(sampleValue(text, 'switchboard_provider_cost_per_hour_usd')).toBe(0.09);
    expect(sampleValue(text, 'switchboard_provider_cost_by_component_per_hour_usd{component="llm"}')).toBe(0.09);
    // Turns e2e 600, 800, 1200, 1500 ms: the rank rule floor(q * (n - 1)) picks 800 for P50 and 1200 for P95.
    const p95 = sampleValue(text, 'switchboard_turn_e2e_latency_seconds{quantile="0.95"}') ?? NaN;
    expect(p95).toBe((p.e2e_ms.p95 ?? NaN) / 1000);
    expect(Math.abs(p95 - 1.2) / 1.2).toBeLessThanOrEqual(0.01);
    expect(Math.abs((sampleValue(text, 'switchboard_turn_e2e_latency_seconds{quantile="0.5"}') ?? NaN) - 0.8) / 0.8).toBeLessThanOrEqual(0.01);
    expect(sampleValue(text, 'switchboard_call_time_to_first_audio_seconds{quantile="0.5"}')).toBe((p.ttfa_ms.p50 ?? NaN) / 1000);
    // No feedback and no tool calls: the JSON's nulls have no sample, their denominators read 0.
    expect(p.csat).toBeNull();
    expect(sampleValue(text, 'switchboard_csat_mean')).toBeUndefined();
    expect(sampleValue(text, 'switchboard_tool_call_failure_ratio')).toBeUndefined();
    expect(sampleValue(text, 'switchboard_tool_call_failure_ratio_denominator')).toBe(0);
  });

  it('splits the platform values by region under switchboard_region_*', async () => {
    const { text } = await scrape(operator);
    expect(sampleValue(text, 'switchboard_region_active_calls{region="us"}')).toBe(1);
    expect(sampleValue(text, 'switchboard_region_active_calls{region="eu"}')).toBe(1);
    expect(sampleValue(text, 'switchboard_region_call_success_ratio{region="us"}')).toBe(0.5);
    expect(sampleValue(text, 'switchboard_region_call_success_ratio{region="eu"}')).toBe(1);
  });

  it('exposes provider success per kind and per kind+provider, escaping the provider name', async () => {
    const { text, view } = await scrape(operator);
    const stt = view.providers.find((e) => e.kind === 'stt' && e.provider === null);
    expect(stt?.success_rate).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect(sampleValue(text, 'switchboard_provider_kind_success_ratio{kind="stt"}')).toBe(2 / 3);
    expect(sampleValue(text, 'switchboard_provider_success_ratio{kind="stt",provider="deepgram"}')).toBe(2 / 3);
    expect(sampleValue(text, 'switchboard_provider_success_ratio_denominator{kind="tts",provider="acme \\"tts\\" \\\\ v2"}')).toBe(1);
    expect(sampleValue(text, 'switchboard_provider_request_latency_seconds{kind="stt",provider="deepgram",quantile="0.5"}')).toBe((stt?.latency_ms.p50 ?? NaN) / 1000);
  });

  it("lists each customer's load, noise, money and latency as the JSON row does", async () => {
    const { text, view } = await scrape(operator);
    const row = view.customers.find((c) => c.customer_id === us);
    expect(row).toMatchObject({ load_ratio: 3, noisy: true, active_calls: 1, calls_per_hour: 3 });
    const label = `{customer="${us}"}`;
    expect(sampleValue(text, `switchboard_customer_load_ratio${label}`)).toBe(3);
    expect(sampleValue(text, `switchboard_customer_noisy${label}`)).toBe(1);
    expect(sampleValue(text, `switchboard_customer_noisy{customer="${eu}"}`)).toBe(0);
    expect(sampleValue(text, `switchboard_customer_load_ratio{customer="${eu}"}`)).toBe(0.2);
    expect(sampleValue(text, `switchboard_customer_active_calls${label}`)).toBe(1);
    expect(sampleValue(text, `switchboard_customer_calls_per_hour${label}`)).toBe(3);
    expect(sampleValue(text, `switchboard_customer_cost_per_hour_usd${label}`)).toBe((row?.cost_per_hour_micros ?? NaN) / 1_000_000);
    expect(sampleValue(text, `switchboard_customer_call_error_ratio${label}`)).toBe(0.5);
    expect(sampleValue(text, `switchboard_customer_turn_e2e_latency_seconds{customer="${us}",quantile="0.95"}`)).toBe((row?.p95_e2e_ms ?? NaN) / 1000);
  });

  it("reports each customer's event buffer; an empty one reads 0, and a stuck one its depth, age and failures", async () => {
    const stuck = uniqueCustomerId('metrics-stuck');
    const { text: before } = await scrape(operator);
    expect(sampleValue(before, `switchboard_customer_event_buffer_events{customer="${us}"}`)).toBe(0);
    expect(sampleValue(before, `switchboard_customer_event_buffer_oldest_age_seconds{customer="${us}"}`)).toBe(0);

    // A meter reporting a backlog of 7 events, the oldest received 90 s ago, after 3 failed flushes.
    const snapshot = {
      asOfMs: asOf,
      validUntilMs: null,
      eventBuffer: { events: 7, oldestReceivedMs: Date.now() - 90_000, failedFlushAttempts: 3 },
      normalCallsPerHour: 10,
      normalIsLearned: true,
      startedLast15Minutes: 0,
      hourlySpendLimitMicros: 100_000_000,
      rows: {},
    };
    await platformMeter(env).report({ customerId: stuck, seq: 1, deltas: [], snapshot }, now);
    const { text } = await scrape(operator);
    expect(sampleValue(text, `switchboard_customer_event_buffer_events{customer="${stuck}"}`)).toBe(7);
    expect(sampleValue(text, `switchboard_customer_event_flush_consecutive_failures{customer="${stuck}"}`)).toBe(3);
    expect(sampleValue(text, `switchboard_customer_event_buffer_oldest_age_seconds{customer="${stuck}"}`)).toBeGreaterThanOrEqual(90);
    expect(sampleValue(text, 'switchboard_event_buffer_events')).toBe(7);
    expect(sampleValue(text, 'switchboard_event_flush_failing_customers')).toBe(1);
    expect(sampleValue(text, 'switchboard_event_buffer_oldest_age_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('has a TenantMeter report its buffer depth and oldest receipt, and its drain even without live traffic', async () => {
    const quiet = uniqueCustomerId('metrics-quiet');
    const created = await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: quiet } });
    expect(created.status).toBe(201);
    // Only events older than the live hour: nothing live to report, only the buffer.
    const sentMs = Date.now();
    await ingest(quiet, [providerRequest(quiet, 'q1', 'old-1', 'stt', 'deepgram', true, 2 * 3600), providerRequest(quiet, 'q1', 'old-2', 'stt', 'deepgram', false, 2 * 3600)]);
    const buffered = await runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.snapshot(now).eventBuffer);
    expect(buffered.events).toBe(2);
    expect(buffered.failedFlushAttempts).toBe(0);
    expect(buffered.oldestReceivedMs).toBeGreaterThanOrEqual(sentMs);
    expect(buffered.oldestReceivedMs).toBeLessThanOrEqual(Date.now());

    const flushedMs = Date.now();
    await runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.tick(flushedMs));
    const { text: flushing } = await scrape(operator);
    expect(sampleValue(flushing, `switchboard_customer_event_buffer_events{customer="${quiet}"}`)).toBe(2);
    // The next alarm after the flush reports the drain.
    await runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.flush(flushedMs));
    await runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.tick(flushedMs + reportDelayMs));
    const { text } = await scrape(operator);
    expect(sampleValue(text, `switchboard_customer_event_buffer_events{customer="${quiet}"}`)).toBe(0);
    expect(sampleValue(text, `switchboard_customer_event_flush_consecutive_failures{customer="${quiet}"}`)).toBe(0);
  });

  it('times API requests per route pattern, method and status class as a cumulative histogram', async () => {
    const liveCount = 'switchboard_http_request_duration_seconds_count{route="/api/ops/live",method="GET",status_class="2xx"}';
    const refusedCount = 'switchboard_http_request_duration_seconds_count{route="/api/ops/*",method="GET",status_class="4xx"}';
    for (let i = 0; i < 3; i++) expect((await call('/api/ops/live', { token: operator })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await call('/api/ops/live')).status).toBe(401);
    // Isolates send their durations at most every 5 s, on the back of a request: scraping is one.
    let text = '';
    await waitUntil(
      async () => {
        text = (await scrape(operator)).text;
        return sampleValue(text, liveCount) === 3;
      },
      'the three /api/ops/live requests are counted',
      15_000,
    );
    // The 401s were answered by the operator guard, so they carry its pattern, not the path asked for.
    expect(sampleValue(text, refusedCount)).toBe(2);
    expect(sampleValue(text, 'switchboard_http_request_duration_seconds_bucket{route="/api/ops/live",method="GET",status_class="2xx",le="+Inf"}')).toBe(3);
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith('switchboard_http_request_duration_seconds_bucket{route="/api/ops/live",method="GET",status_class="2xx"'))
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect(buckets.length).toBe(12);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });
  it('counts customer metrics refreshes and how the cache answered customer reads', async () => {
    const reader = uniqueCustomerId('metrics-cache');
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: reader } })).status).toBe(201);
    const refreshes = 'switchboard_customer_metrics_refresh_duration_seconds_count';
    const hits = 'switchboard_customer_cache_reads_total{result="hit"}';
    const misses = 'switchboard_customer_cache_reads_total{result="miss"}';
    const before = (await scrape(operator)).text;
    const count = (text: string, series: string) => sampleValue(text, series) ?? 0;

    expect((await call('/api/ops/refresh', { method: 'POST', token: operator })).status).toBe(200);
    const token = await customerToken(reader);
    // A cold key read from Postgres, then the same figures from Redis.
    for (let i = 0; i < 2; i++) expect((await call('/api/customer/overview', { token })).status).toBe(200);

    let text = '';
    // Cache counts travel with the isolate's request durations, at most every 5 s, on the back of a request.
    await waitUntil(
      async () => {
        text = (await scrape(operator)).text;
        return count(text, refreshes) > count(before, refreshes) && count(text, hits) > count(before, hits) && count(text, misses) > count(before, misses);
      },
      'the refresh, the cold read and the cached read are counted',
      15_000,
    );
    expect(count(text, refreshes) - count(before, refreshes)).toBe(1);
    expect(count(text, 'switchboard_customer_metrics_refresh_age_seconds')).toBeLessThan(60);
    const reads = ['hit', 'miss', 'stale', 'bypass', 'error'].reduce((sum, result) => sum + count(text, `switchboard_customer_cache_reads_total{result="${result}"}`), 0);
    expect(sampleValue(text, 'switchboard_customer_cache_hit_ratio')).toBeCloseTo(count(text, hits) / reads, 10);
  }, 30_000);
});
