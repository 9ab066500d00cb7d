// Drill: the alert webhook receiver down (answering 503) for ten minutes, then back. A provider
// is made to fail (degraded, then healthy again long enough to resolve) while the receiver is
// down; once it is back, it must get each alert's trigger and then its resolve, each webhook-id
// once after deduplication, every request signed per Standard Webhooks (verified with the
// standardwebhooks library, as a receiver would).
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendAll } from './support/ingest-client.ts';
import { batchesOf, customerFields, drillCustomer } from './support/ledger.ts';
import { deliveredTypes, providerRequests, webhookIdConflicts, type AlertListing, type WebhookTypesByKey } from './support/provider-alerts.ts';

export interface AlertSinkOutageParams {
  downMs: number;
  failingRequests: number;
  healthyRequests: number;
}

export const alertSinkOutage: Drill<AlertSinkOutageParams> = {
  name: 'alert-sink-outage',
  title: 'alert webhook receiver down for ten minutes, then back',
  needs: { alertSink: true },
  full: { downMs: 10 * 60_000, failingRequests: 40, healthyRequests: 2_000 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const sink = stack.alertSink;
    if (!sink) throw new Error('the alert-sink-outage drill needs its alert sink');
    sink.setDown(true);
    const downAt = Date.now();
    log(`receiver down (503) from now for ${seconds(params.downMs)}`);

    const customer = drillCustomer(`drill-alerts-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const provider = `drill-tts-${seed}`;
    const dedupKeys = [`provider:tts:${provider}:degraded`, 'provider:tts:degraded'];
    const record = new IngestRecord();
    const send = (events: SwitchboardEvent[]) => sendAll(batchesOf(events, 500), { baseUrl: stack.baseUrl, key, record, concurrency: 2 });
    const alerts = async (): Promise<AlertListing[]> => {
      const response = await stack.request('/api/ops/alerts?limit=500');
      return response.status === 200 ? ((await response.json()) as { data: AlertListing[] }).data.filter((a) => dedupKeys.includes(a.dedup_key)) : [];
    };

    await send(providerRequests({ customerId: customer.id, provider, ok: false, count: params.failingRequests, label: `${provider}-fail` }));
    const failedAt = Date.now();
    const triggered = await eventually(async () => (await alerts()).filter((a) => a.status === 'triggered').length === dedupKeys.length, 120_000, 1_000);
    const triggeredMs = Date.now() - failedAt;
    verdict.check(triggered, `the degraded alerts did not trigger within 120 s: ${JSON.stringify((await alerts()).map((a) => [a.dedup_key, a.status]))}`);
    verdict.check(triggeredMs <= 60_000 + 5_000, `the alerts triggered ${seconds(triggeredMs)} after the condition (contract: within 60 s)`);
    log(`${dedupKeys.join(' and ')} triggered ${seconds(triggeredMs)} after ${params.failingRequests} failed requests`);

    await send(providerRequests({ customerId: customer.id, provider, ok: true, count: params.healthyRequests, label: `${provider}-ok` }));
    const healthyAt = Date.now();
    const resolved = await eventually(async () => (await alerts()).filter((a) => a.status === 'resolved').length === dedupKeys.length, 300_000, 2_000);
    verdict.check(resolved, `the alerts did not resolve within 300 s of ${params.healthyRequests} healthy requests`);
    log(`resolved ${seconds(Date.now() - healthyAt)} after ${params.healthyRequests} healthy requests`);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + params.downMs - Date.now())));
    sink.setDown(false);
    const refusedWhileDown = sink.receipts.filter((r) => r.status === 503).length;
    const upAt = Date.now();
    log(`receiver up after ${seconds(upAt - downAt)}, ${refusedWhileDown} attempts refused meanwhile`);

    const delivered = (): WebhookTypesByKey => deliveredTypes(sink.receipts);
    // Retries double from 5 s with +/-20% jitter: the first after an outage of D comes within about 1.5 D.
    const deadlineMs = 1.5 * params.downMs + 60_000;
    const complete = await eventually(async () => dedupKeys.every((k) => (delivered().get(k) ?? []).length >= 2), deadlineMs, 2_000);
    const deliveredMs = Date.now() - upAt;
    verdict.check(complete, `trigger and resolve were not both delivered within ${seconds(deadlineMs)} of the receiver's return: ${JSON.stringify(Object.fromEntries(delivered()))}`);

    const unverified = sink.receipts.filter((r) => r.verifyError !== null);
    verdict.check(unverified.length === 0, `${unverified.length} requests failed Standard Webhooks verification: ${unverified[0]?.verifyError}`);
    verdict.check(refusedWhileDown > 0, 'no delivery was attempted while the receiver was down: the outage was not exercised');
    verdict.check(!sink.receipts.some((r) => r.status !== 503 && r.at < upAt), 'a delivery succeeded while the receiver was down');
    for (const dedupKey of dedupKeys) {
      const types = delivered().get(dedupKey) ?? [];
      verdict.check(JSON.stringify(types) === JSON.stringify(['alert.triggered', 'alert.resolved']), `${dedupKey}: delivered ${JSON.stringify(types)} after deduplication, expected trigger then resolve`);
    }
    verdict.failures.push(...webhookIdConflicts(sink.receipts));
    const accepted = sink.receipts.filter((r) => r.status === 204);
    return {
      facts: [
        ['alerts', `${dedupKeys.join(', ')}: triggered ${seconds(triggeredMs)} after ${params.failingRequests} failed requests, resolved after ${params.healthyRequests} healthy ones`],
        ['while down', `${refusedWhileDown} delivery attempts refused with 503 over ${seconds(upAt - downAt)}`],
        ['delivered', `${accepted.length} requests accepted (${new Set(accepted.map((r) => r.webhookId)).size} distinct webhook-ids), the last ${seconds(deliveredMs)} after the receiver's return`],
        ['signatures', `${sink.receipts.length - unverified.length} of ${sink.receipts.length} verified with standardwebhooks`],
      ],
      failures: verdict.failures,
    };
  },
};
