// The outage drills (tests/drills/), short: workerd SIGKILLed with batches in flight, Postgres cut
// under ingest until the event buffer is full, Redis cut under dashboard reads. One stack with
// both proxies serves all three; each drill has its own customer. `npm run drills` runs them long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOutage } from '../drills/postgres-outage.ts';
import { redisOutage } from '../drills/redis-outage.ts';
import { startDrillStack, type DrillStack } from '../drills/support/drill-stack.ts';
import { workerCrash } from '../drills/worker-crash.ts';

const seed = 4_242;

describe('outage drills, short', () => {
  let stack: DrillStack;
  const log = (): void => {};

  beforeAll(async () => {
    stack = await startDrillStack({ label: 'outages', postgresProxy: true, redisProxy: true, vars: { EVENT_BUFFER_LIMIT: '200' } });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('keeps every acknowledged event, once, through a SIGKILL of workerd with batches in flight', async () => {
    const report = await workerCrash.run({ stack, log, seed }, { calls: 60, batchSize: 25, concurrency: 4, kills: 1 });
    expect(report.failures).toEqual([]);
  }, 180_000);

  it('answers 202 or 503 with Retry-After while Postgres is cut, and stores every acknowledged event once it returns', async () => {
    const report = await postgresOutage.run({ stack, log, seed }, { outageMs: 4_000, aroundMs: 2_000, batchSize: 25, concurrency: 2, paceMs: 200, expectBufferFull: true });
    expect(report.failures).toEqual([]);
  }, 180_000);

  it('answers the customer overview from Postgres while Redis is cut, and caches it again once Redis returns', async () => {
    const report = await redisOutage.run({ stack, log, seed }, { calls: 20, outageMs: 3_000, readIntervalMs: 100 });
    expect(report.failures).toEqual([]);
  }, 120_000);
});
