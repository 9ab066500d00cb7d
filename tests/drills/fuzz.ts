// `npm run fuzz [-- --seconds N] [--seed N]`: fuzzes POST /v1/events on the real local stack for
// a while (default 2 minutes) with bodies generated from the event schemas
// (tests/support/ingest-fuzz.ts), a random seed unless one is given, printed first so a failing
// run can be repeated. Every answer is checked as it comes; at the end the stored rows must be
// exactly the accepted events, once each, as sent. Exits 1 on any problem.
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { bodyArb, type FuzzBody } from '../support/ingest-fuzz.ts';
import { checkStoredEvents, emptyTally, sendFuzzBody, type IngestAnswer, type StoredEvent } from '../support/ingest-fuzz-checks.ts';
import { eventually } from './drill.ts';
import { startDrillStack } from './support/drill-stack.ts';

const bodiesPerDraw = 25;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, seed: { type: 'string' } } });
  const seconds = Number(values.seconds);
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isSafeInteger(seed)) {
    console.error('usage: npm run fuzz -- [--seconds N] [--seed N]');
    return 2;
  }
  console.log(`Fuzzing POST /v1/events for ${seconds} s with seed ${seed} (repeat with: npm run fuzz -- --seconds ${seconds} --seed ${seed})`);
  const stack = await startDrillStack({ label: 'fuzz' });
  try {
    const customers = [`fuzz-${seed}-a`, `fuzz-${seed}-b`];
    for (const id of customers) await stack.createCustomer({ id });
    const key = await stack.createIngestKey(null);
    const send = async (body: FuzzBody): Promise<{ status: number; answer: IngestAnswer | null }> => {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body.contentType !== null) headers['content-type'] = body.contentType;
      const response = await fetch(`${stack.baseUrl}/v1/events`, { method: 'POST', headers, body: new TextEncoder().encode(body.body) });
      const answer = (await response.json().catch(() => null)) as IngestAnswer | null;
      return { status: response.status, answer };
    };

    const tally = emptyTally();
    const endAt = Date.now() + seconds * 1000;
    let nextReport = Date.now() + 15_000;
    for (let draw = 0; Date.now() < endAt; draw++) {
      // Each draw has its own seed and the time it is sent at, so timestamps stay inside the window.
      const context = { nowMs: Date.now(), customers, unknownCustomer: `fuzz-${seed}-nobody`, idPrefix: `fz${seed}-${draw}-` };
      for (const body of fc.sample(bodyArb(context), { seed: seed + draw, numRuns: bodiesPerDraw })) {
        await sendFuzzBody(tally, body, send);
        if (Date.now() > endAt) break;
      }
      if (Date.now() > nextReport) {
        console.log(`  ${tally.requests} requests, ${tally.events} events, ${tally.accepted} accepted, ${tally.problems.length} problems`);
        nextReport = Date.now() + 15_000;
      }
    }

    const storedCount = async (): Promise<number> => (await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE customer_id = ANY($1)', [customers])).rows[0]?.n ?? 0;
    const settled = await eventually(async () => (await storedCount()) >= tally.accepted, 120_000, 1_000);
    const rows = (await stack.sql.query<StoredEvent>('SELECT customer_id, id, body FROM events WHERE customer_id = ANY($1)', [customers])).rows;
    const problems = [...tally.problems, ...(settled ? [] : ['the accepted events were not all stored within 120 s']), ...checkStoredEvents(tally, rows)];
    console.log(`\n${tally.requests} requests (${[...tally.statuses].map(([status, n]) => `${status}: ${n}`).join(', ')}), ${tally.events} events, ${tally.accepted} accepted, ${tally.rejected} rejected, ${tally.refusedBodies} bodies refused whole; ${rows.length} events stored`);
    if (problems.length === 0) {
      console.log(`No problems (seed ${seed}).`);
      return 0;
    }
    console.log(`${problems.length} problems (seed ${seed}):`);
    for (const problem of problems.slice(0, 30)) console.log(`- ${problem}`);
    return 1;
  } finally {
    await stack.stop();
  }
}

process.exit(await main());
