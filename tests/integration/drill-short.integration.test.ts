// The fault drills of tests/drills/, short, on one real stack (both proxies in front, a 200-event
// buffer so an outage fills it, an alert receiver the drills control): workerd SIGKILLed with
// batches in flight, Postgres cut under ingest, Redis cut under dashboard reads, a duplicate storm,
// late, out-of-order events around hour, day and month boundaries, and workerd SIGKILLed with an
// alert undelivered in its outbox. Each drill has its own customer and checks only its own rows.
// `npm run drills` runs them long, each on a stack of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertOutboxCrash } from '../drills/alert-outbox-crash.ts';
import { duplicateStorm } from '../drills/duplicate-storm.ts';
import { lateEvents } from '../drills/late-events.ts';
import { postgresOutage } from '../drills/postgres-outage.ts';
import { redisOutage } from '../drills/redis-outage.ts';
import { startDrillStack, type DrillStack } from '../drills/support/drill-stack.ts';
import { workerCrash } from '../drills/worker-crash.ts';

const seed = 4_242;

describe('fault drills, short', () => {
  let stack: DrillStack;
  const log = (): void => {};

  beforeAll(async () => {
    stack = await startDrillStack({ label: 'short', postgresProxy: true, redisProxy: true, alertSink: true, vars: { EVENT_BUFFER_LIMIT: '200' } });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('keeps every acknowledged event, once, through a SIGKILL of workerd with batches in flight', async () => {
    const report = await workerCrash.run({ stack, log, seed }, { calls: 50, batchSize: 25, concurrency: 4, kills: 1 });
    expect(report.failures).toEqual([]);
  }, 180_000);

  it('answers 202 or 503 with Retry-After while Postgres is cut, and stores every acknowledged event once it returns', async () => {
    const report = await postgresOutage.run({ stack, log, seed }, { outageMs: 3_000, aroundMs: 1_000, batchSize: 25, concurrency: 2, paceMs: 200, expectBufferFull: true });
    expect(report.failures).toEqual([]);
  }, 180_000);

  it('answers the customer overview from Postgres while Redis is cut, and caches it again once Redis returns', async () => {
    const report = await redisOutage.run({ stack, log, seed }, { calls: 20, outageMs: 3_000, readIntervalMs: 100 });
    expect(report.failures).toEqual([]);
  }, 120_000);

  it('counts every event of batches sent three times at once exactly once', async () => {
    const report = await duplicateStorm.run({ stack, log, seed }, { calls: 30, batchSize: 20, concurrency: 3, copies: 3 });
    expect(report.failures).toEqual([]);
  }, 120_000);

  it('puts each late or out-of-order call in the hour, day and month of its call.ended', async () => {
    const report = await lateEvents.run({ stack, log, seed }, { callsPerPoint: 1 });
    expect(report.failures).toEqual([]);
  }, 120_000);

  // Last: it leaves its alert open. The resolve (two minutes of healthy traffic at the least) is the full drill's.
  it('delivers an alert trigger that was undelivered in the outbox when workerd was SIGKILLed, once, after the restart', async () => {
    const report = await alertOutboxCrash.run({ stack, log, seed }, { failingRequests: 40, resolve: false, healthyRequests: 0 });
    expect(report.failures).toEqual([]);
  }, 240_000);
});
