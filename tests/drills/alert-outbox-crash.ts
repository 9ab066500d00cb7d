// Drill: workerd SIGKILLed while alerts wait undelivered in the AlertDesk's outbox, then started
// again on the same persisted state. The webhook receiver is down (503) while a TTS provider
// degrades, so the trigger is queued and refused; workerd is killed with it in the outbox (and,
// in the full drill, killed again once the provider has recovered and the resolve is queued
// behind the trigger). Once the receiver is back, every message the outbox held must arrive:
// each webhook-id once after deduplication, each alert's trigger before its resolve.
import { envWebhookTargetId } from '../../durable/alerts/targets.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendAll } from './support/ingest-client.ts';
import { batchesOf, customerFields, drillCustomer } from './support/ledger.ts';
import { deliveredTypes, providerRequests, webhookIdConflicts, type AlertListing } from './support/provider-alerts.ts';

export interface AlertOutboxCrashParams {
  failingRequests: number;
  /** Recover the provider while the receiver is down and kill workerd again with trigger and resolve queued. */
  resolve: boolean;
  healthyRequests: number;
}

type Delivery = AlertListing['deliveries'][number];

/** Refused at least once and still waiting: a message that only the outbox holds. */
function undelivered(delivery: Delivery): boolean {
  return delivery.status === 'pending' && delivery.attempts.length > 0 && delivery.attempts.every((a) => !a.ok);
}

export const alertOutboxCrash: Drill<AlertOutboxCrashParams> = {
  name: 'alert-outbox-crash',
  title: 'workerd SIGKILLed with undelivered alerts in the outbox, restarted',
  needs: { alertSink: true },
  full: { failingRequests: 40, resolve: true, healthyRequests: 2_000 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const sink = stack.alertSink;
    if (!sink) throw new Error('the alert-outbox-crash drill needs its alert sink');
    const startedAt = Date.now();
    sink.setDown(true);
    log('receiver down (503)');

    const customer = drillCustomer(`drill-outbox-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const provider = `drill-outbox-tts-${seed}`;
    const providerKey = `provider:tts:${provider}:degraded`;
    const record = new IngestRecord();
    const send = (events: SwitchboardEvent[]) => sendAll(batchesOf(events, 500), { baseUrl: stack.baseUrl, key, record, concurrency: 2 });
    // The alerts this drill raised: every one triggered since it started (on a stack of its own,
    // the kind-wide TTS alert too), each judged on its own messages to the environment's webhook.
    const alerts = async (): Promise<AlertListing[]> => {
      const response = await stack.request('/api/ops/alerts?limit=500');
      if (response.status !== 200) return [];
      return ((await response.json()) as { data: AlertListing[] }).data.filter((a) => Date.parse(a.triggered_at) >= startedAt - 1_000);
    };
    const webhookMessages = (listed: AlertListing[]): Delivery[] => listed.flatMap((a) => a.deliveries.filter((d) => d.target_id === envWebhookTargetId));
    const providerAlert = async (): Promise<AlertListing | undefined> => (await alerts()).find((a) => a.dedup_key === providerKey);
    const kills: Array<{ queued: string[]; restartMs: number }> = [];
    /** Waits until the provider alert's webhook message `what` is in the outbox as `ready` says, then SIGKILLs workerd and starts it again. */
    const killWhen = async (what: string, ready: (delivery: Delivery) => boolean, waitMs: number): Promise<void> => {
      const found = await eventually(async () => webhookMessages((await alerts()).filter((a) => a.dedup_key === providerKey)).some(ready), waitMs, 1_000);
      verdict.check(found, `${providerKey}: the ${what} within ${seconds(waitMs)}`);
      const pending = webhookMessages(await alerts()).filter((d) => d.status === 'pending').map((d) => d.message_id);
      log(`SIGKILL workerd with ${pending.length} message(s) undelivered in the outbox: ${pending.join(', ')}`);
      const killedAt = Date.now();
      await stack.stack.restartWorker();
      kills.push({ queued: pending, restartMs: Date.now() - killedAt });
      log(`workerd serving again after ${seconds(Date.now() - killedAt)}`);
    };

    await send(providerRequests({ customerId: customer.id, provider, ok: false, count: params.failingRequests, label: `${provider}-fail` }));
    const failedAt = Date.now();
    const triggered = await eventually(async () => (await providerAlert())?.status === 'triggered', 120_000, 1_000);
    verdict.check(triggered, `${providerKey} did not trigger within 120 s of ${params.failingRequests} failed requests`);
    log(`${providerKey} triggered ${seconds(Date.now() - failedAt)} after ${params.failingRequests} failed requests`);
    // Attempted and refused first, so the kill finds the trigger in the outbox and nowhere else.
    await killWhen('trigger was not refused and left pending', (d) => d.action === 'trigger' && undelivered(d), 60_000);

    if (params.resolve) {
      await send(providerRequests({ customerId: customer.id, provider, ok: true, count: params.healthyRequests, label: `${provider}-ok` }));
      const healthyAt = Date.now();
      const resolved = await eventually(async () => (await providerAlert())?.status === 'resolved', 300_000, 2_000);
      verdict.check(resolved, `${providerKey} did not resolve within 300 s of ${params.healthyRequests} healthy requests`);
      log(`resolved ${seconds(Date.now() - healthyAt)} after ${params.healthyRequests} healthy requests`);
      // The resolve waits behind its trigger, so it is never attempted while the trigger is refused: queued is enough.
      await killWhen('resolve was not queued behind its trigger', (d) => d.action === 'resolve' && d.status === 'pending', 30_000);
    }

    const downMs = Date.now() - startedAt;
    sink.setDown(false);
    const upAt = Date.now();
    const refusedWhileDown = sink.receipts.filter((r) => r.status === 503).length;
    log(`receiver up after ${seconds(downMs)}, ${refusedWhileDown} attempts refused meanwhile`);

    // Nothing is sent after the last restart: only the outbox, on the desk's own alarm, can deliver.
    // Retries double from 5 s with +/-20% jitter: the first after an outage of D comes within about 1.5 D.
    const deadlineMs = 1.5 * downMs + 60_000;
    const settled = async (): Promise<boolean> => {
      const messages = webhookMessages(await alerts());
      return messages.length > 0 && messages.every((d) => d.status === 'delivered');
    };
    const complete = await eventually(settled, deadlineMs, 2_000);
    const deliveredMs = Date.now() - upAt;
    const listed = await alerts();
    const messages = webhookMessages(listed);
    verdict.check(complete, `not every message was delivered within ${seconds(deadlineMs)} of the receiver's return: ${JSON.stringify(messages.map((d) => [d.message_id, d.status]))}`);

    const accepted = sink.receipts.filter((r) => r.status === 204);
    const acceptedIds = new Set(accepted.map((r) => r.webhookId));
    const queuedAtKills = new Set(kills.flatMap((k) => k.queued));
    verdict.check(kills.length === (params.resolve ? 2 : 1), `${kills.length} kills happened`);
    verdict.check(kills.every((k) => k.queued.length > 0), `a kill found nothing undelivered in the outbox (${kills.map((k) => k.queued.length).join(', ')})`);
    for (const id of queuedAtKills) verdict.check(acceptedIds.has(id), `${id}, undelivered when workerd was killed, never reached the receiver`);
    for (const message of messages) verdict.check(acceptedIds.has(message.message_id), `${message.message_id} (${message.action}) is listed ${message.status} but the receiver never accepted it`);
    verdict.check(!sink.receipts.some((r) => r.status !== 503 && r.at < upAt), 'a delivery succeeded while the receiver was down');

    const delivered = deliveredTypes(sink.receipts);
    const expectedTypes = params.resolve ? ['alert.triggered', 'alert.resolved'] : ['alert.triggered'];
    verdict.check(listed.some((a) => a.dedup_key === providerKey), `${providerKey} is not among the alerts listed`);
    for (const alert of listed) {
      const types = delivered.get(alert.dedup_key) ?? [];
      const expected = alert.status === 'resolved' ? ['alert.triggered', 'alert.resolved'] : ['alert.triggered'];
      verdict.check(JSON.stringify(types) === JSON.stringify(expected), `${alert.dedup_key} (${alert.status}): delivered ${JSON.stringify(types)} after deduplication, expected ${JSON.stringify(expected)}`);
    }
    verdict.check(JSON.stringify(delivered.get(providerKey) ?? []) === JSON.stringify(expectedTypes), `${providerKey}: delivered ${JSON.stringify(delivered.get(providerKey) ?? [])}, expected ${JSON.stringify(expectedTypes)}`);
    const unverified = sink.receipts.filter((r) => r.verifyError !== null);
    verdict.check(unverified.length === 0, `${unverified.length} requests failed Standard Webhooks verification: ${unverified[0]?.verifyError}`);
    verdict.failures.push(...webhookIdConflicts(sink.receipts));

    return {
      facts: [
        ['alerts', listed.map((a) => `${a.dedup_key} ${a.status}`).join(', ')],
        ['kills', kills.map((k) => `${k.queued.length} undelivered in the outbox, back in ${seconds(k.restartMs)}`).join('; ')],
        ['while down', `${refusedWhileDown} delivery attempts refused with 503 over ${seconds(downMs)}`],
        ['delivered', `${messages.filter((d) => d.status === 'delivered').length} of ${messages.length} messages; ${accepted.length} requests accepted (${acceptedIds.size} distinct webhook-ids), the last ${seconds(deliveredMs)} after the receiver's return`],
        ['signatures', `${sink.receipts.length - unverified.length} of ${sink.receipts.length} verified with standardwebhooks`],
      ],
      failures: verdict.failures,
    };
  },
};
