// Property-based fuzzing of parseEventBatch, the stateless half of POST /v1/events, with bodies
// generated from the event schemas (tests/support/ingest-fuzz.ts): it never throws, refuses a body
// whole exactly when the contract says so, keeps each valid event's text byte for byte, rejects
// each bad one at a path that exists in it, and no key reaches a prototype.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../../workers/ingest/parse-batch.ts';
import { bodyArb, describeOutcome, type FuzzBody } from '../support/ingest-fuzz.ts';
import { checkOutcomes, outcomesFrom } from '../support/ingest-fuzz-checks.ts';

const seed = 20_261_124;
const numRuns = 2_000;
const nowMs = Date.parse('2026-11-24T14:03:07.120Z');
const context = { nowMs, customers: ['acme', 'globex-2'], unknownCustomer: 'initech', idPrefix: 'fz-' };

function problemsWith(body: FuzzBody): string[] {
  const result = parseEventBatch({ body: body.body, contentType: body.contentType, now: new Date(nowMs) });
  if (body.outcome.kind === 'refused') {
    const { status, codes } = body.outcome;
    return !result.ok && result.status === status && codes.includes(result.code) ? [] : [`expected ${status} ${codes.join('/')}, got ${JSON.stringify(result).slice(0, 300)}`];
  }
  if (!result.ok) return [`expected per-event results, got ${result.status} ${result.code}: ${result.message}`];
  const { outcomes, problems } = outcomesFrom(body, result.rejected);
  const acceptedIndexes = outcomes.filter((o) => o.accepted).map((o) => o.index);
  if (JSON.stringify(result.valid.map((v) => v.index)) !== JSON.stringify(acceptedIndexes)) {
    problems.push(`valid events ${JSON.stringify(result.valid.map((v) => v.index))} are not the events without errors ${JSON.stringify(acceptedIndexes)}`);
  }
  for (const valid of result.valid) {
    if (valid.raw !== body.elements[valid.index]?.text) problems.push(`event ${valid.index}: its raw text changed on the way`);
  }
  return [...problems, ...checkOutcomes(body, outcomes, 'parse')];
}

describe('parseEventBatch under fuzzed bodies', () => {
  it(`answers every body as the contract says (seed ${seed}, ${numRuns} bodies)`, () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    console.log(`ingest fuzz (parse): seed ${seed}, ${numRuns} bodies`);
    fc.assert(
      fc.property(bodyArb(context), (body) => {
        const problems = problemsWith(body);
        if (problems.length > 0) throw new Error(`${body.label}, ${describeOutcome(body)}:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(body.body).slice(0, 2_000)}`);
      }),
      { seed, numRuns, endOnFailure: true },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
