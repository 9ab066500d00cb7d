// Data lifecycle (CONTRACT section 5): erasing one call, purging a phone number and retention
// erase exactly the content named (transcripts, tool payloads, error text, numbers, raw events,
// recordings) and nothing else, and no billed figure moves: totals checked against hand-computed
// amounts and plain SQL, the hourly rollups, the customer overview, usage and invoices (open and
// issued) after a refresh.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../workers/lifecycle/retention.ts';
import { openDatabase } from '../../workers/db/client.ts';
import { recordingKey } from '../../workers/recordings/recordings.ts';
import { call, customerToken, operatorToken, queryRows, uniqueCustomerId, type ErrorBody } from './support.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const markupBps = 2500;
const feePerMinute = 5_000;

interface SeedCall {
  callId: string;
  from: string;
  to: string;
  /** Ago from the seeding moment; null for a call that never ended. */
  endedAgoMs: number | null;
  startedAgoMs: number;
  durationMs: number;
  status: 'completed' | 'failed' | 'abandoned';
  providerCostMicros: number;
}

const billed = (c: SeedCall) => Math.floor((c.providerCostMicros * (10_000 + markupBps) + 5_000) / 10_000) + Math.ceil(c.durationMs / 60_000) * feePerMinute;

function seedCall(callId: string, fields: Partial<SeedCall> = {}): SeedCall {
  return {
    callId,
    from: '+14155550100',
    to: '+18005550100',
    endedAgoMs: 2 * hour,
    startedAgoMs: 2 * hour + 95_000,
    durationMs: 95_000,
    status: 'completed',
    providerCostMicros: 12_345,
    ...fields,
  };
}

/** Every kind of content a call carries, each naming its call so a leak is easy to spot. */
function eventsFor(customerId: string, seeds: SeedCall[], nowMs: number): unknown[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return seeds.flatMap((c) => {
    const startedMs = nowMs - c.startedAgoMs;
    const base = (suffix: string, at: number) => ({ id: `${c.callId}-${suffix}`, customer_id: customerId, call_id: c.callId, ts: iso(at) });
    const events: unknown[] = [
      { ...base('s', startedMs), type: 'call.started', direction: 'inbound', from: c.from, to: c.to, agent_id: 'a', agent_version: 'v', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } },
      { ...base('t0', startedMs + 5_000), type: 'call.turn', turn: 0, user_text: `hello from ${c.callId}`, agent_text: `hi ${c.callId}`, stt_ms: 100, llm_ms: 300, tts_ms: 90, e2e_ms: 610, interrupted: false },
      { ...base('t1', startedMs + 20_000), type: 'call.turn', turn: 1, user_text: `my card for ${c.callId}`, agent_text: `noted ${c.callId}`, stt_ms: 120, llm_ms: 350, tts_ms: 80, e2e_ms: 700, interrupted: true },
      { ...base('p', startedMs + 6_000), type: 'provider.request', kind: 'llm', provider: 'openai', ok: true, latency_ms: 300 },
      { ...base('k', startedMs + 30_000), type: 'tool.call', name: 'lookup', ok: false, latency_ms: 40, arguments: { account: `acct-${c.callId}` }, result: { balance: 12 }, error: `no account acct-${c.callId}` },
      { ...base('x', startedMs + 31_000), type: 'call.error', component: 'tool', code: 'tool_failed', message: `lookup failed for ${c.callId}`, stack: `at lookup (${c.callId})` },
    ];
    if (c.endedAgoMs !== null) {
      events.push({
        ...base('e', nowMs - c.endedAgoMs),
        type: 'call.ended',
        status: c.status,
        duration_ms: c.durationMs,
        ttfa_ms: 700,
        escalated: false,
        task_success: true,
        cost: [{ component: 'llm', provider: 'openai', quantity: 900, unit: 'tokens', cost_micros: c.providerCostMicros }],
      });
      events.push({ ...base('f', nowMs - c.endedAgoMs + 1_000), type: 'call.feedback', csat: 4 });
    }
    return events.map((event) => ({ event, raw: event }));
  });
}

/** History older than 24 h cannot come through the API: it is written the way the backfill writes it. */
async function seed(customerId: string, seeds: SeedCall[], nowMs: number): Promise<void> {
  await queryRows('SELECT ingest_events($1::jsonb)', [JSON.stringify(eventsFor(customerId, seeds, nowMs))]);
}

async function createCustomer(operator: string, id: string, fields: Record<string, unknown> = {}): Promise<string> {
  expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id, markup_bps: markupBps, fee_per_minute_micros: feePerMinute, ...fields } })).status).toBe(201);
  const key = await call('/api/ops/ingest-keys', { method: 'POST', token: operator, json: { customer_id: id } });
  return (await key.json<{ key: string }>()).key;
}

async function uploadRecording(ingestKey: string, customerId: string, callId: string): Promise<Response> {
  const bytes = new TextEncoder().encode(`RIFF recording of ${callId}`);
  return call(`/v1/calls/${customerId}/${callId}/audio`, { method: 'PUT', headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'audio/wav' }, body: bytes });
}

interface Figures {
  totals: Array<{ customer_id: string; calls: number; billed: string; provider_cost: string; duration: string; statuses: string }>;
  rollups: unknown[];
  overview: unknown;
  usage: unknown;
  invoices: unknown;
}

/** What billing, invoices and the dashboards read, after a refresh: none of it may change with an erasure. */
async function figures(operator: string, customerIds: string[]): Promise<Figures> {
  expect((await call('/api/ops/refresh', { method: 'POST', token: operator })).status).toBe(200);
  const totals = await queryRows<Figures['totals'][number]>(
    `SELECT customer_id, count(*)::int AS calls, sum(billed_micros)::text AS billed, sum(provider_cost_micros)::text AS provider_cost,
            sum(coalesce(duration_ms, 0))::text AS duration, string_agg(coalesce(status, '-'), ',' ORDER BY call_id COLLATE "C") AS statuses
     FROM calls WHERE customer_id = ANY($1) GROUP BY customer_id ORDER BY customer_id COLLATE "C"`,
    [customerIds],
  );
  const rollups = await queryRows('SELECT * FROM customer_hourly_rollups WHERE customer_id = ANY($1) ORDER BY customer_id COLLATE "C", hour', [customerIds]);
  const token = await customerToken(customerIds[0] ?? '');
  const { uptime, ...metrics } = (await (await call('/api/customer/overview', { token })).json<{ metrics: Record<string, { numerator: number; denominator: number }> }>()).metrics;
  // The month's elapsed minutes move with the clock between two reads; its incident minutes must not.
  const overview = { ...metrics, uptime_incident_minutes: uptime ? uptime.denominator - uptime.numerator : null };
  const usage = await (await call('/api/customer/usage?days=90', { token })).json<unknown>();
  const invoices = (await (await call('/api/customer/invoices', { token })).json<{ data: unknown[] }>()).data;
  expect(invoices.length).toBeGreaterThan(0);
  return { totals, rollups, overview, usage, invoices };
}

function expectedTotals(customerId: string, seeds: SeedCall[]) {
  const sum = (f: (c: SeedCall) => number) => String(seeds.reduce((total, c) => total + f(c), 0));
  const ended = seeds.filter((c) => c.endedAgoMs !== null);
  return {
    customer_id: customerId,
    calls: seeds.length,
    billed: sum((c) => (c.endedAgoMs === null ? 0 : billed(c))),
    provider_cost: sum((c) => (c.endedAgoMs === null ? 0 : c.providerCostMicros)),
    duration: String(ended.reduce((total, c) => total + c.durationMs, 0)),
    statuses: [...seeds].sort((a, b) => (a.callId < b.callId ? -1 : 1)).map((c) => (c.endedAgoMs === null ? '-' : c.status)).join(','),
  };
}

interface ContentRow {
  call_id: string;
  from_number: string | null;
  to_number: string | null;
  audio_key: string | null;
  erased: boolean;
  texts: string[];
  tool_payloads: number;
  tool_errors: string[];
  error_messages: string[];
  stacks: number;
  events: number;
  latencies: string[];
}

/** Each call's content, read straight from the tables. */
async function contentOf(customerId: string): Promise<Map<string, ContentRow>> {
  const rows = await queryRows<ContentRow>(
    `SELECT c.call_id, c.from_number, c.to_number, c.audio_key, c.content_erased_at IS NOT NULL AS erased,
            (SELECT coalesce(array_agg(x ORDER BY x COLLATE "C"), '{}') FROM call_turns t, unnest(ARRAY[t.user_text, t.agent_text]) x
              WHERE t.customer_id = c.customer_id AND t.call_id = c.call_id AND x IS NOT NULL) AS texts,
            (SELECT count(*)::int FROM tool_calls k WHERE k.customer_id = c.customer_id AND k.call_id = c.call_id AND (k.arguments IS NOT NULL OR k.result IS NOT NULL)) AS tool_payloads,
            (SELECT coalesce(array_agg(k.error), '{}') FROM tool_calls k WHERE k.customer_id = c.customer_id AND k.call_id = c.call_id) AS tool_errors,
            (SELECT coalesce(array_agg(e.message), '{}') FROM call_errors e WHERE e.customer_id = c.customer_id AND e.call_id = c.call_id) AS error_messages,
            (SELECT count(*)::int FROM call_errors e WHERE e.customer_id = c.customer_id AND e.call_id = c.call_id AND e.stack IS NOT NULL) AS stacks,
            (SELECT count(*)::int FROM events v WHERE v.customer_id = c.customer_id AND v.call_id = c.call_id) AS events,
            (SELECT array_agg(t.e2e_ms::text ORDER BY t.turn) FROM call_turns t WHERE t.customer_id = c.customer_id AND t.call_id = c.call_id) AS latencies
     FROM calls c WHERE c.customer_id = $1`,
    [customerId],
  );
  return new Map(rows.map((row) => [row.call_id, row]));
}

function expectErased(row: ContentRow | undefined): void {
  expect(row).toMatchObject({ from_number: null, to_number: null, audio_key: null, erased: true, texts: [], tool_payloads: 0, tool_errors: ['[erased]'], error_messages: ['[erased]'], stacks: 0, events: 0, latencies: ['610', '700'] });
}

function expectIntact(row: ContentRow | undefined, c: SeedCall, eventCount: number): void {
  expect(row).toMatchObject({
    from_number: c.from,
    to_number: c.to,
    erased: false,
    texts: [`hello from ${c.callId}`, `hi ${c.callId}`, `my card for ${c.callId}`, `noted ${c.callId}`].sort(),
    tool_payloads: 1,
    tool_errors: [`no account acct-${c.callId}`],
    error_messages: [`lookup failed for ${c.callId}`],
    stacks: 1,
    events: eventCount,
    latencies: ['610', '700'],
  });
}

async function auditOf(subjectType: string, subjectId: string) {
  return queryRows<{ actor: string; action: string; at: Date; before: unknown; after: Record<string, unknown> }>(
    'SELECT actor, action, at, before, after FROM audit_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY id',
    [subjectType, subjectId],
  );
}

describe('erasing one call', () => {
  const tenant = uniqueCustomerId('erase');
  const other = uniqueCustomerId('erase-other');
  const number = '+14155551234';
  const target = seedCall('target', { from: number, providerCostMicros: 40_001, durationMs: 61_000, startedAgoMs: 3 * hour });
  const neighbour = seedCall('neighbour', { to: number, status: 'failed', providerCostMicros: 7_777 });
  const elsewhere = seedCall('target', { from: number, providerCostMicros: 999 });
  let operator: string;
  let tenantKey: string;
  let before: Figures;

  beforeAll(async () => {
    operator = await operatorToken('dpo@erase.test');
    tenantKey = await createCustomer(operator, tenant);
    const otherKey = await createCustomer(operator, other);
    const nowMs = Date.now();
    await seed(tenant, [target, neighbour], nowMs);
    await seed(other, [elsewhere], nowMs);
    for (const [key, customerId, callId] of [[tenantKey, tenant, 'target'], [tenantKey, tenant, 'neighbour'], [otherKey, other, 'target']] as const) {
      expect((await uploadRecording(key, customerId, callId)).status).toBe(201);
    }
    before = await figures(operator, [tenant, other]);
    const erased = await call(`/api/ops/calls/${tenant}/target`, { method: 'DELETE', token: operator });
    expect(erased.status).toBe(204);
  });

  it('erases exactly that call: its texts, tool payloads, error text, numbers, raw events and recording', async () => {
    const content = await contentOf(tenant);
    expectErased(content.get('target'));
    expectIntact(content.get('neighbour'), neighbour, 8);
    expectIntact((await contentOf(other)).get('target'), elsewhere, 8);
    expect(await env.RECORDINGS.head(recordingKey(tenant, 'target'))).toBeNull();
    expect(await env.RECORDINGS.head(recordingKey(tenant, 'neighbour'))).not.toBeNull();
    expect(await env.RECORDINGS.head(recordingKey(other, 'target'))).not.toBeNull();
  });

  it('answers 404 for the call detail and its audio, while the neighbour still answers', async () => {
    expect((await call(`/api/ops/calls/${tenant}/target`, { token: operator })).status).toBe(404);
    expect((await call(`/api/ops/calls/${tenant}/target/audio`, { token: operator })).status).toBe(404);
    const detail = await call(`/api/ops/calls/${tenant}/neighbour`, { token: operator });
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ metadata: { to: number }, transcript: [{ user_text: 'hello from neighbour' }, { user_text: 'my card for neighbour' }] });
    expect((await call(`/api/ops/calls/${other}/target`, { token: operator })).status).toBe(200);
  });

  it('lists the call with its billed amount but without its numbers, and the phone filter no longer finds it', async () => {
    const listed = await (await call(`/api/ops/calls?customer_id=${tenant}`, { token: operator })).json<{ data: Array<Record<string, unknown>> }>();
    expect(listed.data.find((row) => row.call_id === 'target')).toMatchObject({ from: null, to: null, cost_micros: billed(target), duration_ms: target.durationMs, status: 'completed' });
    const byPhone = await (await call(`/api/ops/calls?customer_id=${tenant}&phone=${encodeURIComponent(number)}`, { token: operator })).json<{ data: Array<{ call_id: string }> }>();
    expect(byPhone.data.map((row) => row.call_id)).toEqual(['neighbour']);
    const csv = await (await call(`/api/ops/calls.csv?customer_id=${tenant}`, { token: operator })).text();
    const targetLine = csv.split('\r\n').find((line) => line.startsWith(`${tenant},target,`));
    expect(targetLine).toBeDefined();
    expect(targetLine).not.toContain(number);
  });

  it('changes no total, rollup, overview or usage figure', async () => {
    const after = await figures(operator, [tenant, other]);
    expect(after).toEqual(before);
    expect(after.totals).toEqual([expectedTotals(tenant, [target, neighbour]), expectedTotals(other, [elsewhere])].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)));
  });

  it('is audited with who, when and what was erased, and erasing it again changes nothing', async () => {
    expect((await call(`/api/ops/calls/${tenant}/target`, { method: 'DELETE', token: operator })).status).toBe(204);
    const audit = await auditOf('call', `${tenant}/target`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'dpo@erase.test',
      action: 'call.erase',
      before: { content_erased_at: null },
      after: { erased: { calls: 1, turns: 2, tool_calls: 1, errors: 1, events: 8, recordings: 1 } },
    });
    expect(Date.now() - audit[0]!.at.getTime()).toBeLessThan(60_000);
    expect(JSON.stringify(audit)).not.toContain(number);
  });

  it('answers 404 for a call that does not exist', async () => {
    const response = await call(`/api/ops/calls/${tenant}/no-such-call`, { method: 'DELETE', token: operator });
    expect(response.status).toBe(404);
    expect((await response.json<ErrorBody>()).error.code).toBe('not_found');
    expect((await call(`/api/ops/calls/${tenant}/target`, { method: 'DELETE', token: await customerToken(tenant) })).status).toBe(403);
  });

  it('keeps the call erased when its events or recording arrive late', async () => {
    const lateNow = Date.now();
    const late = eventsFor(tenant, [seedCall('target', { from: number })], lateNow).filter((e) => {
      const id = (e as { event: { id: string } }).event.id;
      return id === 'target-s' || id === 'target-t1';
    });
    // New ids, so they are new events rather than duplicates.
    const relabelled = late.map((e) => {
      const event = { ...(e as { event: Record<string, unknown> }).event };
      event.id = `${String(event.id)}-late`;
      if (event.type === 'call.turn') event.turn = 2;
      return { event, raw: event };
    });
    await queryRows('SELECT ingest_events($1::jsonb)', [JSON.stringify(relabelled)]);
    const row = (await contentOf(tenant)).get('target');
    expect(row).toMatchObject({ from_number: null, to_number: null, erased: true, texts: [], events: 0 });
    expect(row?.latencies).toEqual(['610', '700', '700']);

    const upload = await uploadRecording(tenantKey, tenant, 'target');
    expect(upload.status).toBe(409);
    expect(await env.RECORDINGS.head(recordingKey(tenant, 'target'))).toBeNull();
  });
});

describe('purging a phone number', () => {
  const tenant = uniqueCustomerId('purge');
  const other = uniqueCustomerId('purge-other');
  const number = '+442071234567';
  const fromIt = seedCall('from-it', { from: number, providerCostMicros: 5_001 });
  const toIt = seedCall('to-it', { to: number, durationMs: 300_001, status: 'abandoned', endedAgoMs: 26 * hour, startedAgoMs: 27 * hour });
  const unrelated = seedCall('unrelated', { from: '+33123456789', to: '+18005550100' });
  const atOther = seedCall('at-other', { from: number });
  let operator: string;
  let before: Figures;
  let report: { customer_id: string; calls_erased: number; erased: Record<string, number>; duration_ms: number };

  beforeAll(async () => {
    operator = await operatorToken('dpo@purge.test');
    const tenantKey = await createCustomer(operator, tenant);
    await createCustomer(operator, other);
    const nowMs = Date.now();
    await seed(tenant, [fromIt, toIt, unrelated], nowMs);
    await seed(other, [atOther], nowMs);
    expect((await uploadRecording(tenantKey, tenant, 'to-it')).status).toBe(201);
    before = await figures(operator, [tenant, other]);
    const response = await call('/api/ops/purges', { method: 'POST', token: operator, json: { customer_id: tenant, phone: number } });
    expect(response.status).toBe(200);
    report = await response.json();
  });

  it('answers how many calls it erased', () => {
    expect(report).toMatchObject({ customer_id: tenant, calls_erased: 2, erased: { calls: 2, turns: 4, tool_calls: 2, errors: 2, events: 16, recordings: 1 } });
    expect(report.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('erases every call to or from the number at that customer and nothing else', async () => {
    const content = await contentOf(tenant);
    expectErased(content.get('from-it'));
    expectErased(content.get('to-it'));
    expectIntact(content.get('unrelated'), unrelated, 8);
    expectIntact((await contentOf(other)).get('at-other'), atOther, 8);
    expect(await env.RECORDINGS.head(recordingKey(tenant, 'to-it'))).toBeNull();
  });

  it('leaves the number nowhere in that customer’s call list or CSV export', async () => {
    const byPhone = await (await call(`/api/ops/calls?customer_id=${tenant}&phone=${encodeURIComponent(number)}`, { token: operator })).json<{ data: unknown[] }>();
    expect(byPhone.data).toEqual([]);
    const listed = await (await call(`/api/ops/calls?customer_id=${tenant}`, { token: operator })).text();
    expect(listed).not.toContain(number);
    const csv = await (await call(`/api/ops/calls.csv?customer_id=${tenant}`, { token: operator })).text();
    expect(csv).not.toContain(number);
    expect(csv).toContain('+33123456789');
    const atOtherCustomer = await (await call(`/api/ops/calls?customer_id=${other}&phone=${encodeURIComponent(number)}`, { token: operator })).json<{ data: Array<{ call_id: string }> }>();
    expect(atOtherCustomer.data.map((row) => row.call_id)).toEqual(['at-other']);
  });

  it('changes no total, rollup, overview or usage figure', async () => {
    const after = await figures(operator, [tenant, other]);
    expect(after).toEqual(before);
    expect(after.totals.find((t) => t.customer_id === tenant)).toEqual(expectedTotals(tenant, [fromIt, toIt, unrelated]));
  });

  it('is audited without the number it was asked to forget', async () => {
    const audit = await auditOf('customer', tenant);
    const purge = audit.find((entry) => entry.action === 'calls.purge');
    expect(purge).toMatchObject({ actor: 'dpo@purge.test', after: { phone: '+4•••••••••67', calls_erased: 2, call_ids: ['from-it', 'to-it'] } });
    expect(JSON.stringify(audit)).not.toContain(number);
  });

  it('finds nothing more to erase when asked again', async () => {
    const again = await call('/api/ops/purges', { method: 'POST', token: operator, json: { customer_id: tenant, phone: number } });
    expect(await again.json()).toMatchObject({ calls_erased: 0 });
  });

  it.each([
    [{ customer_id: 'x', phone: '4420' }, 'phone'],
    [{ customer_id: 'nobody-by-this-name', phone: '+442071234567' }, 'customer_id'],
    [{ phone: '+442071234567' }, 'customer_id'],
  ])('answers 400 naming the field for %j', async (json, path) => {
    const response = await call('/api/ops/purges', { method: 'POST', token: operator, json });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorBody>()).error.details.map((d) => d.path)).toContain(path);
  });
});

describe('retention', () => {
  const short = uniqueCustomerId('retain-30');
  const long = uniqueCustomerId('retain-90');
  const old = seedCall('old', { endedAgoMs: 40 * day, startedAgoMs: 40 * day + 95_000 });
  const oldWithRecording = seedCall('old-recorded', { endedAgoMs: 31 * day, startedAgoMs: 31 * day + 95_000, status: 'failed' });
  const neverEnded = seedCall('never-ended', { endedAgoMs: null, startedAgoMs: 45 * day });
  const young = seedCall('young', { endedAgoMs: 20 * day, startedAgoMs: 20 * day + 95_000 });
  const oldAtLong = seedCall('old', { endedAgoMs: 40 * day, startedAgoMs: 40 * day + 95_000 });
  let operator: string;
  let before: Figures;

  beforeAll(async () => {
    operator = await operatorToken('ops@retention.test');
    await createCustomer(operator, short, { retention_days: 30 });
    await createCustomer(operator, long);
    const nowMs = Date.now();
    await seed(short, [old, oldWithRecording, neverEnded, young], nowMs);
    await seed(long, [oldAtLong], nowMs);
    // A recording stored long ago (uploads only accept calls the edge knows, so it is written directly).
    await env.RECORDINGS.put(recordingKey(short, 'old-recorded'), 'RIFF old');
    await queryRows('UPDATE calls SET audio_key = $3 WHERE customer_id = $1 AND call_id = $2', [short, 'old-recorded', recordingKey(short, 'old-recorded')]);
    // The month of the oldest call is over: its invoice is issued before retention runs.
    expect((await call('/api/ops/refresh', { method: 'POST', token: operator })).status).toBe(200);
    const oldMonth = new Date(nowMs - old.endedAgoMs!).toISOString().slice(0, 7);
    expect((await call(`/api/ops/invoices/${short}/${oldMonth}/issue`, { method: 'POST', token: operator })).status).toBe(201);
    before = await figures(operator, [short, long]);
    const inOldMonth = [old, oldWithRecording, young].filter((c) => new Date(nowMs - c.endedAgoMs!).toISOString().slice(0, 7) === oldMonth);
    expect(before.invoices).toContainEqual(expect.objectContaining({ month: oldMonth, status: 'issued', subtotal_micros: inOldMonth.reduce((sum, c) => sum + billed(c), 0) }));
  });

  it('erases the calls older than each customer’s retention and leaves younger ones', async () => {
    const response = await call('/api/ops/retention/run', { method: 'POST', token: operator });
    expect(response.status).toBe(200);
    const report = await response.json<{ complete: boolean; duration_ms: number; customers: Array<{ customer_id: string; retention_days: number; calls: number }> }>();
    expect(report.complete).toBe(true);
    expect(report.customers.find((c) => c.customer_id === short)).toMatchObject({ retention_days: 30, calls: 3 });
    expect(report.customers.find((c) => c.customer_id === long)).toBeUndefined();

    const content = await contentOf(short);
    expectErased(content.get('old'));
    expectErased(content.get('old-recorded'));
    expect(content.get('never-ended')).toMatchObject({ erased: true, texts: [], from_number: null, events: 0 });
    expectIntact(content.get('young'), young, 8);
    expectIntact((await contentOf(long)).get('old'), oldAtLong, 8);
    expect(await env.RECORDINGS.head(recordingKey(short, 'old-recorded'))).toBeNull();
    const audit = await queryRows<{ actor: string; after: { complete: boolean } }>(`SELECT actor, after FROM audit_log WHERE action = 'retention.run' AND actor = 'ops@retention.test'`);
    expect(audit).toHaveLength(1);
  });

  it('changes no total, rollup, overview or usage figure', async () => {
    const after = await figures(operator, [short, long]);
    expect(after).toEqual(before);
    expect(after.totals).toEqual([expectedTotals(short, [old, oldWithRecording, neverEnded, young]), expectedTotals(long, [oldAtLong])].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)));
  });

  it('measures retention from the moment it is given: 15 days on, the 20-day-old call is due too', async () => {
    const database = openDatabase(env);
    try {
      const report = await runRetention({ db: database.db, env, actor: 'test', now: new Date(Date.now() + 15 * day) });
      expect(report.customers.find((c) => c.customer_id === short)).toMatchObject({ calls: 1 });
      expect(report.customers.find((c) => c.customer_id === long)).toBeUndefined();
    } finally {
      await database.close();
    }
    expectErased((await contentOf(short)).get('young'));
    expectIntact((await contentOf(long)).get('old'), oldAtLong, 8);
  });

  it('stops when its time budget is spent and the next run continues', async () => {
    const customer = uniqueCustomerId('retain-budget');
    await createCustomer(operator, customer, { retention_days: 1 });
    await seed(customer, [seedCall('b1', { endedAgoMs: 3 * day, startedAgoMs: 3 * day + 95_000 }), seedCall('b2', { endedAgoMs: 4 * day, startedAgoMs: 4 * day + 95_000 }), seedCall('b3', { endedAgoMs: 5 * day, startedAgoMs: 5 * day + 95_000 })], Date.now());
    const database = openDatabase(env);
    try {
      let tick = 0;
      const clock = () => tick++ * 1_000;
      const first = await runRetention({ db: database.db, env, actor: 'test', timeBudgetMs: 2_500, clock, batchSize: 1 });
      expect(first).toMatchObject({ complete: false, batches: 2 });
      const second = await runRetention({ db: database.db, env, actor: 'test', batchSize: 1 });
      expect(second.complete).toBe(true);
    } finally {
      await database.close();
    }
    const content = await contentOf(customer);
    for (const callId of ['b1', 'b2', 'b3']) expect(content.get(callId)?.erased).toBe(true);
  });
});
