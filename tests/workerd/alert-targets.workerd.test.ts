// Alert targets through the API, and webhook signing as it runs inside workerd. The suite's
// environment configures one webhook target (env-webhook, vitest.workers.config.ts) that points
// at a closed port.
import { env } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../durable/alerts/alert-types.ts';
import { deliverAlert } from '../../durable/alerts/delivery.ts';
import { call, customerToken, operatorToken, type ErrorBody } from './support.ts';

interface TargetView {
  id: string;
  kind: string;
  name: string;
  url: string;
  source: string;
  routing_key_prefix: string | null;
  secret_prefix: string | null;
  configuration_error: string | null;
  secret?: string;
}

interface OutcomeView {
  ok: boolean;
  status: number | null;
  latency_ms: number;
  retryable: boolean;
  code: string | null;
  error: string | null;
}

interface TestResult {
  target_id: string;
  dedup_key: string;
  trigger: OutcomeView;
  resolve: OutcomeView | null;
}

const unreachable = 'http://127.0.0.1:9';

describe('alert target API', () => {
  let token: string;
  beforeAll(async () => {
    token = await operatorToken('ops@targets.test');
  });

  async function listed(): Promise<TargetView[]> {
    const response = await call('/api/ops/alert-targets', { token });
    expect(response.status).toBe(200);
    return (await response.json<{ data: TargetView[] }>()).data;
  }

  it('lists the environment target without its secret', async () => {
    const envWebhook = (await listed()).find((t) => t.id === 'env-webhook');
    expect(envWebhook).toEqual({
      id: 'env-webhook',
      kind: 'webhook',
      name: 'Webhook (ALERT_WEBHOOK_URL)',
      url: `${unreachable}/env-webhook`,
      source: 'env',
      routing_key_prefix: null,
      secret_prefix: `${env.ALERT_WEBHOOK_SECRET.slice(0, 10)}…`,
      configuration_error: null,
    });
  });

  it('creates a PagerDuty target and lists it with only a prefix of its routing key', async () => {
    const routingKey = 'R0UTINGKEYcreate0000000000000000';
    const created = await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'pagerduty', name: 'Primary on-call', routing_key: routingKey } });
    expect(created.status).toBe(201);
    const body = await created.json<TargetView>();
    expect(body).toMatchObject({ kind: 'pagerduty', name: 'Primary on-call', url: env.PAGERDUTY_URL, source: 'api', routing_key_prefix: 'R0UT…', secret_prefix: null });
    expect(body.id).toMatch(/^tgt_/);
    const all = await listed();
    expect(all.find((t) => t.id === body.id)).toEqual(body);
    expect(JSON.stringify(all)).not.toContain(routingKey);
  });

  it('shows a generated webhook secret once, and never again', async () => {
    const created = await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'webhook', name: 'Hooks', url: `${unreachable}/hooks` } });
    expect(created.status).toBe(201);
    const body = await created.json<TargetView>();
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const again = (await listed()).find((t) => t.id === body.id);
    expect(again?.secret).toBeUndefined();
    expect(again?.secret_prefix).toBe(`${body.secret?.slice(0, 10)}…`);
    expect(JSON.stringify(await listed())).not.toContain(body.secret?.slice(6));
  });

  it('refuses an invalid target, naming the fields', async () => {
    const response = await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'webhook', name: 'Bad', url: 'ftp://x.example.com', secret: 'whsec_short' } });
    expect(response.status).toBe(400);
    const body = await response.json<ErrorBody>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['secret', 'url']);
  });

  it('deletes an API target, answers 404 for an unknown one and 409 for the environment target', async () => {
    const created = await (await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'webhook', name: 'Temporary', url: `${unreachable}/tmp` } })).json<TargetView>();
    expect((await call(`/api/ops/alert-targets/${created.id}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await listed()).some((t) => t.id === created.id)).toBe(false);
    expect((await call(`/api/ops/alert-targets/${created.id}`, { method: 'DELETE', token })).status).toBe(404);
    const envDelete = await call('/api/ops/alert-targets/env-webhook', { method: 'DELETE', token });
    expect(envDelete.status).toBe(409);
    expect((await envDelete.json<ErrorBody>()).error.code).toBe('conflict');
    expect((await listed()).some((t) => t.id === 'env-webhook')).toBe(true);
  });

  it('answers a test send to an unreachable target with its failed outcome, not a 500', async () => {
    const created = await (await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'webhook', name: 'Nowhere', url: `${unreachable}/nowhere` } })).json<TargetView>();
    const response = await call(`/api/ops/alert-targets/${created.id}/test`, { method: 'POST', token });
    expect(response.status).toBe(200);
    const result = await response.json<TestResult>();
    expect(result).toMatchObject({ target_id: created.id, trigger: { ok: false, status: null, retryable: true, code: 'network_error' }, resolve: null });
    expect(result.dedup_key).toMatch(new RegExp(`^switchboard:test:${created.id}:`));
    expect(result.trigger.latency_ms).toBeGreaterThanOrEqual(0);
    // The test belongs to no alert: the desk lists nothing for its key.
    const alerts = await (await call('/api/ops/alerts', { token })).json<{ data: Array<{ dedup_key: string }> }>();
    expect(alerts.data.some((a) => a.dedup_key === result.dedup_key)).toBe(false);
    expect((await call('/api/ops/alert-targets/tgt_missing/test', { method: 'POST', token })).status).toBe(404);
  });

  it('is for operators only', async () => {
    expect((await call('/api/ops/alert-targets', { token: await customerToken('acme') })).status).toBe(403);
    expect((await call('/api/ops/alert-targets')).status).toBe(401);
  });
});

describe('webhook signing inside workerd', () => {
  it('signs with the standardwebhooks library so that its verifier accepts the request', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const message: AlertMessage = {
      messageId: 'msg_platform:error_rate_1_trigger',
      action: 'trigger',
      alert: {
        id: 'alt_workerd0000000000001',
        dedup_key: 'platform:error_rate',
        rule: 'platform_error_rate',
        severity: 'warning',
        status: 'triggered',
        subject: {},
        summary: 'Platform error rate 0.08 over 120 calls',
        value: 0.08,
        threshold: 0.05,
        details: {},
        links: [{ href: '/ops', text: 'Live view' }],
        condition_since: '2026-11-24T14:00:00.000Z',
        triggered_at: '2026-11-24T14:00:30.000Z',
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        silenced_until: null,
      },
    };
    let received: Request | null = null;
    const outcome = await deliverAlert(message, { id: 'w', kind: 'webhook', name: 'w', url: 'https://receiver.test/in', routingKey: null, secret, source: 'api' }, {
      publicBaseUrl: 'https://switchboard.example.com',
      fetch: async (input, init) => {
        received = new Request(input, init);
        return new Response(null, { status: 204 });
      },
    });
    expect(outcome).toMatchObject({ ok: true, status: 204 });
    const request = received as Request | null;
    if (!request) throw new Error('nothing was sent');
    const headers = Object.fromEntries(request.headers.entries());
    const verified = new Webhook(secret).verify(await request.text(), headers);
    expect(verified).toMatchObject({ type: 'alert.triggered', data: { dedup_key: 'platform:error_rate', links: [{ href: 'https://switchboard.example.com/ops', text: 'Live view' }] } });
  });
});
