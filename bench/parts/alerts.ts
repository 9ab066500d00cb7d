// Issue "Alerts": how long a breached customer spend limit takes to reach a real webhook receiver,
// from the ingest 202 of the call that breaches it to a signed `alert.triggered` arriving at a
// local node:http sink (signatures checked with standardwebhooks), while ordinary traffic flows
// through /v1/events in the background. Duplicate deliveries are counted by webhook-id.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../durable/alerts/targets.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventBatch, generateCall } from '../support/calls.ts';
import type { BenchPart, Figure, PartContext, PartResult } from '../support/part.ts';
import { createRng, deriveSeed } from '../support/rng.ts';
import { startBenchStack, type BenchStack } from '../support/stack.ts';
import { median, quantile } from '../support/stats.ts';

const samples = 20;
const sampleGapMs = 1_000;
const deliveryBoundMs = 60_000;
const backgroundCustomers = 8;
const backgroundBatch = 100;
const backgroundEveryMs = 250;
/** A twentieth of a cent: any call's bill is over it. */
const tinyHourlyLimitMicros = 500;
const costScale = 100;

interface Delivery {
  receivedMs: number;
  webhookId: string;
  type: string;
  dedupKey: string;
}

interface Sink {
  url: string;
  deliveries: Delivery[];
  rejected: number;
  /** Resolves with the first alert.triggered for `dedupKey` received at or after now. */
  waitFor(dedupKey: string, deadlineMs: number): Promise<number | null>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startSink(secret: string): Promise<Sink> {
  const webhook = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const waiters = new Map<string, (receivedMs: number) => void>();
  let rejected = 0;
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const receivedMs = Date.now();
      const header = (name: string) => String(request.headers[name] ?? '');
      try {
        const payload = webhook.verify(body, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') }) as {
          type: string;
          data: { dedup_key?: string };
        };
        const dedupKey = payload.data.dedup_key ?? '';
        deliveries.push({ receivedMs, webhookId: header('webhook-id'), type: payload.type, dedupKey });
        if (payload.type === 'alert.triggered') waiters.get(dedupKey)?.(receivedMs);
        response.writeHead(204).end();
      } catch {
        rejected += 1;
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    deliveries,
    get rejected() {
      return rejected;
    },
    waitFor(dedupKey, deadlineMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(dedupKey);
          resolve(null);
        }, deadlineMs);
        waiters.set(dedupKey, (receivedMs) => {
          clearTimeout(timer);
          waiters.delete(dedupKey);
          resolve(receivedMs);
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function postEvents(bench: BenchStack, key: string, events: SwitchboardEvent[]): Promise<{ status: number; text: string }> {
  const response = await fetch(`${bench.stack.baseUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  return { status: response.status, text: await response.text() };
}

/** Ordinary calls of the background customers, a batch every `backgroundEveryMs`, until stopped. */
function startBackground(bench: BenchStack, key: string, seed: number): { stop(): Promise<{ events: number; refused: number; seconds: number }> } {
  let running = true;
  let events = 0;
  let refused = 0;
  const started = performance.now();
  const loop = (async () => {
    for (let index = 0; running; index++) {
      const tick = performance.now();
      const batch = eventBatch({ seed, index, customerId: `alerts-bg-${index % backgroundCustomers}`, size: backgroundBatch, anchorMs: Date.now() });
      const { status } = await postEvents(bench, key, batch.events);
      if (status === 202) events += batch.events.length;
      else refused += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, backgroundEveryMs - (performance.now() - tick))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { events, refused, seconds: (performance.now() - started) / 1000 };
    },
  };
}

/** One whole call of `customerId` whose cost lines are `costScale` times a usual call's. */
function expensiveCall(seed: number, customerId: string): SwitchboardEvent[] {
  const rng = createRng(deriveSeed(seed, customerId));
  return generateCall(rng, { customerId, callId: 'expensive', startMs: Date.now() - 5_000, timeScale: 0.02 }).map((event) =>
    event.type === 'call.ended' ? { ...event, cost: event.cost.map((line) => ({ ...line, cost_micros: line.cost_micros * costScale })) } : event,
  );
}

async function run({ seed, scratchDir, log }: PartContext): Promise<PartResult> {
  const secret = generateWebhookSecret();
  const sink = await startSink(secret);
  const bench = await startBenchStack({ kind: 'server', label: 'alerts', scratchDir, log, vars: { ALERT_WEBHOOK_URL: sink.url, ALERT_WEBHOOK_SECRET: secret } });
  try {
    for (let i = 0; i < backgroundCustomers; i++) await bench.createCustomer(`alerts-bg-${i}`);
    const probeIds = Array.from({ length: samples }, (_, i) => `alerts-probe-${i}`);
    for (const id of probeIds) await bench.createCustomer(id, { hourly_spend_limit_micros: tinyHourlyLimitMicros });
    const key = await bench.createIngestKey(null);
    const background = startBackground(bench, key, seed);
    let backgroundSummary: { events: number; refused: number; seconds: number } | null = null;
    const latencies: number[] = [];
    const missed: string[] = [];
    try {
      // Let the background reach its pace before the first sample.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      for (const id of probeIds) {
        const dedupKey = `customer:${id}:spend_hourly`;
        const arrival = sink.waitFor(dedupKey, deliveryBoundMs);
        const answer = await postEvents(bench, key, expensiveCall(seed, id));
        const acceptedMs = Date.now();
        if (answer.status !== 202) throw new Error(`the expensive call of ${id} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
        const receivedMs = await arrival;
        if (receivedMs === null) missed.push(id);
        else latencies.push(Math.max(0, receivedMs - acceptedMs));
        log(`${id}: ${receivedMs === null ? `no alert within ${deliveryBoundMs / 1000} s` : `alert after ${receivedMs - acceptedMs} ms`}`);
        await new Promise((resolve) => setTimeout(resolve, sampleGapMs));
      }
    } finally {
      const load = await background.stop();
      log(`background: ${load.events} events in ${load.seconds.toFixed(0)} s (${(load.events / load.seconds).toFixed(0)} events/s), ${load.refused} batches refused`);
      backgroundSummary = load;
    }
    if (latencies.length === 0) throw new Error('no alert reached the sink');
    // Late retries of a delivery the sink already took would show here.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const triggered = sink.deliveries.filter((d) => d.type === 'alert.triggered');
    const byId = new Map<string, number>();
    for (const d of sink.deliveries) byId.set(d.webhookId, (byId.get(d.webhookId) ?? 0) + 1);
    const rawDuplicates = [...byId.values()].reduce((sum, n) => sum + n - 1, 0);
    // Deduplicated by webhook-id, as a receiver would: one spend alert per probe customer is right.
    const messagesByKey = new Map<string, Set<string>>();
    for (const d of triggered.filter((d) => probeIds.some((id) => d.dedupKey === `customer:${id}:spend_hourly`))) {
      messagesByKey.set(d.dedupKey, (messagesByKey.get(d.dedupKey) ?? new Set()).add(d.webhookId));
    }
    const repeatedTriggers = [...messagesByKey.values()].reduce((sum, ids) => sum + ids.size - 1, 0);
    const figures: Figure[] = [
      { label: 'Ingest 202 to webhook receipt, p50', value: median(latencies), unit: 'ms' },
      { label: 'Ingest 202 to webhook receipt, p99', value: quantile(latencies, 0.99), unit: 'ms', targets: [{ on: 'value', atMost: 15_000 }] },
      { label: `Alerts missing after ${deliveryBoundMs / 1000} s`, value: missed.length, unit: 'alerts', targets: [{ on: 'value', atMost: 0 }] },
      { label: 'Deliveries repeating a webhook-id (raw duplicates)', value: rawDuplicates, unit: 'deliveries' },
      { label: 'Duplicate spend alerts after dedup by webhook-id', value: repeatedTriggers, unit: 'deliveries', targets: [{ on: 'value', atMost: 0 }] },
    ];
    return {
      setup: [
        `${samples} customers with an hourly spend limit of $${(tinyHourlyLimitMicros / 1e6).toFixed(4)}, one call each whose costs are ${costScale}x a usual call's, ${sampleGapMs / 1000} s apart, on the real local stack over a fresh database on the machine's Postgres`,
        `Background: ${backgroundBatch}-event batches of ordinary calls every ${backgroundEveryMs} ms through /v1/events for ${backgroundCustomers} other customers (about ${Math.round((backgroundBatch * 1000) / backgroundEveryMs)} events/s)`,
        `Receiver: a node:http server on 127.0.0.1 set as ALERT_WEBHOOK_URL, verifying every Standard Webhooks signature (standardwebhooks Webhook.verify) before answering 204`,
      ],
      figures,
      notes: [
        `${sink.deliveries.length} deliveries received (${triggered.length} alert.triggered), ${sink.rejected} with a bad signature; background sent ${backgroundSummary?.events ?? 0} events (${((backgroundSummary?.events ?? 0) / (backgroundSummary?.seconds ?? 1)).toFixed(0)}/s), ${backgroundSummary?.refused ?? 0} batches refused.`,
        `Nothing is evaluated on the request: the TenantMeter checks its customer rules from its alarm (after flushing to Postgres and reporting to the platform, then on each live tick while it has traffic), and the AlertDesk posts from its outbox alarm; ${latencies.filter((ms) => ms < 3_000).length} of ${latencies.length} samples arrived within 3 s, the rest ${latencies.filter((ms) => ms >= 3_000).length > 0 ? `between ${Math.round(Math.min(...latencies.filter((ms) => ms >= 3_000)))} and ${Math.round(Math.max(...latencies))} ms` : 'never later'}.`,
      ],
      details: { latencies, missed, deliveries: sink.deliveries.length, rawDuplicates, repeatedTriggers, rejected: sink.rejected, background: backgroundSummary },
    };
  } finally {
    await bench.stop();
    await sink.close();
  }
}

const part: BenchPart = {
  name: 'alerts',
  title: 'Alerts: ingest 202 to a signed webhook at a local receiver, under ingest load',
  issue: 'Alerts',
  runsByDefault: true,
  run,
};

export default part;
