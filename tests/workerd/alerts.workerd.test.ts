// Alerts end to end inside workerd with simulated time: meters evaluate the rules, the AlertDesk
// runs the lifecycle and delivers from its outbox to a recording sink standing in for the network.
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveAsOf } from '../../analytics/live-window.ts';
import { alertDesk, type AlertDesk } from '../../durable/AlertDesk.ts';
import type { AlertObservation } from '../../durable/alerts/alert-types.ts';
import type { PlatformMeter } from '../../durable/PlatformMeter.ts';
import type { TenantMeter } from '../../durable/TenantMeter.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { call, customerToken, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

interface Delivered {
  url: string;
  messageId: string | null;
  body: { event_action?: string; dedup_key?: string; type?: string; data?: { dedup_key: string } };
}

/** A receiver that answers 503 while `down` says so, and records what it accepted. */
function sink(down: (nowMs: number) => boolean, clock: { now: number }) {
  const accepted: Delivered[] = [];
  let refused = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (down(clock.now)) {
      refused++;
      return new Response('unavailable', { status: 503 });
    }
    accepted.push({ url: request.url, messageId: request.headers.get('webhook-id'), body: await request.json() });
    return new Response('{}', { status: 202 });
  };
  return { accepted, refusedCount: () => refused, fetchImpl };
}

const desk = (): DurableObjectStub<AlertDesk> => env.ALERT_DESK.get(env.ALERT_DESK.idFromName('platform'));
const tenant = (id: string): DurableObjectStub<TenantMeter> => env.TENANT_METER.get(env.TENANT_METER.idFromName(id));
const platform = (): DurableObjectStub<PlatformMeter> => env.PLATFORM_METER.get(env.PLATFORM_METER.idFromName('platform'));

function observation(dedupKey: string, state: AlertObservation['state'], value: number): AlertObservation {
  return { dedupKey, rule: 'customer_spend_hourly', severity: 'critical', subject: { customer_id: 'x' }, state, value, threshold: 100, summary: 'test', details: {}, links: [] };
}

async function runDesk(clock: { now: number }, fetchImpl: typeof fetch): Promise<void> {
  await runInDurableObject(desk(), (instance: AlertDesk) => instance.tick(clock.now, fetchImpl));
}

describe('alert lifecycle', () => {
  beforeAll(async () => {
    await runInDurableObject(desk(), (instance: AlertDesk) => {
      instance.addTarget({ id: 'test-webhook', kind: 'webhook', name: 'test', url: 'https://sink.test/hook', routingKey: null, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', source: 'api' });
      instance.addTarget({ id: 'test-pd', kind: 'pagerduty', name: 'pd', url: 'https://sink.test/v2/enqueue', routingKey: 'R0UTINGKEY0000000000000000000000', secret: null, source: 'api' });
    });
  });

  it('pages once for a value oscillating around its threshold for 10 minutes, and resolves once', async () => {
    const clock = { now: Date.now() };
    const receiver = sink(() => false, clock);
    const key = `customer:${uniqueCustomerId('osc')}:spend_hourly`;
    for (let step = 0; step < 20; step++) {
      // Above the limit, then just under it (inside the 90% band), every 30 seconds.
      const state = step % 2 === 0 ? 'breached' : 'band';
      await desk().observe([observation(key, state, state === 'breached' ? 105 : 95)], clock.now);
      await runDesk(clock, receiver.fetchImpl);
      clock.now += 30_000;
    }
    await desk().observe([observation(key, 'healthy', 50)], clock.now);
    clock.now += 60_000;
    await runDesk(clock, receiver.fetchImpl);
    expect((await desk().list({})).find((a) => a.dedup_key === key)?.status).toBe('triggered');
    clock.now += 61_000;
    await runDesk(clock, receiver.fetchImpl);
    // One trigger and one resolve, in that order, to each of the two targets.
    const toPagerDuty = receiver.accepted.filter((d) => d.url.endsWith('/v2/enqueue') && d.body.dedup_key === key);
    const toWebhook = receiver.accepted.filter((d) => d.url.endsWith('/hook') && d.body.data?.dedup_key === key);
    expect(toPagerDuty.map((d) => d.body.event_action)).toEqual(['trigger', 'resolve']);
    expect(toWebhook.map((d) => d.body.type)).toEqual(['alert.triggered', 'alert.resolved']);
    const alerts = (await desk().list({})).filter((a) => a.dedup_key === key);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.status).toBe('resolved');
  });

  it('delivers everything once the receiver is back after 5 minutes down, trigger before resolve', async () => {
    const clock = { now: Date.now() + 3_600_000 };
    const downUntil = clock.now + 5 * 60_000;
    const receiver = sink((t) => t < downUntil, clock);
    const key = `customer:${uniqueCustomerId('down')}:spend_hourly`;
    await desk().observe([observation(key, 'breached', 500)], clock.now);
    await desk().observe([observation(key, 'healthy', 10)], clock.now + 1_000);
    // Step simulated time through the desk's own retry schedule for 15 minutes.
    for (let i = 0; i < 400 && clock.now < downUntil + 10 * 60_000; i++) {
      await runDesk(clock, receiver.fetchImpl);
      clock.now += 5_000;
    }
    expect(receiver.refusedCount()).toBeGreaterThan(0);
    const mine = receiver.accepted.filter((d) => d.url.endsWith('/hook') && d.body.data?.dedup_key === key);
    expect(mine.map((d) => d.body.type)).toEqual(['alert.triggered', 'alert.resolved']);
    expect(new Set(mine.map((d) => d.messageId)).size).toBe(2);
    const view = (await desk().list({})).find((a) => a.dedup_key === key);
    const webhookTrigger = view?.deliveries.find((d) => d.target_id === 'test-webhook' && d.action === 'trigger');
    expect(webhookTrigger?.status).toBe('delivered');
    expect(webhookTrigger?.attempts.filter((a) => !a.ok).every((a) => a.status_code === 503)).toBe(true);
    expect(webhookTrigger?.attempts.at(-1)?.ok).toBe(true);
  });

  it('does not send a silenced alert until its silence ends, nor an acknowledged one again', async () => {
    const clock = { now: Date.now() + 7_200_000 };
    const receiver = sink(() => false, clock);
    const customerId = uniqueCustomerId('quiet');
    const key = `customer:${customerId}:spend_hourly`;
    await desk().silence({ dedupKey: null, rule: null, customerId, endsAtMs: clock.now + 10 * 60_000, reason: 'maintenance', actor: 'ops' }, clock.now);
    await desk().observe([{ ...observation(key, 'breached', 500), subject: { customer_id: customerId } }], clock.now);
    await runDesk(clock, receiver.fetchImpl);
    expect(receiver.accepted.filter((d) => d.body.dedup_key === key)).toHaveLength(0);
    const alert = (await desk().list({ customerId }, clock.now))[0];
    expect(alert?.silenced_until).not.toBeNull();
    await desk().acknowledge(alert?.id ?? '', 'ops@example.test', clock.now);
    clock.now += 11 * 60_000;
    await runDesk(clock, receiver.fetchImpl);
    // The silence has ended: the open incident is sent once, and only once.
    expect(receiver.accepted.filter((d) => d.body.dedup_key === key).map((d) => d.body.event_action)).toEqual(['trigger']);
    await desk().observe([{ ...observation(key, 'breached', 600), subject: { customer_id: customerId } }], clock.now);
    await runDesk(clock, receiver.fetchImpl);
    expect(receiver.accepted.filter((d) => d.body.dedup_key === key)).toHaveLength(1);
  });
});

describe('rules evaluated by the meters', () => {
  let operator: string;
  beforeAll(async () => {
    operator = await operatorToken();
  });

  async function customerWithKey(json: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const id = uniqueCustomerId('rules');
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id, ...json } })).status).toBe(201);
    const key = (await (await call('/api/ops/ingest-keys', { method: 'POST', token: operator, json: { customer_id: id } })).json<{ key: string }>()).key;
    return { id, key };
  }

  it('raises the hourly spend and expensive-call alerts for a runaway customer, and the load signal says so', async () => {
    // 20% markup, no per-minute fee, a $2 hourly limit.
    const { id, key } = await customerWithKey({ markup_bps: 2000, fee_per_minute_micros: 0, hourly_spend_limit_micros: 2_000_000, normal_calls_per_hour: 4 });
    const now = Date.now();
    const endedAt = new Date(liveAsOf(now) - 20_000).toISOString();
    const events: SwitchboardEvent[] = [0, 1, 2].flatMap((i) => [
      { id: `s${i}`, type: 'call.started', customer_id: id, call_id: `c${i}`, ts: new Date(liveAsOf(now) - 60_000).toISOString(), direction: 'inbound', from: '+14155550100', to: '+18005550100', agent_id: 'a', agent_version: 'v', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } },
      // 1,000,000 micros of provider cost billed at 1.2: $1.20 per call, $3.60 in all.
      { id: `e${i}`, type: 'call.ended', customer_id: id, call_id: `c${i}`, ts: endedAt, status: 'completed', duration_ms: 30_000, ttfa_ms: 600, escalated: false, task_success: true, cost: [{ component: 'llm', provider: 'openai', quantity: 1, unit: 'call', cost_micros: 1_000_000 }] },
    ]);
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events })).status).toBe(202);
    await runInDurableObject(tenant(id), (instance: TenantMeter) => instance.tick(now));
    const open = await desk().list({ customerId: id });
    const byKey = Object.fromEntries(open.map((a) => [a.dedup_key, a]));
    expect(byKey[`customer:${id}:spend_hourly`]).toMatchObject({ status: 'triggered', severity: 'critical', value: 3_600_000, threshold: 2_000_000 });
    expect(byKey[`customer:${id}:call_cost`]).toMatchObject({ status: 'triggered', severity: 'warning', details: { count: 3, worst_billed_micros: 1_200_000 } });
    // 3 calls started in 15 minutes against a normal of 4 an hour (1 per quarter hour): 3x.
    expect(byKey[`customer:${id}:noisy`]).toMatchObject({ status: 'triggered', value: 3 });

    const load = await call(`/v1/customers/${id}/load`, { headers: { authorization: `Bearer ${key}` } });
    expect(await load.json()).toMatchObject({ load_ratio: 3, noisy: true, spend_limit_exceeded: true });
    const other = await customerWithKey({});
    expect((await call(`/v1/customers/${id}/load`, { headers: { authorization: `Bearer ${other.key}` } })).status).toBe(403);

    // An hour later the spend has aged out: healthy, and resolved 2 minutes after that.
    const later = now + 61 * 60_000;
    await runInDurableObject(tenant(id), (instance: TenantMeter) => instance.tick(later));
    await runInDurableObject(desk(), (instance: AlertDesk) => instance.tick(later + 2 * 60_000 + 1, async () => new Response('{}', { status: 202 })));
    const after = Object.fromEntries((await desk().list({ customerId: id })).map((a) => [a.dedup_key, a.status]));
    expect(after).toMatchObject({ [`customer:${id}:spend_hourly`]: 'resolved', [`customer:${id}:call_cost`]: 'resolved', [`customer:${id}:noisy`]: 'resolved' });
  });

  it('detects an outage of one TTS provider after 5 full minutes while another stays healthy', async () => {
    const { id, key } = await customerWithKey({});
    const now = Date.now();
    const minuteEnd = Math.floor(now / 60_000) * 60_000;
    const events: SwitchboardEvent[] = [];
    for (let minute = 6; minute >= 1; minute--) {
      for (let i = 0; i < 8; i++) {
        const ts = new Date(minuteEnd - minute * 60_000 + 1_000 + i * 5_000).toISOString();
        // elevenlabs fails 7 of 8 requests every minute; cartesia succeeds.
        events.push({ id: `el-${minute}-${i}`, type: 'provider.request', customer_id: id, call_id: `call-${minute}`, ts, kind: 'tts', provider: 'elevenlabs', ok: i === 0, latency_ms: 900, error_code: i === 0 ? undefined : 'http_503' });
        events.push({ id: `ca-${minute}-${i}`, type: 'provider.request', customer_id: id, call_id: `call-${minute}`, ts, kind: 'tts', provider: 'cartesia', ok: true, latency_ms: 120 });
      }
    }
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: events })).status).toBe(202);
    await runInDurableObject(tenant(id), (instance: TenantMeter) => instance.tick(now));
    await runInDurableObject(platform(), (instance: PlatformMeter) => instance.tick(now));
    const open = new Set((await desk().list({ status: ['triggered'] })).map((a) => a.dedup_key));
    expect(open.has('provider:tts:elevenlabs:outage')).toBe(true);
    expect(open.has('provider:tts:elevenlabs:degraded')).toBe(true);
    expect(open.has('provider:tts:cartesia:outage')).toBe(false);
    expect(open.has('provider:tts:cartesia:degraded')).toBe(false);
  });
});

describe('alert API', () => {
  it('lists alerts with their deliveries, acknowledges, silences and validates', async () => {
    const token = await operatorToken('ops@alerts.test');
    const key = `customer:${uniqueCustomerId('api')}:spend_hourly`;
    await alertDesk(env).observe([observation(key, 'breached', 120)]);
    const listed = await (await call('/api/ops/alerts?status=triggered', { token })).json<{ data: Array<{ id: string; dedup_key: string; deliveries: unknown[] }> }>();
    const alert = listed.data.find((a) => a.dedup_key === key);
    expect(alert?.deliveries.length).toBeGreaterThan(0);
    const acked = await call(`/api/ops/alerts/${alert?.id}/ack`, { method: 'POST', token });
    expect(await acked.json()).toMatchObject({ status: 'acknowledged', acknowledged_by: 'ops@alerts.test' });
    expect((await call('/api/ops/alerts/alt_nope/ack', { method: 'POST', token })).status).toBe(404);
    expect((await call('/api/ops/alerts?status=bogus', { token })).status).toBe(400);

    const silence = await call('/api/ops/silences', { method: 'POST', token, json: { rule: 'provider_degraded', duration_s: 600, reason: 'vendor maintenance' } });
    expect(silence.status).toBe(201);
    const noTarget = await call('/api/ops/silences', { method: 'POST', token, json: { duration_s: 600, reason: 'x' } });
    expect((await noTarget.json<ErrorBody>()).error.details[0]?.path).toBe('dedup_key');

    const rules = await (await call('/api/ops/alert-rules', { token })).json<{ platform: Record<string, number>; customers: Record<string, unknown> }>();
    expect(rules.platform).toMatchObject({ call_cost_micros: 1_000_000, provider_degraded_success_rate: 0.95, error_rate: 0.05 });
    const updated = await call('/api/ops/alert-rules', { method: 'PUT', token, json: { ...rules, customers: { acme: { call_cost_micros: 2_500_000 } } } });
    expect(await updated.json()).toMatchObject({ customers: { acme: { call_cost_micros: 2_500_000 } } });
    const bad = await call('/api/ops/alert-rules', { method: 'PUT', token, json: { ...rules, platform: { ...rules.platform, error_rate: 1.5 } } });
    expect((await bad.json<ErrorBody>()).error.details[0]?.path).toBe('platform.error_rate');
    expect((await call('/api/ops/alerts', { token: await customerToken('acme') })).status).toBe(403);
  });
});
