// The data drills (tests/drills/), short: a duplicate storm, and late, out-of-order events around
// hour, day and month boundaries. One stack serves both; each drill has its own customer.
// `npm run drills` runs them with more traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateStorm } from '../drills/duplicate-storm.ts';
import { lateEvents } from '../drills/late-events.ts';
import { startDrillStack, type DrillStack } from '../drills/support/drill-stack.ts';

const seed = 4_343;

describe('data drills, short', () => {
  let stack: DrillStack;
  const log = (): void => {};

  beforeAll(async () => {
    stack = await startDrillStack({ label: 'data' });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('counts every event of batches sent three times at once exactly once', async () => {
    const report = await duplicateStorm.run({ stack, log, seed }, { calls: 40, batchSize: 20, concurrency: 3, copies: 3 });
    expect(report.failures).toEqual([]);
  }, 120_000);

  it('puts each late or out-of-order call in the hour, day and month of its call.ended', async () => {
    const report = await lateEvents.run({ stack, log, seed }, { callsPerPoint: 1 });
    expect(report.failures).toEqual([]);
  }, 120_000);
});
