// Drill: workerd SIGKILLed in the middle of steady ingest, with several batches in flight, then
// started again. The sender re-sends whatever got no answer; every event a 202 covered must be in
// Postgres exactly once, with its calls and billed amounts as sent.
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendAll } from './support/ingest-client.ts';
import { batchesOf, compareStored, customerFields, drillCustomer, drillEvents, rateCardOf, storedTotals } from './support/ledger.ts';

export interface WorkerCrashParams {
  calls: number;
  batchSize: number;
  concurrency: number;
  kills: number;
}

export const workerCrash: Drill<WorkerCrashParams> = {
  name: 'worker-crash',
  title: 'workerd SIGKILLed under steady ingest, restarted',
  needs: {},
  full: { calls: 600, batchSize: 50, concurrency: 6, kills: 2 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const customer = drillCustomer(`drill-crash-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const events = drillEvents({ seed, customer, count: params.calls, endMs: Date.now() });
    const batches = batchesOf(events, params.batchSize);
    log(`${events.length} events of ${params.calls} calls in ${batches.length} batches, ${params.concurrency} senders`);

    const record = new IngestRecord();
    const progress = { started: 0, answered: 0 };
    const killAt = Array.from({ length: params.kills }, (_, k) => Math.floor(((k + 1) * batches.length) / (params.kills + 1)));
    const kills: Array<{ inFlight: number; restartMs: number }> = [];
    let killing: Promise<void> = Promise.resolve();
    const sending = sendAll(batches, {
      baseUrl: stack.baseUrl,
      key,
      record,
      concurrency: params.concurrency,
      progress,
      onBatch: (answered) => {
        if (answered !== killAt[kills.length]) return;
        const inFlight = progress.started - progress.answered;
        const started = Date.now();
        kills.push({ inFlight, restartMs: 0 });
        const kill = kills[kills.length - 1]!;
        log(`SIGKILL workerd after ${answered} of ${batches.length} batches answered, ${inFlight} in flight`);
        killing = killing.then(async () => {
          await stack.stack.restartWorker();
          kill.restartMs = Date.now() - started;
          log(`workerd serving again after ${seconds(kill.restartMs)}`);
        });
        // Awaited once the senders are done; until then a failed restart must not count as unhandled.
        killing.catch(() => {});
      },
    });
    await sending;
    await killing;
    verdict.check(kills.length === params.kills, `${kills.length} of ${params.kills} kills happened`);
    verdict.check(kills.every((k) => k.inFlight > 0), `a kill found no batch in flight (${kills.map((k) => k.inFlight).join(', ')})`);
    verdict.check(record.violations.length === 0, `ingestion broke the contract: ${record.violations.slice(0, 3).join('; ')}`);
    verdict.check(record.rejected.length === 0, `events rejected: ${JSON.stringify(record.rejected.slice(0, 3))}`);

    const flushStarted = Date.now();
    const expectedEvents = record.acknowledged.size;
    const settled = await eventually(async () => (await storedTotals(stack.sql, customer.id)).events >= expectedEvents, 180_000);
    const flushMs = Date.now() - flushStarted;
    verdict.check(settled, `the acknowledged events were not all stored within 180 s`);
    const { failures, expected, stored } = await compareStored(stack.sql, customer.id, record.acknowledged, rateCardOf(customer));
    verdict.failures.push(...failures);
    return {
      facts: [
        ['sent', `${events.length} events, ${params.calls} calls, ${batches.length} batches`],
        ['requests', `${record.requests} (${record.statusSummary()})`],
        ['kills', kills.map((k) => `${k.inFlight} in flight, back in ${seconds(k.restartMs)}`).join('; ')],
        ['acknowledged', `${record.acknowledged.size} events (${record.accepted} accepted, ${record.duplicates} duplicates on re-send)`],
        ['stored', `${stored.eventRows} event rows (${stored.events} distinct), ${stored.calls} calls, ${stored.endedCalls} ended; all stored ${seconds(flushMs)} after the last 202`],
        ['billed', `${stored.billedMicros} micro-USD stored, ${expected.billedMicros} expected`],
      ],
      failures: verdict.failures,
    };
  },
};
