import { createHash, createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { AlertMessage, AlertRecord, AlertTarget, DeliveryOutcome } from '../../durable/alerts/alert-types.ts';
import { deliverAlert, maxDeliveryWindowMs, maxRetryDelayMs, nextAttemptDelayMs } from '../../durable/alerts/delivery.ts';

const publicBaseUrl = 'https://switchboard.example.com';
const routingKey = 'R0UTINGKEY0123456789abcdefABCDEF';
const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

const spendAlert: AlertRecord = {
  id: 'alt_0123456789abcdef0123',
  dedup_key: 'customer:acme:spend_hourly',
  rule: 'spend_hourly',
  severity: 'critical',
  status: 'triggered',
  subject: { customer_id: 'acme' },
  summary: 'acme billed $142.50 in the last 60 min (limit $100.00)',
  value: 142_500_000,
  threshold: 100_000_000,
  details: { window_minutes: 60 },
  links: [{ href: '/ops/calls?customer_id=acme', text: 'acme calls' }],
  condition_since: '2026-11-24T14:02:10.000Z',
  triggered_at: '2026-11-24T14:03:07.120Z',
  acknowledged_at: null,
  acknowledged_by: null,
  resolved_at: null,
  silenced_until: null,
};
const resolvedSpendAlert: AlertRecord = { ...spendAlert, status: 'resolved', resolved_at: '2026-11-24T14:20:00.000Z' };

// Message ids as the AlertDesk makes them: one per (dedup key, incident, action).
const trigger: AlertMessage = { messageId: 'msg_customer:acme:spend_hourly_1_trigger', action: 'trigger', alert: spendAlert };
const resolve: AlertMessage = { messageId: 'msg_customer:acme:spend_hourly_1_resolve', action: 'resolve', alert: resolvedSpendAlert };

const pagerDuty: AlertTarget = { id: 'env-pagerduty', kind: 'pagerduty', name: 'PagerDuty', url: 'https://events.example.com/v2/enqueue', routingKey, secret: null, source: 'env' };
const webhook: AlertTarget = { id: 'tgt_hooks', kind: 'webhook', name: 'Hooks', url: 'https://hooks.example.com/switchboard', routingKey: null, secret, source: 'api' };

interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A fetch that records what it was asked to send and answers from `answer`. */
function recordingFetch(answer: (init: RequestInit) => Response | Promise<Response> = () => new Response('{"status":"success"}', { status: 202 })) {
  const sent: SentRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init = {}) => {
    sent.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? init.body : '',
    });
    return answer(init);
  };
  return { fetchImpl, sent };
}

async function sentBody(message: AlertMessage, target: AlertTarget, nowMs = Date.now()): Promise<{ request: SentRequest; outcome: DeliveryOutcome }> {
  const { fetchImpl, sent } = recordingFetch();
  const outcome = await deliverAlert(message, target, { fetch: fetchImpl, nowMs, publicBaseUrl });
  const request = sent[0];
  if (!request || sent.length !== 1) throw new Error(`expected one request, got ${sent.length}`);
  return { request, outcome };
}

describe('PagerDuty Events API v2', () => {
  it('posts a trigger with summary, source, severity, placement, custom details and absolute links', async () => {
    const { request, outcome } = await sentBody(trigger, pagerDuty);
    expect(outcome).toMatchObject({ ok: true, status: 202 });
    expect(request.url).toBe('https://events.example.com/v2/enqueue');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      routing_key: 'R0UTINGKEY0123456789abcdefABCDEF',
      event_action: 'trigger',
      dedup_key: 'customer:acme:spend_hourly',
      payload: {
        summary: 'acme billed $142.50 in the last 60 min (limit $100.00)',
        source: 'switchboard',
        severity: 'critical',
        timestamp: '2026-11-24T14:03:07.120Z',
        component: 'customer:acme',
        class: 'spend_hourly',
        custom_details: {
          alert_id: 'alt_0123456789abcdef0123',
          rule: 'spend_hourly',
          value: 142500000,
          threshold: 100000000,
          subject: { customer_id: 'acme' },
          condition_since: '2026-11-24T14:02:10.000Z',
          details: { window_minutes: 60 },
        },
      },
      links: [{ href: 'https://switchboard.example.com/ops/calls?customer_id=acme', text: 'acme calls' }],
      client: 'Switchboard',
      client_url: 'https://switchboard.example.com/ops',
    });
  });

  it('posts a resolve carrying only the routing key, the action and the dedup key', async () => {
    const { request } = await sentBody(resolve, pagerDuty);
    expect(JSON.parse(request.body)).toEqual({ routing_key: 'R0UTINGKEY0123456789abcdefABCDEF', event_action: 'resolve', dedup_key: 'customer:acme:spend_hourly' });
  });

  it('names a provider alert by kind and provider, grouped by kind', async () => {
    const outage: AlertRecord = { ...spendAlert, dedup_key: 'provider:tts:cartesia:outage', rule: 'provider_outage', subject: { kind: 'tts', provider: 'cartesia' }, links: [] };
    const { request } = await sentBody({ ...trigger, alert: outage }, pagerDuty);
    const event = JSON.parse(request.body) as { payload: Record<string, unknown>; links: unknown[] };
    expect(event.payload).toMatchObject({ component: 'tts:cartesia', group: 'tts', class: 'provider_outage' });
    expect(event.links).toEqual([]);
  });

  it('sends a dedup key over 255 characters as its prefix and SHA-256, the same for trigger and resolve, and says so', async () => {
    const longKey = `customer:${'k'.repeat(300)}:call_cost`;
    const expectedKey = `${longKey.slice(0, 190)}~${createHash('sha256').update(longKey).digest('hex')}`;
    expect(expectedKey).toHaveLength(255);
    const triggered = await sentBody({ ...trigger, alert: { ...spendAlert, dedup_key: longKey } }, pagerDuty);
    const resolved = await sentBody({ ...resolve, alert: { ...resolvedSpendAlert, dedup_key: longKey } }, pagerDuty);
    const triggerEvent = JSON.parse(triggered.request.body) as { dedup_key: string; payload: { custom_details: Record<string, unknown> } };
    expect(triggerEvent.dedup_key).toBe(expectedKey);
    expect(triggerEvent.payload.custom_details.dedup_key).toBe(longKey);
    expect(String(triggerEvent.payload.custom_details.dedup_key_note)).toContain('SHA-256');
    expect(JSON.parse(resolved.request.body)).toEqual({ routing_key: routingKey, event_action: 'resolve', dedup_key: expectedKey });
  });

  it('cuts a summary to 1024 characters, the last one an ellipsis', async () => {
    const { request } = await sentBody({ ...trigger, alert: { ...spendAlert, summary: 'é'.repeat(2000) } }, pagerDuty);
    const summary = (JSON.parse(request.body) as { payload: { summary: string } }).payload.summary;
    expect(summary).toBe(`${'é'.repeat(1023)}…`);
  });
});

describe('Standard Webhooks', () => {
  const expectedTriggerBody = {
    type: 'alert.triggered',
    timestamp: '2026-11-24T14:03:07.120Z',
    data: { ...spendAlert, links: [{ href: 'https://switchboard.example.com/ops/calls?customer_id=acme', text: 'acme calls' }] },
  };

  it('signs the body so that the library verifier built from the secret accepts it', async () => {
    const nowMs = Date.now();
    const { request, outcome } = await sentBody(trigger, webhook, nowMs);
    expect(outcome.ok).toBe(true);
    expect(request.url).toBe('https://hooks.example.com/switchboard');
    expect(request.headers['webhook-id']).toBe('msg_customer:acme:spend_hourly_1_trigger');
    expect(request.headers['webhook-timestamp']).toBe(String(Math.floor(nowMs / 1000)));
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(expectedTriggerBody);
  });

  it('signs HMAC-SHA256 over "id.timestamp.body" with the base64-decoded secret', async () => {
    const nowMs = Date.parse('2026-11-24T14:03:09.500Z');
    const { request } = await sentBody(trigger, webhook, nowMs);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_customer:acme:spend_hourly_1_trigger.1795528989.${request.body}`).digest('base64');
    expect(request.headers['webhook-timestamp']).toBe('1795528989');
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(request.body)).toEqual(expectedTriggerBody);
  });

  it('keeps the webhook-id of a message across attempts while the timestamp follows each attempt', async () => {
    const firstMs = Date.now() - 30_000;
    const first = await sentBody(trigger, webhook, firstMs);
    const second = await sentBody(trigger, webhook, firstMs + 25_000);
    expect(second.request.headers['webhook-id']).toBe(first.request.headers['webhook-id']);
    expect(second.request.body).toBe(first.request.body);
    expect(Number(second.request.headers['webhook-timestamp']) - Number(first.request.headers['webhook-timestamp'])).toBe(25);
    expect(second.request.headers['webhook-signature']).not.toBe(first.request.headers['webhook-signature']);
    expect(new Webhook(secret).verify(second.request.body, second.request.headers)).toEqual(expectedTriggerBody);
  });

  it('sends a resolve under its own webhook-id, typed alert.resolved and stamped with the resolve time', async () => {
    const triggered = await sentBody(trigger, webhook);
    const resolved = await sentBody(resolve, webhook);
    expect(resolved.request.headers['webhook-id']).toBe('msg_customer:acme:spend_hourly_1_resolve');
    expect(resolved.request.headers['webhook-id']).not.toBe(triggered.request.headers['webhook-id']);
    expect(new Webhook(secret).verify(resolved.request.body, resolved.request.headers)).toMatchObject({
      type: 'alert.resolved',
      timestamp: '2026-11-24T14:20:00.000Z',
      data: { id: 'alt_0123456789abcdef0123', status: 'resolved', value: 142500000, threshold: 100000000 },
    });
  });

  it('refuses a different secret', async () => {
    const { request } = await sentBody(trigger, webhook);
    const otherSecret = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(request.body, request.headers)).toThrow('No matching signature found');
  });
});

describe('classifying answers', () => {
  const nowMs = Date.parse('2026-11-24T14:03:07.000Z');

  async function outcomeFor(answer: (init: RequestInit) => Response | Promise<Response>, timeoutMs?: number): Promise<DeliveryOutcome> {
    const { fetchImpl } = recordingFetch(answer);
    return deliverAlert(trigger, pagerDuty, { fetch: fetchImpl, nowMs, publicBaseUrl, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }

  const table: Array<{ name: string; answer: () => Response; expected: Partial<Record<string, unknown>> }> = [
    { name: '200', answer: () => new Response('ok', { status: 200 }), expected: { ok: true, status: 200 } },
    { name: '202', answer: () => new Response('{"status":"success"}', { status: 202 }), expected: { ok: true, status: 202 } },
    {
      name: '400 (an invalid event)',
      answer: () => new Response('{"status":"invalid event","message":"Event object is invalid"}', { status: 400 }),
      expected: { ok: false, retry: false, code: 'rejected', status: 400, retryAfterMs: null, error: 'HTTP 400: {"status":"invalid event","message":"Event object is invalid"}' },
    },
    { name: '401', answer: () => new Response('', { status: 401 }), expected: { ok: false, retry: false, code: 'rejected', status: 401, error: 'HTTP 401' } },
    { name: '404', answer: () => new Response('not here', { status: 404 }), expected: { ok: false, retry: false, code: 'rejected', status: 404 } },
    {
      name: '429 with Retry-After in seconds',
      answer: () => new Response('throttled', { status: 429, headers: { 'retry-after': '120' } }),
      expected: { ok: false, retry: true, code: 'throttled', status: 429, retryAfterMs: 120_000 },
    },
    {
      name: '429 with Retry-After as an HTTP date',
      answer: () => new Response('', { status: 429, headers: { 'retry-after': 'Tue, 24 Nov 2026 14:04:37 GMT' } }),
      expected: { ok: false, retry: true, code: 'throttled', status: 429, retryAfterMs: 90_000 },
    },
    { name: '429 without Retry-After', answer: () => new Response('', { status: 429 }), expected: { ok: false, retry: true, status: 429, retryAfterMs: null } },
    { name: '500', answer: () => new Response('boom', { status: 500 }), expected: { ok: false, retry: true, code: 'server_error', status: 500, retryAfterMs: null } },
    {
      name: '503 with Retry-After',
      answer: () => new Response('', { status: 503, headers: { 'retry-after': '30' } }),
      expected: { ok: false, retry: true, code: 'server_error', status: 503, retryAfterMs: 30_000 },
    },
    {
      name: '301 (not followed)',
      answer: () => new Response(null, { status: 301, headers: { location: 'https://elsewhere.example.com/' } }),
      expected: { ok: false, retry: false, code: 'redirected', status: 301 },
    },
  ];

  for (const { name, answer, expected } of table) {
    it(`classifies ${name}`, async () => {
      expect(await outcomeFor(answer)).toMatchObject(expected);
    });
  }

  it('retries a network error, without a status', async () => {
    const outcome = await outcomeFor(() => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    });
    expect(outcome).toEqual({ ok: false, retry: true, code: 'network_error', status: null, latencyMs: expect.any(Number), error: 'Request failed: fetch failed (connect ECONNREFUSED 127.0.0.1:9)', retryAfterMs: null });
  });

  it('gives up waiting after the timeout and retries later', async () => {
    const outcome = await outcomeFor(
      (init) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
      50,
    );
    expect(outcome).toMatchObject({ ok: false, retry: true, code: 'timeout', status: null, error: 'No answer within 50 ms.' });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(45);
  });

  it('measures the time until the answer', async () => {
    const outcome = await outcomeFor(() => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response(null, { status: 202 })), 40)));
    expect(outcome.ok).toBe(true);
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(35);
    expect(outcome.latencyMs).toBeLessThan(5_000);
  });

  it('sends nothing to a target that cannot be used, and says why without retrying', async () => {
    const { fetchImpl, sent } = recordingFetch();
    const unsigned: AlertTarget = { ...webhook, secret: 'not-a-secret' };
    const outcome = await deliverAlert(trigger, unsigned, { fetch: fetchImpl, nowMs, publicBaseUrl });
    expect(sent).toHaveLength(0);
    expect(outcome).toMatchObject({ ok: false, retry: false, code: 'target_misconfigured', status: null, latencyMs: 0 });
    expect(outcome.ok ? '' : outcome.error).toContain('whsec_');
  });
});

describe('retry schedule', () => {
  const middle = () => 0.5;

  it('starts near 5 s and doubles per attempt up to an hour', () => {
    const delays = Array.from({ length: 14 }, (_, i) => nextAttemptDelayMs(i + 1, middle));
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it('spreads each delay by at most 20% and never beyond an hour', () => {
    expect(nextAttemptDelayMs(1, () => 0)).toBe(4_000);
    expect(nextAttemptDelayMs(1, () => 0.999_999)).toBe(6_000);
    expect(nextAttemptDelayMs(11, () => 0)).toBe(2_880_000);
    for (const attempt of [1, 5, 11, 40, 1_000]) {
      for (const r of [0, 0.25, 0.5, 0.75, 0.999_999]) {
        const delay = nextAttemptDelayMs(attempt, () => r);
        expect(delay).toBeGreaterThan(0);
        expect(delay).toBeLessThanOrEqual(maxRetryDelayMs);
      }
    }
  });

  it('keeps retrying until the 24-hour window closes, never waiting more than an hour', () => {
    expect(maxDeliveryWindowMs).toBe(86_400_000);
    for (const r of [0, 0.999_999]) {
      let elapsedMs = 0;
      let attempts = 1;
      while (elapsedMs + nextAttemptDelayMs(attempts, () => r) <= maxDeliveryWindowMs) {
        elapsedMs += nextAttemptDelayMs(attempts, () => r);
        attempts += 1;
      }
      expect(maxDeliveryWindowMs - elapsedMs).toBeLessThanOrEqual(3_600_000);
      expect(attempts).toBeGreaterThanOrEqual(25);
    }
  });
});
