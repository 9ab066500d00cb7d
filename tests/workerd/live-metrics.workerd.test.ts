// The operator's live view against an independent oracle: the same seeded traffic is ingested,
// flushed to Postgres, and each live value is compared with plain SQL over the stored rows for
// the same as_of-aligned window (quantiles within the sketch's 1%).
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveAsOf } from '../../analytics/live-window.ts';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { LiveView } from '../../durable/platform/live-view.ts';
import { reportDelayMs, type TenantMeter } from '../../durable/TenantMeter.ts';
import { createRng, type Rng } from '../../local/demo/random.ts';
import { openDatabase } from '../../workers/db/client.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { call, operatorToken, uniqueCustomerId } from './support.ts';

const seed = 20261127;
const now = Date.now();
const asOf = liveAsOf(now);
const iso = (ms: number) => new Date(ms).toISOString();

function trafficFor(customerId: string, region: string, calls: number, rng: Rng, inProgress: number): SwitchboardEvent[] {
  const events: SwitchboardEvent[] = [];
  const kinds = [
    ['stt', rng.next() < 0.5 ? 'deepgram' : 'assemblyai'],
    ['llm', 'openai'],
    ['tts', 'cartesia'],
  ] as const;
  for (let i = 0; i < calls + inProgress; i++) {
    const callId = `${customerId}-c${i}`;
    // Calls start between 50 and 4 minutes before as_of; a few older ones fall outside the 5-minute window.
    const startedMs = asOf - Math.floor(50_000 + rng.next() * (i % 7 === 0 ? 600_000 : 190_000));
    const base = (n: number, type: string) => ({ id: `${callId}-${type}-${n}`, customer_id: customerId, call_id: callId });
    events.push({ ...base(0, 'start'), type: 'call.started', ts: iso(startedMs), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v1', region, providers: { stt: kinds[0][1], llm: 'openai', tts: 'cartesia', telephony: 'twilio' } });
    const turns = 1 + Math.floor(rng.next() * 4);
    for (let t = 0; t < turns; t++) {
      const stt = 80 + Math.floor(rng.next() * 200);
      const llm = 200 + Math.floor(rng.next() * (rng.next() < 0.1 ? 3000 : 800));
      const tts = 60 + Math.floor(rng.next() * 150);
      events.push({ ...base(t, 'turn'), type: 'call.turn', ts: iso(startedMs + 2_000 + t * 5_000), turn: t, user_text: 'hello', agent_text: 'hi', stt_ms: stt, llm_ms: llm, tts_ms: tts, e2e_ms: stt + llm + tts + Math.floor(rng.next() * 50), interrupted: rng.next() < 0.15 });
      for (const [kind, provider] of kinds) {
        events.push({ ...base(t, `pr-${kind}`), type: 'provider.request', ts: iso(startedMs + 2_100 + t * 5_000), kind, provider, ok: rng.next() > 0.08, latency_ms: 50 + Math.floor(rng.next() * 400) });
      }
    }
    if (rng.next() < 0.5) {
      events.push({ ...base(0, 'tool'), type: 'tool.call', ts: iso(startedMs + 3_000), name: 'lookup_order', ok: rng.next() > 0.2, latency_ms: 120 });
    }
    if (rng.next() < 0.1) {
      events.push({ ...base(0, 'error'), type: 'call.error', ts: iso(startedMs + 3_500), component: 'llm', code: 'timeout', message: 'LLM timed out' });
    }
    if (i >= calls) continue;
    const roll = rng.next();
    const status = roll < 0.8 ? 'completed' : roll < 0.9 ? 'failed' : 'abandoned';
    const endedMs = Math.min(asOf - 1_000, startedMs + 2_000 + turns * 5_000 + 1_000);
    events.push({
      ...base(0, 'end'),
      type: 'call.ended',
      ts: iso(endedMs),
      status,
      duration_ms: endedMs - startedMs,
      ttfa_ms: 500 + Math.floor(rng.next() * 900),
      escalated: rng.next() < 0.1,
      task_success: rng.next() < 0.2 ? null : rng.next() < 0.85,
      cost: [
        { component: 'llm', provider: 'openai', quantity: 1200, unit: 'tokens', cost_micros: Math.floor(rng.next() * 40_000) },
        { component: 'tts', provider: 'cartesia', quantity: 30, unit: 'seconds', cost_micros: Math.floor(rng.next() * 9_000) },
      ],
    });
  }
  return events;
}

async function sqlRows<T>(text: string, params: unknown[]): Promise<T[]> {
  const database = openDatabase(env);
  try {
    return (await database.pool.query(text, params)).rows as T[];
  } finally {
    await database.close();
  }
}

const meter = (customerId: string): DurableObjectStub<TenantMeter> => env.TENANT_METER.get(env.TENANT_METER.idFromName(customerId));

/** Creates a customer through the operator API and returns its ingest key. */
async function newCustomer(operator: string, settings: { id: string } & Record<string, unknown>): Promise<string> {
  expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: settings })).status).toBe(201);
  const response = await call('/api/ops/ingest-keys', { method: 'POST', token: operator, json: { customer_id: settings.id } });
  return (await response.json<{ key: string }>()).key;
}

describe('GET /api/ops/live', () => {
  const big = uniqueCustomerId('live-us');
  const small = uniqueCustomerId('live-eu');
  const customers = [big, small];
  let operator: string;

  beforeAll(async () => {
    operator = await operatorToken();
    const rng = createRng(seed, 'live-metrics');
    for (const [customerId, region, calls, open] of [[big, 'us', 60, 4], [small, 'eu', 15, 1]] as const) {
      const key = await newCustomer(operator, { id: customerId, markup_bps: 2500, fee_per_minute_micros: 12_000, normal_calls_per_hour: 20 });
      const events = trafficFor(customerId, region, calls, rng, open);
      for (let i = 0; i < events.length; i += 1000) {
        const response = await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events.slice(i, i + 1000) });
        expect(response.status).toBe(202);
      }
      await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.tick(now));
      // The alarm started the flush without waiting for it; this waits for the same flush.
      expect(await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.flush(now))).toMatchObject({ remaining: 0 });
    }
  });

  it('matches plain SQL over the stored rows for the 5-minute and 60-minute windows', async () => {
    const view = await platformMeter(env).live({ nowMs: now });
    expect(view.as_of).toBe(iso(asOf));
    expect(view.window_s).toBe(300);
    const from5 = iso(asOf - 300_000);
    const from60 = iso(asOf - 3_600_000);
    const to = iso(asOf);
    const [ended] = await sqlRows<{ ended: number; ok: number; errors: number; completed: number; escalated: number; interrupted: number; task: number; known: number }>(
      `SELECT count(*)::int AS ended,
              count(*) FILTER (WHERE status <> 'failed')::int AS ok,
              count(*) FILTER (WHERE status = 'failed' OR error_count > 0)::int AS errors,
              count(*) FILTER (WHERE status <> 'abandoned')::int AS completed,
              count(*) FILTER (WHERE escalated)::int AS escalated,
              count(*) FILTER (WHERE interrupted)::int AS interrupted,
              count(*) FILTER (WHERE task_success)::int AS task,
              count(task_success)::int AS known
       FROM calls WHERE customer_id = ANY($1) AND ended_at >= $2 AND ended_at < $3`,
      [customers, from5, to],
    );
    expect(ended?.ended).toBeGreaterThan(20);
    const p = view.platform;
    expect(p.ended_calls).toBe(ended?.ended);
    expect(p.success_rate).toMatchObject({ numerator: ended?.ok, denominator: ended?.ended });
    expect(p.error_rate).toMatchObject({ numerator: ended?.errors, denominator: ended?.ended });
    expect(p.completion_rate).toMatchObject({ numerator: ended?.completed, denominator: ended?.ended });
    expect(p.escalation_rate).toMatchObject({ numerator: ended?.escalated, denominator: ended?.ended });
    expect(p.interruption_rate).toMatchObject({ numerator: ended?.interrupted, denominator: ended?.ended });
    expect(p.task_success_rate).toMatchObject({ numerator: ended?.task, denominator: ended?.known });

    const [tools] = await sqlRows<{ failed: number; total: number }>(
      `SELECT count(*) FILTER (WHERE NOT ok)::int AS failed, count(*)::int AS total FROM tool_calls WHERE customer_id = ANY($1) AND ts >= $2 AND ts < $3`,
      [customers, from5, to],
    );
    expect(p.tool_failure_rate).toMatchObject({ numerator: tools?.failed, denominator: tools?.total });

    const [hour] = await sqlRows<{ billed: string; provider: string }>(
      `SELECT coalesce(sum(billed_micros), 0)::text AS billed, coalesce(sum(provider_cost_micros), 0)::text AS provider FROM calls WHERE customer_id = ANY($1) AND ended_at >= $2 AND ended_at < $3`,
      [customers, from60, to],
    );
    expect(p.cost_per_hour_micros).toBe(Number(hour?.billed));
    expect(p.provider_cost_per_hour_micros).toBe(Number(hour?.provider));

    const [attempts] = await sqlRows<{ n: number }>(
      `SELECT count(*)::int AS n FROM calls WHERE customer_id = ANY($1) AND started_at >= $2 AND started_at < $3`,
      [customers, iso(asOf - 60_000), to],
    );
    expect(p.call_attempts_per_minute).toBe(attempts?.n);
    const [active] = await sqlRows<{ n: number }>(`SELECT count(*)::int AS n FROM calls WHERE customer_id = ANY($1) AND ended_at IS NULL AND started_at IS NOT NULL`, [customers]);
    expect(p.active_calls).toBe(active?.n);
  });

  it('answers P50/P95/P99 turn latency within 1% of the exact rank rule', async () => {
    const view = await platformMeter(env).live({ nowMs: now });
    const values = (await sqlRows<{ e2e_ms: string }>(`SELECT e2e_ms FROM call_turns WHERE customer_id = ANY($1) AND ts >= $2 AND ts < $3 ORDER BY e2e_ms`, [customers, iso(asOf - 300_000), iso(asOf)])).map((r) => Number(r.e2e_ms));
    expect(values.length).toBeGreaterThan(50);
    for (const [q, live] of [[0.5, view.platform.e2e_ms.p50], [0.95, view.platform.e2e_ms.p95], [0.99, view.platform.e2e_ms.p99]] as const) {
      const exact = values[Math.floor(q * (values.length - 1))] ?? NaN;
      expect(Math.abs((live ?? NaN) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('reports provider success per kind and per kind+provider as SQL counts them', async () => {
    const view = await platformMeter(env).live({ nowMs: now });
    const rows = await sqlRows<{ kind: string; provider: string | null; ok: number; total: number }>(
      `SELECT kind, provider, count(*) FILTER (WHERE ok)::int AS ok, count(*)::int AS total FROM provider_requests
       WHERE customer_id = ANY($1) AND ts >= $2 AND ts < $3 GROUP BY GROUPING SETS ((kind, provider), (kind)) ORDER BY kind, provider NULLS FIRST`,
      [customers, iso(asOf - 300_000), iso(asOf)],
    );
    expect(view.providers.map((e) => ({ kind: e.kind, provider: e.provider, ok: e.success_rate.numerator, total: e.success_rate.denominator }))).toEqual(rows);
  });

  it('filters by region and lists each customer with its load against its normal rate', async () => {
    const eu = await platformMeter(env).live({ region: 'eu', nowMs: now });
    const [euEnded] = await sqlRows<{ n: number }>(`SELECT count(*)::int AS n FROM calls WHERE customer_id = $1 AND ended_at >= $2 AND ended_at < $3`, [small, iso(asOf - 300_000), iso(asOf)]);
    expect(eu.platform.ended_calls).toBe(euEnded?.n);
    expect(eu.customers.map((c) => c.customer_id)).toEqual([small]);

    const all = await platformMeter(env).live({ nowMs: now });
    const row = all.customers.find((c) => c.customer_id === big);
    const [started] = await sqlRows<{ n15: number; n60: number }>(
      `SELECT count(*) FILTER (WHERE started_at >= $2)::int AS n15, count(*)::int AS n60 FROM calls WHERE customer_id = $1 AND started_at >= $3 AND started_at < $4`,
      [big, iso(asOf - 900_000), iso(asOf - 3_600_000), iso(asOf)],
    );
    // normal_calls_per_hour was set to 20 on the customer: a quarter is 5 per 15 minutes.
    expect(row).toMatchObject({ calls_per_hour: started?.n60, normal_calls_per_hour: 20, load_ratio: (started?.n15 ?? 0) / 5, noisy: (started?.n15 ?? 0) / 5 > 2 });
    expect(row?.flags.includes('noisy')).toBe(row?.noisy);
  });

  it('through the API: operators only, as_of at most 10 s old, bad region refused', async () => {
    const response = await call('/api/ops/live', { token: operator });
    expect(response.status).toBe(200);
    const body = await response.json<{ as_of: string }>();
    expect(Date.now() - Date.parse(body.as_of)).toBeLessThanOrEqual(10_000);
    expect((await call('/api/ops/live?region=Not%20A%20Region', { token: operator })).status).toBe(400);
    expect((await call('/api/ops/live')).status).toBe(401);
  });

  it('rolls the windows over as time passes: 5-minute rates empty after 6 minutes, the hour after 61', async () => {
    const later = now + 6 * 60_000;
    const hourLater = now + 61 * 60_000;
    const inSix = await platformMeter(env).live({ nowMs: later });
    expect(inSix.platform.ended_calls).toBe(0);
    expect(inSix.platform.success_rate.value).toBeNull();
    expect(inSix.platform.cost_per_hour_micros).toBe((await platformMeter(env).live({ nowMs: now })).platform.cost_per_hour_micros);
    expect((await platformMeter(env).live({ nowMs: hourLater })).platform.cost_per_hour_micros).toBe(0);
  });

  it('comes back with the same counts after the TenantMeter is evicted from memory', async () => {
    const before = await runInDurableObject(meter(big), (instance: TenantMeter) => instance.snapshot(now));
    await evictDurableObject(meter(big));
    const after = await runInDurableObject(meter(big), (instance: TenantMeter) => instance.snapshot(now));
    expect(after).toEqual(before);
  });

  it('keeps an event older than the live hour out of the live view but stores it', async () => {
    const key = (await (await call('/api/ops/ingest-keys', { method: 'POST', token: operator, json: { customer_id: small } })).json<{ key: string }>()).key;
    const oldTs = iso(asOf - 2 * 3_600_000);
    const late: SwitchboardEvent = { id: 'late-end', type: 'call.ended', customer_id: small, call_id: 'late-call', ts: oldTs, status: 'completed', duration_ms: 60_000, ttfa_ms: 700, escalated: false, task_success: true, cost: [{ component: 'llm', provider: 'openai', quantity: 1, unit: 'call', cost_micros: 777_777 }] };
    const before = (await platformMeter(env).live({ nowMs: now })).platform.cost_per_hour_micros;
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: [late] })).status).toBe(202);
    await runInDurableObject(meter(small), (instance: TenantMeter) => instance.tick(now));
    await runInDurableObject(meter(small), (instance: TenantMeter) => instance.flush(now));
    expect((await platformMeter(env).live({ nowMs: now })).platform.cost_per_hour_micros).toBe(before);
    const stored = await sqlRows<{ provider_cost_micros: string }>(`SELECT provider_cost_micros FROM calls WHERE customer_id = $1 AND call_id = 'late-call'`, [small]);
    expect(stored).toEqual([{ provider_cost_micros: '777777' }]);
  });
});

describe('a TenantMeter with no new events', () => {
  it('sleeps until a bucket leaves a window, while the PlatformMeter shows its row as current', async () => {
    const operator = await operatorToken();
    const quiet = uniqueCustomerId('live-quiet');
    const key = await newCustomer(operator, { id: quiet, normal_calls_per_hour: 20 });
    // Three 5-second buckets: a call started, the same call ended, and a call still in progress.
    const startedBucket = asOf - 100_000;
    const endedBucket = asOf - 50_000;
    const openBucket = asOf - 20_000;
    const base = (callId: string) => ({ customer_id: quiet, call_id: callId });
    const started = (callId: string, atMs: number): SwitchboardEvent => ({ ...base(callId), id: `${callId}-start`, type: 'call.started', ts: iso(atMs), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v1', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } });
    const events: SwitchboardEvent[] = [
      started('done', startedBucket + 1_000),
      { ...base('done'), id: 'done-end', type: 'call.ended', ts: iso(endedBucket + 2_000), status: 'completed', duration_ms: 51_000, ttfa_ms: 700, escalated: false, task_success: true, cost: [] },
      started('open', openBucket + 3_000),
    ];
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events })).status).toBe(202);
    const tick = (atMs: number) => runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.tick(atMs));
    const nextAlarm = () => runInDurableObject(meter(quiet), (_instance: TenantMeter, state) => state.storage.getAlarm());
    const rowAt = async (nowMs: number) => (await platformMeter(env).live({ nowMs })).customers.find((row) => row.customer_id === quiet);
    const hourAfter = (ms: number) => Math.floor(ms / 3_600_000) * 3_600_000 + 3_600_000;

    // The alarm that starts the flush, the flush, then the next alarm, which reports the emptied buffer.
    await tick(now);
    await runInDurableObject(meter(quiet), (instance: TenantMeter) => instance.flush(now));
    await tick(now + reportDelayMs);
    // The first value to move: the call.started's bucket leaves the 5-minute window, 5 min 5 s after it
    // began; or, if sooner, the hour turns (the learned normal rate moves with it).
    const leavesFiveMinutes = (bucketStartMs: number) => bucketStartMs + 305_000;
    const firstChange = Math.min(leavesFiveMinutes(startedBucket), hourAfter(now));
    expect(await nextAlarm()).toBe(firstChange);

    const held = await rowAt(firstChange - 1);
    expect(held).toMatchObject({ as_of: iso(liveAsOf(firstChange - 1)), active_calls: 1, calls_per_hour: 2, success_rate: { value: 1, numerator: 1, denominator: 1 } });

    // Following its own alarms, the meter wakes only where a value moves.
    const wakes: number[] = [];
    for (let wakeMs: number | null = firstChange; wakeMs !== null && wakeMs <= leavesFiveMinutes(endedBucket); wakeMs = await nextAlarm()) {
      wakes.push(wakeMs);
      await tick(wakeMs);
    }
    const expectedWakes = [...new Set([leavesFiveMinutes(startedBucket), leavesFiveMinutes(endedBucket), hourAfter(now)])]
      .filter((ms) => ms <= leavesFiveMinutes(endedBucket))
      .sort((a, b) => a - b);
    expect(wakes).toEqual(expectedWakes);
    // The ended call has left the 5-minute window; the hour still counts both calls started.
    const moved = await rowAt(leavesFiveMinutes(endedBucket));
    expect(moved).toMatchObject({ as_of: iso(leavesFiveMinutes(endedBucket)), active_calls: 1, calls_per_hour: 2, success_rate: { value: null, numerator: 0, denominator: 0 } });
  });
});

describe('GET /api/ops/live as JSON text', () => {
  /** One call in progress for `customerId`, ingested and reported by its meter at `now`. */
  async function startCall(customerId: string, key: string, callId: string): Promise<void> {
    const started: SwitchboardEvent = { id: `${callId}-start`, type: 'call.started', customer_id: customerId, call_id: callId, ts: iso(asOf - 5_000), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v1', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } };
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: [started] })).status).toBe(202);
    await runInDurableObject(meter(customerId), (instance: TenantMeter) => instance.tick(now));
  }

  const rowIn = (json: string, customerId: string) => (JSON.parse(json) as LiveView).customers.find((row) => row.customer_id === customerId);

  it('is built once per as_of and again as soon as a report lands', async () => {
    const operator = await operatorToken();
    const late = uniqueCustomerId('live-json');
    const key = await newCustomer(operator, { id: late });
    const rowOf = (json: string) => rowIn(json, late);
    const first = await platformMeter(env).liveJson({ nowMs: now });
    expect(rowOf(first)).toBeUndefined();
    // The same as_of answers the same text.
    expect(await platformMeter(env).liveJson({ nowMs: now + 1 })).toBe(first);
    await startCall(late, key, 'json-call');
    expect(rowOf(await platformMeter(env).liveJson({ nowMs: now + 2 }))).toMatchObject({ active_calls: 1 });
    // Through the API, as an operator's dashboard reads it.
    const response = await call('/api/ops/live', { token: operator });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(rowOf(await response.text())).toMatchObject({ active_calls: 1 });
  });

  it('goes gzip-compressed to a client that takes gzip, and as plain JSON to one that does not', async () => {
    const operator = await operatorToken();
    const customer = uniqueCustomerId('live-gzip');
    const key = await newCustomer(operator, { id: customer });
    await startCall(customer, key, 'gzip-call');
    const rowOf = (json: string) => rowIn(json, customer);
    const inflate = async (bytes: ArrayBuffer | Uint8Array) => new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    const json = await platformMeter(env).liveJson({ nowMs: now });
    expect(rowOf(json)).toMatchObject({ active_calls: 1 });
    const compressedJson = await platformMeter(env).liveGzip({ nowMs: now });
    expect(await inflate(compressedJson)).toBe(json);
    expect(compressedJson.byteLength).toBeLessThan(json.length);

    const compressed = await call('/api/ops/live', { token: operator, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(compressed.status).toBe(200);
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(compressed.headers.get('vary')).toBe('Accept-Encoding');
    // The Worker's own caller inflates it on the way in, as a browser does (the browser suite sees the bytes).
    expect(rowOf(await compressed.text())).toMatchObject({ active_calls: 1 });

    // Without Accept-Encoding, or with gzip refused, the JSON goes as it is.
    const noGzip: HeadersInit[] = [{}, { 'accept-encoding': 'gzip;q=0, br' }];
    for (const headers of noGzip) {
      const plain = await call('/api/ops/live', { token: operator, headers });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(rowOf(await plain.text())).toMatchObject({ active_calls: 1 });
    }
  });
});

describe('GET /api/ops/series from the live hour', () => {
  it('answers 10 s points, each the sum of the two 5-second buckets it spans, in the region asked', async () => {
    const operator = await operatorToken();
    const customer = uniqueCustomerId('live-series');
    const key = await newCustomer(operator, { id: customer });
    const region = 'series-only';
    // A 10 s point a minute back: two calls start in its first half, three in its second, one in the next point.
    const pointMs = Math.floor(asOf / 10_000) * 10_000 - 60_000;
    const offsets = [1_000, 2_000, 6_000, 7_000, 9_999, 11_000];
    const events: SwitchboardEvent[] = offsets.map((offset, i) => ({
      id: `${customer}-s${i}`,
      customer_id: customer,
      call_id: `${customer}-c${i}`,
      type: 'call.started',
      ts: iso(pointMs + offset),
      direction: 'inbound',
      from: '+14155550100',
      to: '+18005550100',
      agent_id: 'a',
      agent_version: 'v1',
      region,
      providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' },
    }));
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events })).status).toBe(202);
    await runInDurableObject(meter(customer), (instance: TenantMeter) => instance.tick(now));

    const query = new URLSearchParams({ metric: 'calls_started', region, from: iso(pointMs - 10_000), to: iso(pointMs + 20_000) });
    const response = await call(`/api/ops/series?${query}`, { token: operator });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      metric: 'calls_started',
      region,
      resolution_s: 10,
      source: 'live',
      t: [pointMs - 10_000, pointMs, pointMs + 10_000].map(iso),
      values: [0, 5, 1],
    });
  });
});
