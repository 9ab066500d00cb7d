// Alert delivery over real HTTP: a local sink plays PagerDuty and a webhook receiver, and checks
// signatures the way a receiver would, with the standardwebhooks library.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage, AlertRecord, AlertTarget } from '../../durable/alerts/alert-types.ts';
import { deliverAlert } from '../../durable/alerts/delivery.ts';

const secret = `whsec_${Buffer.from('sink-test-secret-0123456789abcdef').toString('base64')}`;

interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver's verifier made of a webhook: the payload, or why it refused. */
  verified: unknown;
}

interface Sink {
  url: string;
  received: ReceivedRequest[];
  /** Statuses to answer next, in order; 202 once they run out. */
  plannedStatuses: number[];
  server: Server;
}

function startSink(): Promise<Sink> {
  const sink: Omit<Sink, 'url'> = { received: [], plannedStatuses: [], server: createServer() };
  sink.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      let verified: unknown = null;
      if (path.startsWith('/webhook')) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
        try {
          verified = new Webhook(secret).verify(body, headers);
        } catch (error) {
          verified = { refused: String(error) };
        }
      }
      sink.received.push({ path, method: request.method ?? '', headers: request.headers, body, verified });
      const status = sink.plannedStatuses.shift() ?? 202;
      response.writeHead(status, { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '7' } : {}) });
      response.end(status < 300 ? '{"status":"success","message":"Event processed"}' : '{"status":"unavailable"}');
    });
  });
  return new Promise((resolve) => {
    sink.server.listen(0, '127.0.0.1', () => {
      const { port } = sink.server.address() as AddressInfo;
      resolve({ ...sink, url: `http://127.0.0.1:${port}` });
    });
  });
}

const outage: AlertRecord = {
  id: 'alt_sink0000000000000001',
  dedup_key: 'provider:tts:cartesia:outage',
  rule: 'provider_outage',
  severity: 'critical',
  status: 'triggered',
  subject: { kind: 'tts', provider: 'cartesia' },
  summary: 'tts cartesia: success below 0.5 for 5 minutes',
  value: 0.31,
  threshold: 0.5,
  details: { minutes: [0.3, 0.28, 0.35, 0.31, 0.31] },
  links: [{ href: '/ops?provider=cartesia', text: 'Live view' }],
  condition_since: '2026-11-24T14:00:00.000Z',
  triggered_at: '2026-11-24T14:00:40.000Z',
  acknowledged_at: null,
  acknowledged_by: null,
  resolved_at: null,
  silenced_until: null,
};
const trigger: AlertMessage = { messageId: 'msg_provider:tts:cartesia:outage_1_trigger', action: 'trigger', alert: outage };
const resolve: AlertMessage = {
  messageId: 'msg_provider:tts:cartesia:outage_1_resolve',
  action: 'resolve',
  alert: { ...outage, status: 'resolved', resolved_at: '2026-11-24T14:12:00.000Z' },
};
const publicBaseUrl = 'https://switchboard.example.com';

describe('alert delivery to a real HTTP sink', () => {
  let sink: Sink;
  let pagerDuty: AlertTarget;
  let webhook: AlertTarget;

  beforeAll(async () => {
    sink = await startSink();
    pagerDuty = { id: 'env-pagerduty', kind: 'pagerduty', name: 'PD', url: `${sink.url}/v2/enqueue`, routingKey: 'sinkroutingkey0123456789abcdefgh', secret: null, source: 'env' };
    webhook = { id: 'env-webhook', kind: 'webhook', name: 'Hook', url: `${sink.url}/webhook`, routingKey: null, secret, source: 'env' };
  });
  afterAll(async () => {
    await new Promise<void>((done) => sink.server.close(() => done()));
  });
  beforeEach(() => {
    sink.received.length = 0;
    sink.plannedStatuses.length = 0;
  });

  it('delivers a trigger then a resolve to a PagerDuty-shaped endpoint', async () => {
    expect(await deliverAlert(trigger, pagerDuty, { publicBaseUrl })).toMatchObject({ ok: true, status: 202 });
    expect(await deliverAlert(resolve, pagerDuty, { publicBaseUrl })).toMatchObject({ ok: true, status: 202 });
    expect(sink.received.map((r) => [r.method, r.path, r.headers['content-type']])).toEqual([
      ['POST', '/v2/enqueue', 'application/json'],
      ['POST', '/v2/enqueue', 'application/json'],
    ]);
    const [triggerEvent, resolveEvent] = sink.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(triggerEvent).toMatchObject({
      routing_key: 'sinkroutingkey0123456789abcdefgh',
      event_action: 'trigger',
      dedup_key: 'provider:tts:cartesia:outage',
      payload: { summary: 'tts cartesia: success below 0.5 for 5 minutes', source: 'switchboard', severity: 'critical', component: 'tts:cartesia', group: 'tts' },
      links: [{ href: 'https://switchboard.example.com/ops?provider=cartesia', text: 'Live view' }],
    });
    expect(resolveEvent).toEqual({ routing_key: 'sinkroutingkey0123456789abcdefgh', event_action: 'resolve', dedup_key: 'provider:tts:cartesia:outage' });
  });

  it('delivers signed webhooks that the receiver verifies, trigger then resolve', async () => {
    expect(await deliverAlert(trigger, webhook, { publicBaseUrl })).toMatchObject({ ok: true, status: 202 });
    expect(await deliverAlert(resolve, webhook, { publicBaseUrl })).toMatchObject({ ok: true, status: 202 });
    expect(sink.received.map((r) => r.headers['webhook-id'])).toEqual(['msg_provider:tts:cartesia:outage_1_trigger', 'msg_provider:tts:cartesia:outage_1_resolve']);
    expect(sink.received.map((r) => r.verified)).toEqual([
      { type: 'alert.triggered', timestamp: '2026-11-24T14:00:40.000Z', data: { ...outage, links: [{ href: 'https://switchboard.example.com/ops?provider=cartesia', text: 'Live view' }] } },
      {
        type: 'alert.resolved',
        timestamp: '2026-11-24T14:12:00.000Z',
        data: { ...resolve.alert, links: [{ href: 'https://switchboard.example.com/ops?provider=cartesia', text: 'Live view' }] },
      },
    ]);
  });

  it('reports a 503 as retryable with its Retry-After, then the same message as delivered', async () => {
    sink.plannedStatuses.push(503, 200);
    const first = await deliverAlert(trigger, webhook, { publicBaseUrl });
    const second = await deliverAlert(trigger, webhook, { publicBaseUrl });
    expect(first).toMatchObject({ ok: false, retry: true, code: 'server_error', status: 503, retryAfterMs: 7_000, error: 'HTTP 503: {"status":"unavailable"}' });
    expect(second).toMatchObject({ ok: true, status: 200 });
    expect(first.latencyMs).toBeGreaterThanOrEqual(0);
    expect(sink.received).toHaveLength(2);
    expect(sink.received[1]?.headers['webhook-id']).toBe(sink.received[0]?.headers['webhook-id']);
    expect(sink.received.every((r) => typeof r.verified === 'object' && r.verified !== null && 'type' in r.verified)).toBe(true);
  });

  it('reports a closed port as a retryable network error', async () => {
    const closed = await startSink();
    const closedUrl = closed.url;
    await new Promise<void>((done) => closed.server.close(() => done()));
    const outcome = await deliverAlert(trigger, { ...webhook, url: `${closedUrl}/webhook` }, { publicBaseUrl });
    expect(outcome).toMatchObject({ ok: false, retry: true, code: 'network_error', status: null });
  });
});
