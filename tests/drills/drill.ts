// What a fault drill is: a scenario against the real local stack on the wall clock, with full
// parameters for `npm run drills` and smaller ones for its short version in `npm test`, that
// reports what was sent, stored and delivered and fails on anything the contract forbids.
import type { DrillStack, DrillStackOptions } from './support/drill-stack.ts';

export interface DrillContext {
  stack: DrillStack;
  log(line: string): void;
  /** Seeds the drill's generated traffic; printed so a run can be repeated. */
  seed: number;
}

export interface DrillReport {
  /** What was sent, stored and delivered, as short label/value pairs for the summary table. */
  facts: Array<[string, string | number]>;
  /** Empty when the drill passed. */
  failures: string[];
}

export interface Drill<Params> {
  name: string;
  title: string;
  /** What the drill needs of its stack. */
  needs: Omit<DrillStackOptions, 'label'>;
  full: Params;
  run(context: DrillContext, params: Params): Promise<DrillReport>;
}

/** Collects failures as the drill goes, so one run reports everything that went wrong. */
export class Verdict {
  readonly failures: string[] = [];

  check(condition: boolean, failure: string): void {
    if (!condition) this.failures.push(failure);
  }
}

/** Polls until `condition` holds or `timeoutMs` passes; answers whether it held. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
