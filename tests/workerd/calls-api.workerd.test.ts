// The operator's call list, call detail and CSV export against hand-built calls. Calls are stored
// with ingest_events() directly (history cannot go through POST /v1/events), in time windows of
// 2003-2005 that no other suite uses, and every expectation below is worked out by hand from the
// fixture table.
import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCalls, readCallListInput } from '../../workers/calls/list-calls.ts';
import { openDatabase } from '../../workers/db/client.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { call, customerToken, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

const minute = 60_000;
const hour = 60 * minute;
/** The window most tests look at: [T, T + 60 min). */
const T = Date.parse('2003-03-03T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const windowQuery = `from=${iso(T)}&to=${iso(T + hour)}`;

interface CallSpec {
  id: string;
  customer: string;
  start?: number;
  end?: number;
  status?: 'completed' | 'failed' | 'abandoned';
  durationMs?: number;
  e2e?: number[];
  /** Estimated provider cost; the test customers bill twice that (markup 100 %, no minute fee). */
  costMicros?: number;
  from?: string;
  to?: string;
  region?: string;
  agentId?: string;
  agentVersion?: string;
  providers?: Partial<Record<'stt' | 'llm' | 'tts' | 'telephony', string>>;
  errors?: number;
}

type Json = Record<string, unknown>;

function eventsOf(spec: CallSpec): Json[] {
  const envelope = (type: string, suffix: string, ts: number) => ({
    id: `${spec.id}-${suffix}`,
    type,
    customer_id: spec.customer,
    call_id: spec.id,
    ts: iso(ts),
  });
  const events: Json[] = [];
  const anchor = spec.start ?? spec.end ?? T;
  if (spec.start !== undefined) {
    events.push({
      ...envelope('call.started', 'started', spec.start),
      direction: 'inbound',
      from: spec.from ?? '+14155550100',
      to: spec.to ?? '+18005550100',
      agent_id: spec.agentId ?? 'front-desk',
      agent_version: spec.agentVersion ?? 'v7',
      region: spec.region ?? 'us',
      providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio', ...spec.providers },
    });
  }
  (spec.e2e ?? []).forEach((e2e, turn) => {
    events.push({
      ...envelope('call.turn', `turn-${turn}`, anchor + (turn + 1) * 1000),
      turn,
      user_text: `question ${turn}`,
      agent_text: `answer ${turn}`,
      stt_ms: 100,
      llm_ms: 200,
      tts_ms: 50,
      e2e_ms: e2e,
      interrupted: false,
    });
  });
  for (let i = 0; i < (spec.errors ?? 0); i++) {
    events.push({ ...envelope('call.error', `error-${i}`, anchor + 500), component: 'tts', code: 'rate_limited', message: 'slow down' });
  }
  if (spec.end !== undefined) {
    events.push({
      ...envelope('call.ended', 'ended', spec.end),
      status: spec.status ?? 'completed',
      duration_ms: spec.durationMs ?? spec.end - (spec.start ?? spec.end),
      ttfa_ms: 900,
      escalated: false,
      task_success: true,
      cost: [{ component: 'llm', provider: 'openai', quantity: 1000, unit: 'tokens', cost_micros: spec.costMicros ?? 0 }],
    });
  }
  return events;
}

async function withDatabase<T>(run: (db: ReturnType<typeof openDatabase>['db']) => Promise<T>): Promise<T> {
  const handle = openDatabase(env);
  try {
    return await run(handle.db);
  } finally {
    await handle.close();
  }
}

async function store(events: Json[]): Promise<void> {
  const batch = JSON.stringify(events.map((event) => ({ event, raw: event })));
  await withDatabase((db) => db.execute(sql`SELECT ingest_events(${batch}::jsonb)`));
}

async function createCustomer(label: string): Promise<string> {
  const id = uniqueCustomerId(label);
  const response = await call('/api/ops/customers', {
    method: 'POST',
    token: await operatorToken(),
    json: { id, markup_bps: 10_000, fee_per_minute_micros: 0 },
  });
  expect(response.status).toBe(201);
  return id;
}

interface ListRow {
  customer_id: string;
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  status: string;
  duration_ms: number | null;
  latency_ms: number | null;
  cost_micros: number;
  provider_cost_micros: number;
  region: string | null;
  from: string | null;
  to: string | null;
  agent_id: string | null;
  agent_version: string | null;
  providers: Record<string, string | null>;
  has_error: boolean;
  error_count: number;
  turn_count: number;
}

interface ListBody {
  data: ListRow[];
  has_more: boolean;
  next_cursor: string | null;
}

async function list(query: string): Promise<ListBody> {
  const response = await call(`/api/ops/calls?${query}`, { token: await operatorToken() });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<ListBody>();
}

async function listIds(query: string): Promise<string[]> {
  return (await list(query)).data.map((row) => row.call_id);
}

async function badRequestPaths(path: string): Promise<string[]> {
  const response = await call(path, { token: await operatorToken() });
  expect(response.status).toBe(400);
  const body = await response.json<ErrorBody>();
  expect(body.error.code).toBe('validation_failed');
  return body.error.details.map((detail) => detail.path);
}

describe('GET /api/ops/calls', () => {
  let a = '';
  let b = '';
  const now = Date.now();

  beforeAll(async () => {
    a = await createCustomer('callsa');
    b = await createCustomer('callsb');
    const specs: CallSpec[] = [
      // Started before the window and ended after it: active throughout.
      { id: 'c01-long', customer: a, start: T - 60 * minute, end: T + 120 * minute, e2e: [500, 1500], costMicros: 1000, from: '+14155550101', to: '+18005550101' },
      { id: 'c02-early', customer: a, start: T - 90 * minute, end: T - 30 * minute, e2e: [300], costMicros: 500, region: 'eu' },
      { id: 'c03-failed', customer: a, start: T + 10 * minute, end: T + 20 * minute, status: 'failed', e2e: [2500], costMicros: 3000, providers: { tts: 'eleven' } },
      { id: 'c04-after', customer: a, start: T + 70 * minute, end: T + 80 * minute, status: 'abandoned', costMicros: 0, region: 'ap' },
      { id: 'c05-error', customer: a, start: T + 30 * minute, end: T + 40 * minute, e2e: [800], costMicros: 2000, from: '+14155550123', providers: { llm: 'anthropic' }, errors: 1 },
      // No call.started: placed by its call.ended.
      { id: 'c06-ended-only', customer: a, end: T + 50 * minute, durationMs: minute, costMicros: 100 },
      // Started exactly at `to`: not before it.
      { id: 'c07-at-to', customer: a, start: T + 60 * minute, end: T + 61 * minute, e2e: [200], costMicros: 50 },
      // Ended exactly at `from`: not before it.
      { id: 'c08-ends-at-from', customer: a, start: T - 20 * minute, end: T, e2e: [900], costMicros: 700 },
      { id: 'c09-tie', customer: a, start: T + 30 * minute, end: T + 45 * minute, e2e: [800], costMicros: 2000 },
      // Same start, latency and cost as c05/c09, another customer, a smaller call id.
      { id: 'c00-b-tie', customer: b, start: T + 30 * minute, end: T + 35 * minute, e2e: [800], costMicros: 2000 },
      // Never ended: active in every window after its start.
      { id: 'c11-old-stale', customer: a, start: T - 300 * minute, e2e: [100] },
      { id: 'c12-live', customer: a, start: now - 10 * minute, e2e: [400], region: 'eu' },
      { id: 'c13-stale', customer: a, start: now - 5 * hour },
      // Only a turn so far: no place in time.
      { id: 'c14-orphan', customer: a, e2e: [50] },
    ];
    await store(specs.flatMap(eventsOf));
  });

  it('lists calls active in [from, to) newest first, ties by customer_id then call_id', async () => {
    expect(await listIds(windowQuery)).toEqual([
      'c06-ended-only',
      'c05-error',
      'c09-tie',
      'c00-b-tie',
      'c03-failed',
      'c08-ends-at-from',
      'c01-long',
      'c11-old-stale',
    ]);
  });

  it('answers every field of a row', async () => {
    const body = await list(`${windowQuery}&status=failed`);
    expect(body).toEqual({
      has_more: false,
      next_cursor: null,
      data: [
        {
          customer_id: a,
          call_id: 'c03-failed',
          started_at: '2003-03-03T10:10:00.000Z',
          ended_at: '2003-03-03T10:20:00.000Z',
          status: 'failed',
          duration_ms: 600_000,
          latency_ms: 2500,
          cost_micros: 6000,
          provider_cost_micros: 3000,
          region: 'us',
          from: '+14155550100',
          to: '+18005550100',
          agent_id: 'front-desk',
          agent_version: 'v7',
          providers: { stt: 'deepgram', llm: 'openai', tts: 'eleven', telephony: 'twilio' },
          has_error: true,
          error_count: 0,
          turn_count: 1,
        },
      ],
    });
  });

  it('takes from alone as "not ended before from" and to alone as "started before to"', async () => {
    expect(await listIds(`customer_id=${a}&from=${iso(T)}`)).toEqual([
      'c12-live',
      'c13-stale',
      'c04-after',
      'c07-at-to',
      'c06-ended-only',
      'c05-error',
      'c09-tie',
      'c03-failed',
      'c08-ends-at-from',
      'c01-long',
      'c11-old-stale',
    ]);
    expect(await listIds(`customer_id=${a}&to=${iso(T)}`)).toEqual(['c08-ends-at-from', 'c01-long', 'c02-early', 'c11-old-stale']);
  });

  it('shows in-progress and stale calls by the 4 h rule, and a call known only from a turn last', async () => {
    const rows = (await list(`customer_id=${a}`)).data;
    expect(rows.map((row) => row.call_id).slice(0, 2)).toEqual(['c12-live', 'c13-stale']);
    expect(rows.at(-1)).toMatchObject({ call_id: 'c14-orphan', started_at: null, ended_at: null, status: 'in_progress', latency_ms: 50 });
    expect(rows.find((row) => row.call_id === 'c12-live')).toMatchObject({ status: 'in_progress', ended_at: null, duration_ms: null, cost_micros: 0 });
    expect(await listIds(`customer_id=${a}&status=in_progress`)).toEqual(['c12-live', 'c14-orphan']);
    expect(await listIds(`customer_id=${a}&status=stale`)).toEqual(['c13-stale', 'c11-old-stale']);
  });

  it.each([
    ['customer_id', () => `customer_id=${b}`, ['c00-b-tie']],
    ['a status list', () => 'status=failed,stale', ['c03-failed', 'c11-old-stale']],
    ['repeated status', () => 'status=failed&status=stale', ['c03-failed', 'c11-old-stale']],
    ['min_latency_ms on the worst turn', () => 'min_latency_ms=1500', ['c03-failed', 'c01-long']],
    ['provider of any kind', () => 'provider=eleven', ['c03-failed']],
    ['provider of one kind', () => 'provider=anthropic&kind=llm', ['c05-error']],
    ['provider of another kind', () => 'provider=anthropic&kind=tts', []],
    ['has_error=true (failed or a call.error)', () => 'has_error=true', ['c05-error', 'c03-failed']],
    ['has_error=false', () => 'has_error=false', ['c06-ended-only', 'c09-tie', 'c00-b-tie', 'c08-ends-at-from', 'c01-long', 'c11-old-stale']],
  ])('filters the window by %s', async (_name, query, expected) => {
    expect(await listIds(`${windowQuery}&${query()}`)).toEqual(expected);
  });

  it('filters by phone on either number and by region', async () => {
    expect(await listIds(`customer_id=${a}&phone=%2B14155550123`)).toEqual(['c05-error']);
    expect(await listIds(`customer_id=${a}&phone=%2B18005550101`)).toEqual(['c01-long']);
    // An unencoded "+" arrives as a space and still means "+".
    expect(await listIds(`customer_id=${a}&phone=+14155550123`)).toEqual(['c05-error']);
    expect(await listIds(`customer_id=${a}&region=eu`)).toEqual(['c12-live', 'c02-early']);
  });

  it.each([
    ['started_at', ['c11-old-stale', 'c01-long', 'c08-ends-at-from', 'c03-failed', 'c05-error', 'c09-tie', 'c00-b-tie', 'c06-ended-only']],
    ['latency_ms', ['c03-failed', 'c01-long', 'c08-ends-at-from', 'c05-error', 'c09-tie', 'c00-b-tie', 'c11-old-stale', 'c06-ended-only']],
    ['-latency_ms', ['c03-failed', 'c01-long', 'c08-ends-at-from', 'c05-error', 'c09-tie', 'c00-b-tie', 'c11-old-stale', 'c06-ended-only']],
    ['cost_micros', ['c03-failed', 'c05-error', 'c09-tie', 'c00-b-tie', 'c01-long', 'c08-ends-at-from', 'c06-ended-only', 'c11-old-stale']],
    ['duration_ms', ['c01-long', 'c08-ends-at-from', 'c09-tie', 'c03-failed', 'c05-error', 'c00-b-tie', 'c06-ended-only', 'c11-old-stale']],
  ])('sorts by %s (latency, cost and duration largest first)', async (sort, expected) => {
    expect(await listIds(`${windowQuery}&sort=${sort}`)).toEqual(expected);
  });

  it.each(['-started_at', 'started_at', 'latency_ms', 'cost_micros', 'duration_ms'])(
    'pages through every row exactly once in order with sort=%s',
    async (sort) => {
      // The window, and a customer's whole list with its unplaced call (a '-infinity' place).
      for (const [query, rowCount] of [[windowQuery, 8], [`customer_id=${a}`, 13]] as const) {
        const all = await listIds(`${query}&sort=${sort}&limit=500`);
        expect(all).toHaveLength(rowCount);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const body: ListBody = await list(`${query}&sort=${sort}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          seen.push(...body.data.map((row) => row.call_id));
          expect(body.has_more).toBe(body.next_cursor !== null);
          cursor = body.next_cursor;
          pages++;
        } while (cursor !== null);
        expect(pages).toBe(Math.ceil(rowCount / 3));
        expect(seen).toEqual(all);
      }
    },
  );

  it('refuses a cursor that was edited or belongs to another sort', async () => {
    const first = await list(`${windowQuery}&limit=2`);
    const cursor = first.next_cursor ?? '';
    const flipped = `${cursor[0] === 'A' ? 'B' : 'A'}${cursor.slice(1)}`;
    expect(await badRequestPaths(`/api/ops/calls?${windowQuery}&limit=2&cursor=${encodeURIComponent(flipped)}`)).toEqual(['cursor']);
    expect(await badRequestPaths(`/api/ops/calls?${windowQuery}&limit=2&sort=latency_ms&cursor=${encodeURIComponent(cursor)}`)).toEqual(['cursor']);
    expect(await badRequestPaths(`/api/ops/calls?${windowQuery}&cursor=not-a-cursor`)).toEqual(['cursor']);
  });

  it('applies the 4 h rule at the time it is given', async () => {
    await withDatabase(async (db) => {
      const input = readCallListInput({ customer_id: [a], to: [iso(T)] });
      const statusAt = async (now: number) =>
        (await listCalls({ db, input, cursorSecret: 'test', now: new Date(now) })).data.find((row) => row.call_id === 'c11-old-stale')?.status;
      // c11 started at T - 300 min and never ended.
      expect(await statusAt(T - 60 * minute - 1)).toBe('in_progress');
      expect(await statusAt(T - 60 * minute)).toBe('in_progress');
      expect(await statusAt(T - 60 * minute + 1)).toBe('stale');
      const staleOnly = readCallListInput({ customer_id: [a], to: [iso(T)], status: ['stale'] });
      expect((await listCalls({ db, input: staleOnly, cursorSecret: 'test', now: new Date(T) })).data.map((row) => row.call_id)).toEqual(['c11-old-stale']);
      expect((await listCalls({ db, input: staleOnly, cursorSecret: 'test', now: new Date(T - 2 * hour) })).data).toEqual([]);
    });
  });

  it.each([
    ['from=yesterday', 'from'],
    ['from=2003-03-03T10:00:00.000%2B02:00', 'from'],
    ['to=2003-02-30T10:00:00.000Z', 'to'],
    [`from=${iso(T)}&to=${iso(T)}`, 'to'],
    ['customer_id=not%20an%20id', 'customer_id'],
    ['status=done', 'status'],
    ['status=failed,', 'status'],
    ['phone=14155550123', 'phone'],
    ['phone=%2B0123', 'phone'],
    ['min_latency_ms=-1', 'min_latency_ms'],
    ['min_latency_ms=1.5', 'min_latency_ms'],
    ['region=US', 'region'],
    ['provider=', 'provider'],
    ['provider=x&kind=sms', 'kind'],
    ['kind=llm', 'kind'],
    ['has_error=yes', 'has_error'],
    ['sort=latency', 'sort'],
    ['sort=-cost', 'sort'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['region=us&region=eu', 'region'],
    ['statuss=failed', 'statuss'],
  ])('answers 400 naming the parameter for %s', async (query, path) => {
    expect(await badRequestPaths(`/api/ops/calls?${query}`)).toContain(path);
  });

  it('answers 403 to a customer token and 401 without one', async () => {
    const token = await customerToken(a);
    for (const path of ['/api/ops/calls', '/api/ops/calls.csv', `/api/ops/calls/${a}/c01-long`]) {
      const forbidden = await call(path, { token });
      expect(forbidden.status).toBe(403);
      expect((await forbidden.json<ErrorBody>()).error.code).toBe('forbidden');
      expect((await call(path)).status).toBe(401);
    }
  });
});

describe('GET /api/ops/calls paging while calls arrive', () => {
  it('keeps later pages unchanged when newer calls are inserted between requests', async () => {
    const customer = await createCustomer('callspage');
    const t = Date.parse('2004-04-04T12:00:00.000Z');
    const query = `customer_id=${customer}&limit=2`;
    await store(['p1', 'p2', 'p3', 'p4', 'p5'].flatMap((id, i) => eventsOf({ id, customer, start: t - i * minute, end: t - i * minute + 30_000 })));
    const first = await list(query);
    expect(first.data.map((row) => row.call_id)).toEqual(['p1', 'p2']);
    // One newer than everything listed so far, one older than everything.
    await store([...eventsOf({ id: 'p0-new', customer, start: t + minute, end: t + 2 * minute }), ...eventsOf({ id: 'p9-old', customer, start: t - hour, end: t - hour + 1000 })]);
    const second = await list(`${query}&cursor=${encodeURIComponent(first.next_cursor ?? '')}`);
    expect(second.data.map((row) => row.call_id)).toEqual(['p3', 'p4']);
    const third = await list(`${query}&cursor=${encodeURIComponent(second.next_cursor ?? '')}`);
    expect(third.data.map((row) => row.call_id)).toEqual(['p5', 'p9-old']);
    expect(third.has_more).toBe(false);
  });
});

describe('GET /api/ops/calls/{customer_id}/{call_id}', () => {
  const now = new Date('2005-05-05T15:00:00.000Z');

  async function storeExampleCall(customer: string, callId: string): Promise<void> {
    const events = exampleEvents({ customerId: customer, callId, now });
    await store(Object.values(events));
  }

  it('answers transcript, turns, tools, errors, provider requests, metadata and costs', async () => {
    const customer = await createCustomer('detail');
    await storeExampleCall(customer, 'call-1');
    const response = await call(`/api/ops/calls/${customer}/call-1`, { token: await operatorToken() });
    expect(response.status).toBe(200);
    const at = (secondsBefore: number) => new Date(now.getTime() - secondsBefore * 1000).toISOString();
    expect(await response.json()).toEqual({
      customer_id: customer,
      call_id: 'call-1',
      metadata: {
        customer_id: customer,
        agent_id: 'dental-reception',
        agent_version: '2026.11.3',
        region: 'us',
        direction: 'inbound',
        from: '+14155550123',
        to: '+18005550199',
        providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' },
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        started_at: at(190),
        ended_at: at(6),
        status: 'completed',
        duration_ms: 184_000,
        ttfa_ms: 950,
        latency_ms: 810,
        escalated: false,
        task_success: true,
        csat: 5,
      },
      transcript: [
        {
          turn: 0,
          ts: at(185),
          user_text: "Hi, I'd like to move my cleaning to Friday morning.",
          agent_text: 'Of course. I have 9:30 or 10:30 on Friday. Which works better?',
        },
      ],
      turns: [{ turn: 0, ts: at(185), stt_ms: 180, llm_ms: 420, tts_ms: 140, e2e_ms: 810, interrupted: false }],
      tool_calls: [
        {
          ts: at(150),
          name: 'reschedule_appointment',
          ok: true,
          latency_ms: 230,
          arguments: { appointment_id: 'apt_5521', date: '2026-11-27', time: '10:30' },
          result: { confirmed: true, reminder_sms: true },
          error: null,
        },
      ],
      errors: [{ ts: at(120), component: 'tts', code: 'rate_limited', message: 'cartesia answered 429; retried once after 250 ms', stack: null }],
      provider_requests: [{ ts: at(185.6), kind: 'llm', provider: 'openai', ok: true, latency_ms: 420, error_code: null }],
      cost_lines: [
        { component: 'stt', provider: 'deepgram', quantity: 184, unit: 'seconds', estimated_micros: 13_187, reconciled_micros: null },
        { component: 'llm', provider: 'openai', quantity: 5_240, unit: 'tokens', estimated_micros: 7_860, reconciled_micros: null },
        { component: 'tts', provider: 'cartesia', quantity: 1_830, unit: 'characters', estimated_micros: 54_900, reconciled_micros: null },
        { component: 'telephony', provider: 'twilio', quantity: 3.07, unit: 'minutes', estimated_micros: 26_095, reconciled_micros: null },
      ],
      // 13,187 + 7,860 + 54,900 + 26,095 = 102,042, billed at a 100 % markup.
      provider_cost_micros: 102_042,
      cost_micros: 204_084,
      // Declared in call.ended but never uploaded.
      audio_url: null,
    });
  });

  it('links the recording once one is stored', async () => {
    const customer = await createCustomer('detailaudio');
    await storeExampleCall(customer, 'call/with space');
    await withDatabase((db) => db.execute(sql`UPDATE calls SET audio_key = 'recordings/x' WHERE customer_id = ${customer}`));
    const response = await call(`/api/ops/calls/${customer}/${encodeURIComponent('call/with space')}`, { token: await operatorToken() });
    expect(response.status).toBe(200);
    expect((await response.json<{ audio_url: string }>()).audio_url).toBe(`/api/ops/calls/${customer}/call%2Fwith%20space/audio`);
  });

  it('answers 404 for an unknown call and for an erased one', async () => {
    const customer = await createCustomer('detailgone');
    await storeExampleCall(customer, 'erased');
    const token = await operatorToken();
    expect((await call(`/api/ops/calls/${customer}/erased`, { token })).status).toBe(200);
    await withDatabase((db) => db.execute(sql`UPDATE calls SET content_erased_at = now() WHERE customer_id = ${customer}`));
    for (const path of [`/api/ops/calls/${customer}/erased`, `/api/ops/calls/${customer}/never-seen`, '/api/ops/calls/nobody/erased']) {
      const response = await call(path, { token });
      expect(response.status).toBe(404);
      expect((await response.json<ErrorBody>()).error.code).toBe('not_found');
    }
  });
});

describe('GET /api/ops/calls.csv', () => {
  const header =
    'customer_id,call_id,started_at,ended_at,status,duration_ms,latency_ms,cost_micros,provider_cost_micros,region,from,to,agent_id,agent_version,' +
    'provider_stt,provider_llm,provider_tts,provider_telephony,has_error,error_count,turn_count';

  async function csv(query: string): Promise<Response> {
    return call(`/api/ops/calls.csv?${query}`, { token: await operatorToken() });
  }

  it('writes a header and the filtered rows in list order, as an attachment', async () => {
    const customer = await createCustomer('csvrows');
    const t = Date.parse('2005-01-01T08:00:00.000Z');
    await store([
      ...eventsOf({ id: 'r1', customer, start: t, end: t + 90_000, e2e: [700, 1200], costMicros: 1500, errors: 2 }),
      ...eventsOf({ id: 'r2', customer, start: t + minute }),
    ]);
    const response = await csv(`customer_id=${customer}&sort=started_at`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="calls-\d{4}-\d{2}-\d{2}T\d{6}Z\.csv"$/);
    expect(response.headers.get('x-truncated')).toBeNull();
    expect(response.headers.get('x-total-count')).toBeNull();
    expect(await response.text()).toBe(
      [
        header,
        `${customer},r1,2005-01-01T08:00:00.000Z,2005-01-01T08:01:30.000Z,completed,90000,1200,3000,1500,us,+14155550100,+18005550100,front-desk,v7,deepgram,openai,cartesia,twilio,true,2,2`,
        // Started 2005 and never ended: stale by now.
        `${customer},r2,2005-01-01T08:01:00.000Z,,stale,,,0,0,us,+14155550100,+18005550100,front-desk,v7,deepgram,openai,cartesia,twilio,false,0,0`,
        '',
      ].join('\r\n'),
    );
  });

  it('defuses formula-like text but writes numbers and E.164 numbers unchanged', async () => {
    const customer = await createCustomer('csvescape');
    await store(
      eventsOf({
        id: '=SUM(A1,A2)',
        customer,
        start: Date.parse('2005-02-02T08:00:00.000Z'),
        from: '+14155550999',
        agentId: '@risk',
        agentVersion: '-1 "beta"',
        providers: { stt: '+plus', llm: '\ttab', tts: 'line\nbreak', telephony: '\rcr' },
      }),
    );
    const text = await (await csv(`customer_id=${customer}`)).text();
    expect(text).toBe(
      [
        header,
        `${customer},"'=SUM(A1,A2)",2005-02-02T08:00:00.000Z,,stale,,,0,0,us,+14155550999,+18005550100,'@risk,"'-1 ""beta""",'+plus,'\ttab,"line\nbreak","'\rcr",false,0,0`,
        '',
      ].join('\r\n'),
    );
  });

  it('answers 400 naming the parameter, and refuses list-only parameters', async () => {
    expect(await badRequestPaths('/api/ops/calls.csv?status=nope')).toEqual(['status']);
    expect(await badRequestPaths('/api/ops/calls.csv?limit=10')).toEqual(['limit']);
  });

  it('stops at 10,000 rows and says how many matched', async () => {
    const customer = await createCustomer('csvmany');
    const t = Date.parse('2005-03-03T00:00:00.000Z');
    await withDatabase((db) =>
      db.execute(sql`INSERT INTO calls (customer_id, call_id, started_at, ended_at, status, duration_ms, billed_micros, provider_cost_micros)
        SELECT ${customer}, 'bulk-' || lpad(i::text, 5, '0'), ${iso(t)}::timestamptz + i * interval '1 second',
               ${iso(t)}::timestamptz + i * interval '1 second' + interval '30 seconds', 'completed', 30000, i, i
        FROM generate_series(1, 10001) AS i`),
    );
    const response = await csv(`customer_id=${customer}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-truncated')).toBe('true');
    expect(response.headers.get('x-total-count')).toBe('10001');
    // Streamed a page at a time: the body arrives in many pieces, not as one built string.
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      chunks++;
    }
    expect(chunks).toBeGreaterThan(10);
    const lines = text.split('\r\n');
    expect(lines).toHaveLength(1 + 10_000 + 1);
    expect(lines[0]).toBe(header);
    // Newest first: bulk-10001 down to bulk-00002; bulk-00001 is the one cut.
    expect(lines[1]?.split(',').slice(1, 2)).toEqual(['bulk-10001']);
    expect(lines[10_000]?.split(',').slice(1, 2)).toEqual(['bulk-00002']);
    expect(lines[10_001]).toBe('');
    expect(new Set(lines.slice(1, -1).map((line) => line.split(',')[1])).size).toBe(10_000);
  });
});
