// Drill: Postgres unreachable under steady ingest (the drill's proxy in front of it cut), then
// back. Ingestion must keep answering: 202, or 503 with Retry-After once a tenant's buffer is
// full (the full drill runs with a buffer small enough to fill). A sender that honours
// Retry-After loses nothing: after recovery every acknowledged event is stored exactly once.
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendAll } from './support/ingest-client.ts';
import { batchesOf, compareStored, customerFields, drillCustomer, drillEvents, rateCardOf, storedTotals } from './support/ledger.ts';

export interface PostgresOutageParams {
  outageMs: number;
  /** Steady ingest before the cut and after the restore. */
  aroundMs: number;
  batchSize: number;
  concurrency: number;
  /** Each sender starts a batch at most this often. */
  paceMs: number;
  /** The stack's event buffer is small enough to fill during the outage: a 503 with Retry-After must come. */
  expectBufferFull: boolean;
}

/** Small enough that the full drill's outage fills it, so the 503 path is exercised too. */
export const drillEventBufferLimit = 4_000;

export const postgresOutage: Drill<PostgresOutageParams> = {
  name: 'postgres-outage',
  title: 'Postgres unreachable for two minutes under ingest, then back',
  needs: { postgresProxy: true, vars: { EVENT_BUFFER_LIMIT: String(drillEventBufferLimit) } },
  full: { outageMs: 120_000, aroundMs: 10_000, batchSize: 50, concurrency: 2, paceMs: 250, expectBufferFull: true },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const proxy = stack.postgresProxy;
    if (!proxy) throw new Error('the postgres-outage drill needs its Postgres behind a proxy');
    const customer = drillCustomer(`drill-pg-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);

    // Enough batches to keep every sender busy from before the cut until after the restore.
    const batchCount = Math.ceil(((2 * params.aroundMs + params.outageMs) / params.paceMs) * params.concurrency);
    const perCall = 28;
    const events = drillEvents({ seed, customer, count: Math.ceil((batchCount * params.batchSize) / perCall), endMs: Date.now() }).slice(0, batchCount * params.batchSize);
    const batches = batchesOf(events, params.batchSize);
    log(`${events.length} events in ${batches.length} batches, ${params.concurrency} senders, one batch each per ${params.paceMs} ms`);

    const record = new IngestRecord();
    const during = new IngestRecord();
    let phase: 'before' | 'outage' | 'after' = 'before';
    const timeline: { cutAt?: number; restoredAt?: number; storedAtCut?: number; storedAtRestore?: number } = {};
    const faults = (async () => {
      await new Promise((resolve) => setTimeout(resolve, params.aroundMs));
      proxy.cut();
      timeline.cutAt = Date.now();
      phase = 'outage';
      // A COMMIT that reached the server just before the cut still lands; count after it has.
      await new Promise((resolve) => setTimeout(resolve, 500));
      timeline.storedAtCut = (await storedTotals(stack.sql, customer.id)).events;
      log(`Postgres cut after ${seconds(params.aroundMs)} (${timeline.storedAtCut} events stored so far)`);
      await new Promise((resolve) => setTimeout(resolve, params.outageMs - 500));
      timeline.storedAtRestore = (await storedTotals(stack.sql, customer.id)).events;
      proxy.restore();
      timeline.restoredAt = Date.now();
      phase = 'after';
      log(`Postgres back after ${seconds(params.outageMs)} (${timeline.storedAtRestore} events stored)`);
    })();
    await sendAll(batches, {
      baseUrl: stack.baseUrl,
      key,
      record,
      concurrency: params.concurrency,
      paceMs: params.paceMs,
      onAnswer: (status) => {
        if (phase === 'outage') during.count(String(status));
      },
    });
    await faults;
    const sendingEndedAt = Date.now();

    const settled = await eventually(async () => (await storedTotals(stack.sql, customer.id)).events >= record.acknowledged.size, 240_000, 1_000);
    const storedAt = Date.now();
    verdict.check(settled, `the acknowledged events were not all stored within 240 s of the last answer`);
    verdict.check(timeline.storedAtRestore === timeline.storedAtCut, `events reached Postgres while it was cut (${timeline.storedAtCut} before, ${timeline.storedAtRestore} after): the fault was not real`);
    const outageStatuses = [...during.byStatus.keys()];
    verdict.check(outageStatuses.every((status) => status === '202' || status === '503'), `during the outage ingestion answered ${during.statusSummary()}`);
    verdict.check(!params.expectBufferFull || (during.byStatus.get('503') ?? 0) > 0, `no 503 during the outage: the buffer never filled (${during.statusSummary()})`);
    verdict.check(record.violations.length === 0, `ingestion broke the contract: ${record.violations.slice(0, 3).join('; ')}`);
    verdict.check(!record.byStatus.has('network error'), `requests failed at the network: ${record.statusSummary()}`);
    verdict.check(record.rejected.length === 0, `events rejected: ${JSON.stringify(record.rejected.slice(0, 3))}`);
    verdict.check(sendingEndedAt > (timeline.restoredAt ?? Infinity), 'sending stopped before Postgres came back');
    const { failures, expected, stored } = await compareStored(stack.sql, customer.id, record.acknowledged, rateCardOf(customer));
    verdict.failures.push(...failures);
    const retryAfter = record.retryAfterSeconds;
    return {
      facts: [
        ['sent', `${events.length} events in ${batches.length} batches over ${seconds(sendingEndedAt - (timeline.cutAt ?? 0) + params.aroundMs)}, Postgres cut for ${seconds(params.outageMs)}`],
        ['during the outage', `${during.statusSummary() || 'no answers'}${retryAfter.length > 0 ? `; Retry-After ${Math.min(...retryAfter)}-${Math.max(...retryAfter)} s` : ''}`],
        ['requests', `${record.requests} (${record.statusSummary()})`],
        ['acknowledged', `${record.acknowledged.size} events (${record.accepted} accepted, ${record.duplicates} duplicates on re-send)`],
        ['stored', `${stored.eventRows} event rows (${stored.events} distinct), ${stored.calls} calls, ${stored.endedCalls} ended; the last batch answered ${seconds(sendingEndedAt - (timeline.restoredAt ?? 0))} after Postgres came back, all stored ${seconds(storedAt - sendingEndedAt)} after that`],
        ['billed', `${stored.billedMicros} micro-USD stored, ${expected.billedMicros} expected`],
      ],
      failures: verdict.failures,
    };
  },
};
