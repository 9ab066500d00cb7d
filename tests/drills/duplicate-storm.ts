// Drill: a duplicate storm. Every batch is sent three times at once, several batches at a time,
// and afterwards all events once more cut into different batches. Each event must be counted
// accepted once and duplicate every other time, and stored once: events, calls and billed
// amounts as if each had been sent once.
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventually, seconds, Verdict, type Drill } from './drill.ts';
import { IngestRecord, sendAll, sendUntilAnswered } from './support/ingest-client.ts';
import { batchesOf, compareStored, customerFields, drillCustomer, drillEvents, rateCardOf, storedTotals } from './support/ledger.ts';

export interface DuplicateStormParams {
  calls: number;
  batchSize: number;
  /** Batches in flight at once, each as `copies` concurrent requests. */
  concurrency: number;
  copies: number;
}

export const duplicateStorm: Drill<DuplicateStormParams> = {
  name: 'duplicate-storm',
  title: 'every batch sent three times at once, then all again re-batched',
  needs: {},
  full: { calls: 400, batchSize: 40, concurrency: 4, copies: 3 },
  async run({ stack, log, seed }, params) {
    const verdict = new Verdict();
    const customer = drillCustomer(`drill-dups-${seed}`);
    await stack.createCustomer(customerFields(customer));
    const key = await stack.createIngestKey(customer.id);
    const events = drillEvents({ seed, customer, count: params.calls, endMs: Date.now() });
    const batches = batchesOf(events, params.batchSize);
    log(`${events.length} events in ${batches.length} batches, each sent ${params.copies} times at once, ${params.concurrency} batches at a time`);

    const record = new IngestRecord();
    const started = Date.now();
    let next = 0;
    const storm = async (): Promise<void> => {
      while (next < batches.length) {
        const batch: SwitchboardEvent[] = batches[next++]!;
        await Promise.all(Array.from({ length: params.copies }, () => sendUntilAnswered(batch, { baseUrl: stack.baseUrl, key, record })));
      }
    };
    await Promise.all(Array.from({ length: params.concurrency }, storm));
    const stormMs = Date.now() - started;
    const acceptedInStorm = record.accepted;
    const duplicatesInStorm = record.duplicates;

    // The same events again, cut differently: nothing new.
    await sendAll(batchesOf(events, params.batchSize * 2 + 7), { baseUrl: stack.baseUrl, key, record, concurrency: params.concurrency });
    const unique = new Set(events.map((e) => e.id)).size;
    // A request that got no answer (a dropped connection) may still have stored its events: they
    // come back as duplicates when it is sent again. Counted twice, never.
    const unanswered = record.unansweredEvents;
    verdict.check(acceptedInStorm <= unique && acceptedInStorm >= unique - unanswered, `${acceptedInStorm} accepted in the storm for ${unique} distinct events (${unanswered} in requests without an answer)`);
    verdict.check(acceptedInStorm + duplicatesInStorm === unique * params.copies, `${acceptedInStorm} accepted + ${duplicatesInStorm} duplicates in the storm for ${unique} events sent ${params.copies} times`);
    verdict.check(record.accepted === acceptedInStorm && record.duplicates === duplicatesInStorm + unique, `the re-send counted ${record.accepted - acceptedInStorm} accepted and ${record.duplicates - duplicatesInStorm} duplicates of ${unique} events; expected 0 and ${unique}`);
    verdict.check(record.violations.length === 0 && record.rejected.length === 0, `violations ${JSON.stringify(record.violations.slice(0, 3))}, rejected ${JSON.stringify(record.rejected.slice(0, 3))}`);

    const settled = await eventually(async () => (await storedTotals(stack.sql, customer.id)).events >= unique, 120_000);
    verdict.check(settled, 'the events were not all stored within 120 s');
    const { failures, expected, stored } = await compareStored(stack.sql, customer.id, record.acknowledged, rateCardOf(customer));
    verdict.failures.push(...failures);
    return {
      facts: [
        ['sent', `${events.length} events ${params.copies} times at once in ${seconds(stormMs)}, then once more re-batched: ${record.requests} requests (${record.statusSummary()})`],
        ['counted', `${record.accepted} accepted, ${record.duplicates} duplicates`],
        ['stored', `${stored.eventRows} event rows (${stored.events} distinct), ${stored.calls} calls, ${stored.endedCalls} ended`],
        ['billed', `${stored.billedMicros} micro-USD stored, ${expected.billedMicros} expected`],
      ],
      failures: verdict.failures,
    };
  },
};
