// Drill: events up to 24 h late and out of order around hour, day and month boundaries. Through
// the API: calls ending just before, at and just after the current hour and day, and ~24 h ago,
// their call.ended sent before their call.started and the latest last. Past the 24 h window (the
// month boundary, unless the month began today) the events are written the way the backfill
// writes them, `SELECT ingest_events(...)`. After POST /api/ops/refresh each call must count in
// the hour, day and month of its call.ended: hourly rollups (plain SQL), /api/customer/usage,
// the overview's month and both months' invoices.
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventually, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendUntilAnswered } from './support/ingest-client.ts';
import { billedMicros, customerFields, drillCustomer, rateCardOf, type RateCard } from './support/ledger.ts';

export interface LateEventsParams {
  /** Extra calls per boundary, to give each bucket more than one call. */
  callsPerPoint: number;
}

interface PlannedCall {
  callId: string;
  startedMs: number;
  endedMs: number;
  costMicros: number;
  /** Older than the API accepts: written with ingest_events(). */
  viaSql: boolean;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
const iso = (ms: number): string => new Date(ms).toISOString();
const monthOf = (ms: number): string => iso(ms).slice(0, 7);

function callEvents(customerId: string, call: PlannedCall): { started: SwitchboardEvent; ended: SwitchboardEvent } {
  const envelope = (kind: string, ms: number) => ({ id: `${call.callId}-${kind}`, customer_id: customerId, call_id: call.callId, ts: iso(ms) });
  return {
    started: {
      type: 'call.started',
      ...envelope('started', call.startedMs),
      direction: 'inbound',
      from: '+14155550100',
      to: '+18005550142',
      agent_id: 'late-drill',
      agent_version: '1',
      region: 'us',
      providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' },
    },
    ended: {
      type: 'call.ended',
      ...envelope('ended', call.endedMs),
      status: 'completed',
      duration_ms: call.endedMs - call.startedMs,
      ttfa_ms: 850,
      escalated: false,
      task_success: true,
      cost: [{ component: 'llm', provider: 'openai', quantity: 1_200, unit: 'tokens', cost_micros: call.costMicros }],
    },
  };
}

function plan(customerId: string, nowMs: number, callsPerPoint: number): PlannedCall[] {
  const hour = floorTo(nowMs, hourMs);
  const day = floorTo(nowMs, dayMs);
  const lateHour = floorTo(nowMs - 23 * hourMs, hourMs);
  const now = new Date(nowMs);
  const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const oldestForApi = nowMs - dayMs + 5 * 60_000;
  // Each point is a call.ended instant; the call starts a little before it (across the boundary for some).
  const points: Array<[string, number, number]> = [
    ['hour-before', hour - 1, 65_000],
    ['hour-at', hour, 30_000],
    ['hour-after', hour + 1, 125_000],
    ['day-before', day - 1, 40_000],
    ['day-at', day, 95_000],
    ['late-24h', nowMs - dayMs + 10 * 60_000, 120_000],
    ['late-hour-before', lateHour - 1, 61_000],
    ['late-hour-at', lateHour, 59_000],
    ['month-before', month - 1, 61_000],
    ['month-at', month, 120_000],
    ['month-after', month + 1, 1_000],
  ];
  const calls: PlannedCall[] = [];
  points.forEach(([label, endedMs, durationMs], p) => {
    for (let i = 0; i < callsPerPoint; i++) {
      const startedMs = endedMs - durationMs - i * 1_000;
      calls.push({ callId: `${customerId}-${label}-${i}`, startedMs, endedMs, costMicros: 1_000 + 7_919 * (p + 1) + 13 * i, viaSql: startedMs < oldestForApi });
    }
  });
  return calls;
}

function bucket(calls: readonly PlannedCall[], key: (ms: number) => string, rate: RateCard): Map<string, { calls: number; billed: bigint }> {
  const out = new Map<string, { calls: number; billed: bigint }>();
  for (const call of calls) {
    const k = key(call.endedMs);
    const current = out.get(k) ?? { calls: 0, billed: 0n };
    out.set(k, { calls: current.calls + 1, billed: current.billed + billedMicros(BigInt(call.costMicros), BigInt(call.endedMs - call.startedMs), rate) });
  }
  return out;
}

function sameBuckets(expected: Map<string, { calls: number; billed: bigint }>, actual: Map<string, { calls: number; billed: bigint }>): string | null {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const wrong = keys.filter((k) => expected.get(k)?.calls !== actual.get(k)?.calls || expected.get(k)?.billed !== actual.get(k)?.billed);
  if (wrong.length === 0) return null;
  return wrong.map((k) => `${k}: expected ${expected.get(k)?.calls ?? 0} calls / ${expected.get(k)?.billed ?? 0n}, got ${actual.get(k)?.calls ?? 0} / ${actual.get(k)?.billed ?? 0n}`).join('; ');
}

export const lateEvents: Drill<LateEventsParams> = {
  name: 'late-events',
  title: 'late and out-of-order events around hour, day and month boundaries',
  needs: {},
  full: { callsPerPoint: 3 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const customer = drillCustomer(`drill-late-${seed}`);
    const rate = rateCardOf(customer);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const nowMs = Date.now();
    const calls = plan(customer.id, nowMs, params.callsPerPoint);
    const viaApi = calls.filter((c) => !c.viaSql);
    const viaSql = calls.filter((c) => c.viaSql);
    log(`${viaApi.length} calls through the API, ${viaSql.length} older ones through ingest_events()`);

    // Out of order: every call.ended first (latest call first), then the starts, the oldest call last of all.
    const events = viaApi.map((c) => callEvents(customer.id, c));
    const byEndDescending = [...events].sort((a, b) => b.ended.ts.localeCompare(a.ended.ts));
    const oldest = byEndDescending.at(-1)!;
    const record = new IngestRecord();
    const send = (batch: SwitchboardEvent[]) => sendUntilAnswered(batch, { baseUrl: stack.baseUrl, key, record });
    await send(byEndDescending.filter((e) => e !== oldest).map((e) => e.ended));
    await send(byEndDescending.filter((e) => e !== oldest).map((e) => e.started).reverse());
    await send([oldest.ended, oldest.started]);
    verdict.check(record.rejected.length === 0, `events rejected: ${JSON.stringify(record.rejected.slice(0, 3))}`);
    if (viaSql.length > 0) {
      const batch = viaSql.flatMap((c) => Object.values(callEvents(customer.id, c))).map((event) => ({ event, raw: event }));
      await stack.sql.query('SELECT ingest_events($1::jsonb)', [JSON.stringify(batch)]);
    }
    const stored = await eventually(async () => {
      const result = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM calls WHERE customer_id = $1 AND started_at IS NOT NULL AND ended_at IS NOT NULL', [customer.id]);
      return result.rows[0]?.n === calls.length;
    }, 120_000);
    verdict.check(stored, `not all ${calls.length} calls were stored whole within 120 s`);
    const refresh = await stack.request('/api/ops/refresh', { method: 'POST' });
    verdict.check(refresh.status === 200, `POST /api/ops/refresh answered ${refresh.status}`);

    // Hours: the rollups, by plain SQL.
    const hourly = await stack.sql.query<{ hour: Date; calls: number; billed: string }>('SELECT hour, calls, billed_micros::text AS billed FROM customer_hourly_rollups WHERE customer_id = $1', [customer.id]);
    const actualHours = new Map(hourly.rows.map((r) => [iso(r.hour.getTime()), { calls: r.calls, billed: BigInt(r.billed) }]));
    const hourProblem = sameBuckets(bucket(calls, (ms) => iso(floorTo(ms, hourMs)), rate), actualHours);
    verdict.check(hourProblem === null, `hourly rollups: ${hourProblem}`);

    // Days: the customer's usage series, back to the day before the month began (at most 90 days).
    const token = await stack.customerToken(customer.id);
    const oldestDay = Math.min(...calls.map((c) => floorTo(c.endedMs, dayMs)));
    const days = Math.min(90, Math.round((floorTo(nowMs, dayMs) - oldestDay) / dayMs) + 1);
    const usage = (await (await stack.request(`/api/customer/usage?days=${days}`, { token })).json()) as Array<{ date: string; calls: number; cost_micros: number }>;
    const actualDays = new Map(usage.filter((d) => d.calls > 0 || d.cost_micros > 0).map((d) => [d.date, { calls: d.calls, billed: BigInt(d.cost_micros) }]));
    const dayProblem = sameBuckets(bucket(calls, (ms) => iso(ms).slice(0, 10), rate), actualDays);
    verdict.check(dayProblem === null, `usage by day: ${dayProblem}`);

    // Months: the overview's month and both months' invoices.
    const months = bucket(calls, monthOf, rate);
    const thisMonth = monthOf(nowMs);
    const overview = (await (await stack.request('/api/customer/overview', { token })).json()) as { month: string; metrics: Record<string, { value: number | null }> };
    verdict.check(overview.month === thisMonth, `the overview's month is ${overview.month}, not ${thisMonth}`);
    const expectedMonth = months.get(thisMonth) ?? { calls: 0, billed: 0n };
    verdict.check(
      overview.metrics.total_calls?.value === expectedMonth.calls && BigInt(overview.metrics.cost_micros?.value ?? -1) === expectedMonth.billed,
      `overview month: ${overview.metrics.total_calls?.value} calls / ${overview.metrics.cost_micros?.value}, expected ${expectedMonth.calls} / ${expectedMonth.billed}`,
    );
    const invoiceFacts: string[] = [];
    for (const [month, expected] of [...months].sort()) {
      const response = await stack.request(`/api/customer/invoices/${month}.json`, { token });
      const invoice = (await response.json()) as { subtotal_micros?: number };
      verdict.check(response.status === 200 && BigInt(invoice.subtotal_micros ?? -1) === expected.billed, `invoice ${month}: ${response.status}, subtotal ${invoice.subtotal_micros}, expected ${expected.billed}`);
      invoiceFacts.push(`${month}: ${expected.calls} calls, ${invoice.subtotal_micros} micro-USD`);
    }
    return {
      facts: [
        ['sent', `${calls.length} calls ending around ${iso(floorTo(nowMs, hourMs)).slice(11, 16)}, ${iso(floorTo(nowMs, dayMs)).slice(0, 10)}, ~24 h ago and ${thisMonth}-01 (${viaApi.length} through the API out of order, ${viaSql.length} by ingest_events)`],
        ['hours', `${actualHours.size} hourly rollups ${hourProblem === null ? 'as expected' : 'wrong'}`],
        ['days', `${actualDays.size} days in /api/customer/usage?days=${days} ${dayProblem === null ? 'as expected' : 'wrong'}`],
        ['months', invoiceFacts.join('; ')],
      ],
      failures: verdict.failures,
    };
  },
};
