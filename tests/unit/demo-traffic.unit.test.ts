import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CUSTOMERS } from '../../local/demo/customers.ts';
import { NO_INCIDENTS } from '../../local/demo/incidents.ts';
import { dailyRhythm } from '../../local/demo/rhythm.ts';
import { requestBodies, startLiveTraffic } from '../../local/demo/traffic.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';

const startMs = Date.parse('2026-11-24T14:00:00.000Z');
const keys = Object.fromEntries(DEMO_CUSTOMERS.map((c) => [c.id, `sbk_test_${c.id}`]));
const customerByKey = new Map(DEMO_CUSTOMERS.map((c) => [`Bearer sbk_test_${c.id}`, c.id]));

interface PostedRequest {
  atMs: number;
  customerId: string;
  events: SwitchboardEvent[];
  status: number;
  /** Its place among all requests, uploads included. */
  order: number;
}

interface UploadedRecording {
  customerId: string;
  callId: string;
  contentType: string | null;
  sha256: string;
  status: number;
  order: number;
}

/**
 * A stand-in for POST /v1/events that records what arrives and answers with `statusFor`, and for
 * PUT /v1/calls/{customer_id}/{call_id}/audio answering `uploadStatus`.
 */
function fakeIngestion(statusFor: (request: Omit<PostedRequest, 'status' | 'order'>, index: number) => number, uploadStatus = 201) {
  const posted: PostedRequest[] = [];
  const uploads: UploadedRecording[] = [];
  let order = 0;
  const fetchFn = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const customerId = customerByKey.get(headers.get('authorization') ?? '');
    if (!customerId) throw new Error('request without a demo ingest key');
    const upload = /^http:\/\/switchboard\.test\/v1\/calls\/([^/]+)\/([^/]+)\/audio$/.exec(String(url));
    if (upload) {
      expect(init?.method).toBe('PUT');
      expect(decodeURIComponent(upload[1]!)).toBe(customerId);
      const body = init?.body as Uint8Array;
      uploads.push({ customerId, callId: decodeURIComponent(upload[2]!), contentType: headers.get('content-type'), sha256: createHash('sha256').update(body).digest('hex'), status: uploadStatus, order: order++ });
      return new Response(JSON.stringify(uploadStatus === 201 ? { bytes: body.byteLength } : { error: { code: 'service_unavailable', message: 'busy', details: [] } }), { status: uploadStatus });
    }
    expect(String(url)).toBe('http://switchboard.test/v1/events');
    expect(headers.get('content-type')).toBe('application/json');
    const events = JSON.parse(String(init?.body)) as SwitchboardEvent[];
    const request = { atMs: Date.now(), customerId, events };
    const status = statusFor(request, posted.length);
    posted.push({ ...request, status, order: order++ });
    const body = status === 202 ? { accepted: events.length, duplicates: 0, rejected: 0, errors: [] } : { error: { code: 'service_unavailable', message: 'busy', details: [] } };
    return new Response(JSON.stringify(body), { status });
  };
  return { posted, uploads, fetchFn };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: startMs });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('live demo traffic', () => {
  it("posts each customer's events with its own key, only once their time has come, every 1-2 s", async () => {
    const { posted, fetchFn } = fakeIngestion(() => 202);
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 3, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    await traffic.stop();

    expect(posted.length).toBeGreaterThan(0);
    for (const request of posted) {
      expect(request.events.length).toBeGreaterThan(0);
      expect(request.events.length).toBeLessThanOrEqual(1_000);
      for (const event of request.events) {
        expect(event.customer_id).toBe(request.customerId);
        expect(Date.parse(event.ts)).toBeLessThanOrEqual(request.atMs);
      }
    }
    const gapsOf = (customerId: string, fromMs: number) => {
      const times = posted.filter((r) => r.customerId === customerId && r.atMs >= fromMs).map((r) => r.atMs);
      return times.slice(1).map((t, i) => t - times[i]!);
    };
    for (const customer of DEMO_CUSTOMERS) expect(Math.min(...gapsOf(customer.id, startMs))).toBeGreaterThanOrEqual(1_000);
    // A flush with nothing due sends nothing; once its calls are under way the contact centre always has something.
    expect(Math.max(...gapsOf('northwind-retail', startMs + 30_000))).toBeLessThanOrEqual(2_250);
    const ids = posted.flatMap((r) => r.events.map((e) => `${e.customer_id}/${e.id}`));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends a call turn by turn as it happens, in the order of its events', async () => {
    const { posted, fetchFn } = fakeIngestion(() => 202);
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 4, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    await traffic.stop();

    const byCall = new Map<string, Array<{ event: SwitchboardEvent; atMs: number }>>();
    for (const request of posted) for (const event of request.events) byCall.set(event.call_id, [...(byCall.get(event.call_id) ?? []), { event, atMs: request.atMs }]);
    const finished = [...byCall.values()].filter((events) => events[0]?.event.type === 'call.started' && events.some((e) => e.event.type === 'call.ended'));
    expect(finished.length).toBeGreaterThan(50);
    for (const events of finished) {
      const times = events.map((e) => Date.parse(e.event.ts));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // Released as time passes: the end arrives in a later request than the start, and close behind its time.
      const start = events[0]!;
      const end = events.find((e) => e.event.type === 'call.ended')!;
      expect(end.atMs).toBeGreaterThan(start.atMs);
      expect(end.atMs - Date.parse(end.event.ts)).toBeLessThanOrEqual(2_250);
    }
  });

  it('starts calls at the rate of the daily rhythm across customers', async () => {
    const { posted, fetchFn } = fakeIngestion(() => 202);
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 5, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await traffic.stop();

    const started = posted.flatMap((r) => r.events).filter((e) => e.type === 'call.started').length;
    // 5,400 normal calls per hour in all, at 14:00 UTC on a Tuesday: 7,560 per hour, 630 in 5 minutes.
    const expected = (DEMO_CUSTOMERS.reduce((sum, c) => sum + c.normalCallsPerHour, 0) * dailyRhythm(startMs) * 5) / 60;
    expect(expected).toBeCloseTo(630, 0);
    expect(started).toBeGreaterThan(expected * 0.85);
    expect(started).toBeLessThan(expected * 1.15);
    // 1 to 3 calls per second.
    expect(started / 300).toBeGreaterThan(1);
    expect(started / 300).toBeLessThan(3);
  });

  it('re-sends the events of a request the server could not take with the next batch', async () => {
    const { posted, fetchFn } = fakeIngestion((_, index) => (index === 3 ? 503 : 202));
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 6, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(30_000);
    await traffic.stop();

    const refused = posted[3]!;
    expect(refused.status).toBe(503);
    const retry = posted.slice(4).find((r) => r.customerId === refused.customerId)!;
    expect(retry.events.slice(0, refused.events.length)).toEqual(refused.events);
    const accepted = posted.filter((r) => r.status === 202).flatMap((r) => r.events.map((e) => e.id));
    expect(new Set(accepted).size).toBe(accepted.length);
  });

  it('drops, and logs, events the server refused for good instead of re-sending them', async () => {
    const { posted, fetchFn } = fakeIngestion((_, index) => (index === 3 ? 401 : 202));
    const lines: string[] = [];
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 6, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: (line) => lines.push(line) });
    await vi.advanceTimersByTimeAsync(30_000);
    await traffic.stop();

    const refused = new Set(posted[3]!.events.map((e) => e.id));
    expect(posted.slice(4).flatMap((r) => r.events).filter((e) => refused.has(e.id))).toEqual([]);
    expect(lines.filter((line) => line.includes('refused'))).toHaveLength(1);
  });

  it('skips the calls it missed while paused instead of sending them in one burst', async () => {
    const { posted, fetchFn } = fakeIngestion(() => 202);
    const lines: string[] = [];
    let offsetMs = 0;
    const traffic = startLiveTraffic({
      baseUrl: 'http://switchboard.test',
      ingestKeys: keys,
      customers: DEMO_CUSTOMERS,
      seed: 7,
      startMs,
      incidents: NO_INCIDENTS,
      clock: () => Date.now() + offsetMs,
      fetch: fetchFn,
      log: (line) => lines.push(line),
    });
    await vi.advanceTimersByTimeAsync(10_000);
    offsetMs = 3_600_000;
    await vi.advanceTimersByTimeAsync(10_000);
    await traffic.stop();

    expect(lines.some((line) => line.includes('paused for 3600 s'))).toBe(true);
    const started = posted.flatMap((r) => r.events).filter((e) => e.type === 'call.started').length;
    expect(started).toBeLessThan(100);
  });
});

describe('live demo recordings', () => {
  it('uploads about 1 call in 20 as a WAV, after the request carrying its call.ended, matching the sha256 it declared', async () => {
    const { posted, uploads, fetchFn } = fakeIngestion(() => 202);
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 8, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    await traffic.stop();

    const endings = posted.flatMap((request) =>
      request.events.filter((e) => e.type === 'call.ended').map((ended) => ({ ended, order: request.order })),
    );
    const declared = endings.filter(({ ended }) => ended.audio !== undefined);
    // Hundreds of calls end in 4 minutes; 1 in 20 of them recorded.
    expect(endings.length).toBeGreaterThan(300);
    expect(declared.length / endings.length).toBeGreaterThan(0.02);
    expect(declared.length / endings.length).toBeLessThan(0.09);
    expect(uploads.map((u) => `${u.customerId}/${u.callId}`).sort()).toEqual(declared.map(({ ended }) => `${ended.customer_id}/${ended.call_id}`).sort());
    for (const upload of uploads) {
      const ending = declared.find(({ ended }) => ended.customer_id === upload.customerId && ended.call_id === upload.callId)!;
      expect(upload.contentType).toBe('audio/wav');
      expect(ending.ended.audio).toEqual({ content_type: 'audio/wav', sha256: upload.sha256 });
      expect(upload.order).toBeGreaterThan(ending.order);
    }
  });

  it('tries an upload the server cannot take at most three times and logs failures at most once a minute', async () => {
    const { uploads, fetchFn } = fakeIngestion(() => 202, 503);
    const lines: string[] = [];
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 9, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: (line) => lines.push(line) });
    await vi.advanceTimersByTimeAsync(150_000);
    await traffic.stop();

    const triesByCall = new Map<string, number>();
    for (const upload of uploads) triesByCall.set(`${upload.customerId}/${upload.callId}`, (triesByCall.get(`${upload.customerId}/${upload.callId}`) ?? 0) + 1);
    expect(triesByCall.size).toBeGreaterThan(3);
    expect(Math.max(...triesByCall.values())).toBe(3);
    // Many failed tries in 150 s: the first is logged, then at most one a minute.
    const logged = lines.filter((line) => line.includes('recording'));
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.length).toBeLessThanOrEqual(3);
    expect(logged[0]).toMatch(/503/);
  });

  it('gives up at once on an upload the server refused for good', async () => {
    const { uploads, fetchFn } = fakeIngestion(() => 202, 422);
    const traffic = startLiveTraffic({ baseUrl: 'http://switchboard.test', ingestKeys: keys, customers: DEMO_CUSTOMERS, seed: 9, startMs, incidents: NO_INCIDENTS, fetch: fetchFn, log: () => {} });
    await vi.advanceTimersByTimeAsync(150_000);
    await traffic.stop();

    const calls = uploads.map((u) => `${u.customerId}/${u.callId}`);
    expect(calls.length).toBeGreaterThan(3);
    expect(new Set(calls).size).toBe(calls.length);
  });
});

describe('request bodies', () => {
  const event = exampleEvents({ customerId: 'acme', callId: 'call_1', now: new Date(startMs) })['call.turn'];

  it('hold at most 1,000 events each, in order', () => {
    const events = Array.from({ length: 2_500 }, (_, i) => ({ ...event, id: `evt_${i}` }));
    const bodies = requestBodies(events);
    expect(bodies.map((b) => b.count)).toEqual([1_000, 1_000, 500]);
    expect(bodies.flatMap((b) => (JSON.parse(b.body) as SwitchboardEvent[]).map((e) => e.id))).toEqual(events.map((e) => e.id));
  });

  it('stay under 1 MiB', () => {
    const large = Array.from({ length: 40 }, (_, i) => ({ ...event, id: `evt_${i}`, user_text: 'x'.repeat(60_000) }));
    const bodies = requestBodies(large);
    expect(bodies.length).toBe(3);
    for (const { body } of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1_048_576);
  });
});
