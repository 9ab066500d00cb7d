// The customer API (CONTRACT section 3, "Customer"): figures equal hand-computed values for a
// seeded set, every endpoint is isolated by tenant whatever the request says, and nothing
// internal leaks into a customer response.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../workers/db/client.ts';
import { call, customerToken, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

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

const hour = 3_600_000;
const day = 24 * hour;

interface SeedCall {
  callId: string;
  endedAgoMs: number;
  status: 'completed' | 'failed' | 'abandoned';
  durationMs: number;
  providerCostMicros: number;
  taskSuccess: boolean | null;
  error?: boolean;
  csat?: number;
}

// Provider cost at 25% markup plus 5,000 a started minute.
const markupBps = 2500;
const feePerMinute = 5_000;
const billed = (c: SeedCall) => Math.floor((c.providerCostMicros * (10_000 + markupBps) + 5_000) / 10_000) + Math.ceil(c.durationMs / 60_000) * feePerMinute;

const seed: SeedCall[] = [
  { callId: 'a1', endedAgoMs: 1 * hour, status: 'completed', durationMs: 61_000, providerCostMicros: 5_234, taskSuccess: true, csat: 5 },
  { callId: 'a2', endedAgoMs: 2 * hour, status: 'failed', durationMs: 12_500, providerCostMicros: 1_001, taskSuccess: false, error: true, csat: 2 },
  { callId: 'a3', endedAgoMs: 3 * day, status: 'abandoned', durationMs: 30_000, providerCostMicros: 777, taskSuccess: null },
  { callId: 'a4', endedAgoMs: 6 * day + 23 * hour, status: 'completed', durationMs: 180_001, providerCostMicros: 120_000, taskSuccess: true, error: true },
  { callId: 'a5', endedAgoMs: 8 * day, status: 'completed', durationMs: 59_999, providerCostMicros: 40_000, taskSuccess: false },
  { callId: 'a6', endedAgoMs: 13 * day, status: 'failed', durationMs: 5_000, providerCostMicros: 0, taskSuccess: null },
  { callId: 'a7', endedAgoMs: 20 * day, status: 'completed', durationMs: 240_000, providerCostMicros: 300_000, taskSuccess: true },
];

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const database = openDatabase(env);
  try {
    return (await database.pool.query(text, params)).rows as T[];
  } finally {
    await database.close();
  }
}

function eventsFor(customerId: string, nowMs: number): unknown[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return seed.flatMap((c) => {
    const endedMs = nowMs - c.endedAgoMs;
    const started = { id: `${c.callId}-s`, type: 'call.started', customer_id: customerId, call_id: c.callId, ts: iso(endedMs - c.durationMs), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } };
    const ended = { id: `${c.callId}-e`, type: 'call.ended', customer_id: customerId, call_id: c.callId, ts: iso(endedMs), status: c.status, duration_ms: c.durationMs, ttfa_ms: 700, escalated: false, task_success: c.taskSuccess, cost: [{ component: 'llm', provider: 'openai', quantity: 900, unit: 'tokens', cost_micros: c.providerCostMicros }] };
    const error = c.error ? [{ id: `${c.callId}-x`, type: 'call.error', customer_id: customerId, call_id: c.callId, ts: iso(endedMs - 1_000), component: 'tts', code: 'voice_timeout', message: 'TTS timed out' }] : [];
    const feedback = c.csat ? [{ id: `${c.callId}-f`, type: 'call.feedback', customer_id: customerId, call_id: c.callId, ts: iso(endedMs + 1_000), csat: c.csat }] : [];
    return [started, ...error, ended, ...feedback].map((event) => ({ event, raw: event }));
  });
}

describe('customer API', () => {
  const tenant = uniqueCustomerId('cust');
  const other = uniqueCustomerId('other');
  let nowMs: number;
  let tenantToken: string;
  let otherToken: string;

  beforeAll(async () => {
    const operator = await operatorToken();
    for (const id of [tenant, other]) {
      expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id, markup_bps: markupBps, fee_per_minute_micros: feePerMinute } })).status).toBe(201);
    }
    nowMs = Date.now();
    // History older than 24 h cannot come through the API: it is written the way the backfill writes it.
    await sql('SELECT ingest_events($1::jsonb)', [JSON.stringify([...eventsFor(tenant, nowMs), ...eventsFor(other, nowMs).slice(0, 4)])]);
    const refresh = await call('/api/ops/refresh', { method: 'POST', token: operator });
    expect(refresh.status).toBe(200);
    expect(await refresh.json()).toMatchObject({ materialized_views: [{ name: 'mv_platform_overview_v1' }] });
    tenantToken = await customerToken(tenant);
    otherToken = await customerToken(other);
  });

  it('answers every overview figure as hand-computed from the seeded calls', async () => {
    const response = await call('/api/customer/overview', { token: tenantToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/private/);
    const overview = await response.json<Overview>();
    const asOf = Date.parse(overview.as_of);
    expect(asOf).toBeGreaterThanOrEqual(nowMs);
    const monthStart = Date.UTC(new Date(asOf).getUTCFullYear(), new Date(asOf).getUTCMonth(), 1);
    const endedMs = (c: SeedCall) => nowMs - c.endedAgoMs;
    const month = seed.filter((c) => endedMs(c) >= monthStart);
    const last7 = seed.filter((c) => endedMs(c) >= asOf - 7 * day);
    const prev7 = seed.filter((c) => endedMs(c) >= asOf - 14 * day && endedMs(c) < asOf - 7 * day);
    const sum = (calls: SeedCall[], f: (c: SeedCall) => number) => calls.reduce((total, c) => total + f(c), 0);
    const roundHalfUp = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d));
    const m = overview.metrics;

    expect(overview.month).toBe(new Date(asOf).toISOString().slice(0, 7));
    expect(m.total_calls).toMatchObject({ value: month.length, last_7d: last7.length, previous: prev7.length, low_sample: true });
    expect(m.cost_micros).toMatchObject({ value: sum(month, billed), last_7d: sum(last7, billed), previous: sum(prev7, billed), estimated: true });
    expect(m.cost_per_call_micros).toMatchObject({ value: month.length ? roundHalfUp(sum(month, billed), month.length) : null, numerator: sum(month, billed), denominator: month.length });
    const known = month.filter((c) => c.taskSuccess !== null);
    expect(m.task_success_rate).toMatchObject({ numerator: known.filter((c) => c.taskSuccess).length, denominator: known.length });
    expect(m.avg_call_duration_ms).toMatchObject({ value: month.length ? roundHalfUp(sum(month, (c) => c.durationMs), month.length) : null });
    expect(m.error_rate).toMatchObject({ numerator: month.filter((c) => c.status === 'failed' || c.error).length, denominator: month.length });
    expect(m.completion_rate).toMatchObject({ numerator: month.filter((c) => c.status !== 'abandoned').length, denominator: month.length });
    const rated = month.filter((c) => c.csat !== undefined);
    expect(m.csat).toMatchObject({ value: rated.length ? sum(rated, (c) => c.csat ?? 0) / rated.length : null, denominator: rated.length });

    // Projection: month to date + round_half_up(billed over the last 7 full days * days left after today / 7).
    const todayStart = Math.floor(asOf / day) * day;
    const full7 = seed.filter((c) => endedMs(c) >= todayStart - 7 * day && endedMs(c) < todayStart);
    const nextMonth = Date.UTC(new Date(asOf).getUTCFullYear(), new Date(asOf).getUTCMonth() + 1, 1);
    const daysLeft = Math.round((nextMonth - todayStart) / day) - 1;
    expect(m.projected_month_cost_micros).toMatchObject({ value: sum(month, billed) + roundHalfUp(sum(full7, billed) * daysLeft, 7), last_7d: null, previous: null, estimated: true });

    for (const metric of Object.values(m)) expect(metric.explanation.length).toBeGreaterThan(20);
  });

  it('computes uptime as plain SQL counts incident minutes over the month', async () => {
    const overview = await (await call('/api/customer/overview', { token: tenantToken })).json<Overview>();
    const asOf = new Date(overview.as_of);
    const [oracle] = await sql<{ incident: number; elapsed: number }>(
      `WITH minutes AS (
         SELECT date_trunc('minute', ended_at) AS minute, count(*) AS ended, count(*) FILTER (WHERE status = 'failed') AS failed
         FROM calls WHERE ended_at >= date_trunc('month', $1::timestamptz, 'UTC') AND ended_at < date_trunc('minute', $1::timestamptz) GROUP BY 1)
       SELECT (SELECT count(*) FROM minutes WHERE ended >= 5 AND (ended - failed)::numeric / ended < 0.9)::int AS incident,
              floor(extract(epoch FROM $1::timestamptz - date_trunc('month', $1::timestamptz, 'UTC')) / 60)::int AS elapsed`,
      [asOf.toISOString()],
    );
    expect(overview.metrics.uptime).toMatchObject({ numerator: (oracle?.elapsed ?? 0) - (oracle?.incident ?? 0), denominator: oracle?.elapsed, value: 1 - (oracle?.incident ?? 0) / (oracle?.elapsed ?? 1) });
  });

  it('zero-fills the usage series and refuses days outside 1-90', async () => {
    const usage = await (await call('/api/customer/usage?days=30', { token: tenantToken })).json<Array<{ date: string; calls: number; cost_micros: number; estimated: boolean }>>();
    expect(usage).toHaveLength(30);
    expect(usage.at(-1)?.date).toBe(new Date().toISOString().slice(0, 10));
    const expected = new Map<string, { calls: number; cost: number }>();
    for (const c of seed) {
      const date = new Date(nowMs - c.endedAgoMs).toISOString().slice(0, 10);
      const entry = expected.get(date) ?? { calls: 0, cost: 0 };
      expected.set(date, { calls: entry.calls + 1, cost: entry.cost + billed(c) });
    }
    for (const d of usage) expect({ calls: d.calls, cost: d.cost_micros }).toEqual({ calls: expected.get(d.date)?.calls ?? 0, cost: expected.get(d.date)?.cost ?? 0 });
    expect(usage.filter((d) => d.calls > 0).every((d) => d.estimated)).toBe(true);
    for (const bad of ['0', '91', 'abc', '2.5']) {
      const response = await call(`/api/customer/usage?days=${bad}`, { token: tenantToken });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorBody>()).error.details[0]?.path).toBe('days');
    }
  });

  it('lists the customer own calls with plain-words failure reasons, pages and exports them', async () => {
    const first = await (await call('/api/customer/calls?limit=4', { token: tenantToken })).json<{ data: Array<Record<string, unknown>>; has_more: boolean; next_cursor: string }>();
    expect(first.data.map((c) => c.call_id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(first.data[1]).toMatchObject({ status: 'failed', failure_reason: "The agent's voice could not be produced.", cost_micros: billed(seed[1] as SeedCall) });
    expect(first.data[2]).toMatchObject({ status: 'abandoned', failure_reason: 'The caller hung up before the call finished.' });
    const second = await (await call(`/api/customer/calls?limit=4&cursor=${first.next_cursor}`, { token: tenantToken })).json<{ data: Array<{ call_id: string }>; has_more: boolean }>();
    expect(second.data.map((c) => c.call_id)).toEqual(['a5', 'a6', 'a7']);
    expect(second.has_more).toBe(false);
    const csv = await call('/api/customer/calls.csv', { token: tenantToken });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('call_id,started_at,ended_at,duration_ms,status,failure_reason,cost_micros');
    expect(lines).toHaveLength(seed.length + 1);
  });

  describe('isolation', () => {
    const forgeries = ['?customer_id=OTHER', '?customer=OTHER', '?tenant=OTHER'];
    it.each(['/api/customer/overview', '/api/customer/usage', '/api/customer/calls', '/api/customer/calls.csv', '/api/customer/session'])('%s never answers about another tenant', async (path) => {
      for (const forged of forgeries) {
        const response = await call(`${path}${forged.replace('OTHER', other)}`, { token: tenantToken });
        // Unknown parameters are refused outright rather than ignored.
        expect(response.status).toBe(400);
      }
      const own = await (await call(path, { token: tenantToken })).text();
      const theirs = await (await call(path, { token: otherToken })).text();
      expect(own).not.toContain(other);
      expect(theirs).not.toContain(tenant);
      expect(own).not.toEqual(theirs);
    });

    it('never carries providers, markups, token counts or percentiles', async () => {
      for (const path of ['/api/customer/overview', '/api/customer/usage?days=30', '/api/customer/calls', '/api/customer/calls.csv', '/api/customer/session']) {
        const text = (await (await call(path, { token: tenantToken })).text()).toLowerCase();
        for (const forbidden of ['openai', 'deepgram', 'cartesia', 'twilio', 'markup', 'tokens', 'p95', 'p99', 'percentile', '+1415', 'provider']) {
          expect(text).not.toContain(forbidden);
        }
      }
    });

    it('refuses operator endpoints and another customer cursor', async () => {
      expect((await call('/api/ops/calls', { token: tenantToken })).status).toBe(403);
      const page = await (await call('/api/customer/calls?limit=1', { token: otherToken })).json<{ next_cursor: string }>();
      const response = await call(`/api/customer/calls?cursor=${page.next_cursor}`, { token: tenantToken });
      expect(response.status).toBe(400);
    });
  });

  it('lets an operator open a read-only view-session of one customer, audited', async () => {
    const operator = await operatorToken('support@example.test');
    const response = await call(`/api/ops/customers/${tenant}/view-session`, { method: 'POST', token: operator });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ role: 'customer', customer_id: tenant, acting_operator: 'support@example.test', read_only: true });
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^sb_view_session=/);
    const expires = Date.parse((await (await call('/api/customer/session', { headers: { cookie } })).json<{ expires_at: string }>()).expires_at);
    expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const overview = await call('/api/customer/overview', { headers: { cookie } });
    expect((await overview.json<Overview>()).metrics.total_calls?.value).toBeGreaterThan(0);
    const audit = await sql<{ actor: string }>(`SELECT actor FROM audit_log WHERE action = 'customer.view_session' AND subject_id = $1`, [tenant]);
    expect(audit).toEqual([{ actor: 'support@example.test' }]);
    expect((await call('/api/ops/customers/nobody-at-all/view-session', { method: 'POST', token: operator })).status).toBe(404);
  });
});
