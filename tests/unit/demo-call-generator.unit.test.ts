import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCall, type GeneratedCall } from '../../local/demo/call-generator.ts';
import { DEMO_CUSTOMERS } from '../../local/demo/customers.ts';
import { createRng } from '../../local/demo/random.ts';
import { switchboardEventSchema, type SwitchboardEvent } from '../../workers/ingest/event-schema.ts';

const startedAtMs = Date.parse('2026-11-24T14:00:00.000Z');
const seeds = Array.from({ length: 40 }, (_, i) => 1_000 + i * 7);

/** Ten calls per customer per seed, each seed its own stream: 1,600 calls. */
const calls: GeneratedCall[] = seeds.flatMap((seed) =>
  DEMO_CUSTOMERS.flatMap((customer) => {
    const rng = createRng(seed, customer.id);
    return Array.from({ length: 10 }, (_, i) => generateCall({ rng, customer, startedAtMs: startedAtMs + i * 4_000 }));
  }),
);

function ofType<Type extends SwitchboardEvent['type']>(call: GeneratedCall, type: Type): Array<Extract<SwitchboardEvent, { type: Type }>> {
  return call.events.filter((e): e is Extract<SwitchboardEvent, { type: Type }> => e.type === type);
}

function ended(call: GeneratedCall) {
  const [end] = ofType(call, 'call.ended');
  if (!end) throw new Error(`call ${call.callId} has no call.ended`);
  return end;
}

const share = (count: number) => count / calls.length;

describe('a generated demo call', () => {
  it('consists only of events the ingestion schema accepts, unchanged by validation', () => {
    const problems: string[] = [];
    for (const event of calls.flatMap((c) => c.events)) {
      const parsed = switchboardEventSchema.safeParse(event);
      if (!parsed.success) problems.push(`${event.id}: ${JSON.stringify(parsed.error.issues)}`);
      else if (JSON.stringify(parsed.data) !== JSON.stringify(event)) problems.push(`${event.id}: changed by validation`);
    }
    expect(problems).toEqual([]);
  });

  it('is the same for the same seed and start time, and differs for another seed', () => {
    const customer = DEMO_CUSTOMERS[0]!;
    const again = generateCall({ rng: createRng(1_000, customer.id), customer, startedAtMs });
    expect(again).toEqual(calls[0]);
    expect(generateCall({ rng: createRng(1_001, customer.id), customer, startedAtMs }).events).not.toEqual(again.events);
  });

  it('starts with call.started, ends once, and keeps its events in time order with unique ids', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const call of calls) {
      if (call.events[0]?.type !== 'call.started' || ofType(call, 'call.started').length !== 1) problems.push(`${call.callId}: not one call.started first`);
      if (ofType(call, 'call.ended').length !== 1) problems.push(`${call.callId}: not one call.ended`);
      const times = call.events.map((e) => Date.parse(e.ts));
      if (times.some((t, i) => i > 0 && t < times[i - 1]!)) problems.push(`${call.callId}: events out of time order`);
      for (const event of call.events) {
        if (event.call_id !== call.callId || ids.has(event.id)) problems.push(`${event.id}: wrong call or repeated id`);
        ids.add(event.id);
      }
      // Only a rating comes after the end.
      const end = ended(call);
      if (!call.events.slice(call.events.indexOf(end) + 1).every((e) => e.type === 'call.feedback')) problems.push(`${call.callId}: events after call.ended`);
      if (end.duration_ms !== Date.parse(end.ts) - call.startedAtMs) problems.push(`${call.callId}: duration is not ended minus started`);
    }
    expect(problems).toEqual([]);
  });

  it('has 2 to 12 turns when completed, numbered from 0, with e2e covering stt, llm and tts plus network', () => {
    for (const call of calls) {
      const turns = ofType(call, 'call.turn');
      expect(turns.map((t) => t.turn)).toEqual(turns.map((_, i) => i));
      if (ended(call).status === 'completed') expect(turns.length).toBeGreaterThanOrEqual(1);
      expect(turns.length).toBeLessThanOrEqual(12);
    }
    const turns = calls.flatMap((c) => ofType(c, 'call.turn'));
    const outOfRange = turns.filter(
      (t) => t.stt_ms < 80 || t.stt_ms > 300 || t.tts_ms < 60 || t.llm_ms < 200 || t.e2e_ms <= t.stt_ms + t.llm_ms + t.tts_ms || !t.user_text || !t.agent_text,
    );
    expect(outOfRange).toEqual([]);
    // The LLM's long tail: most replies within 1.5 s, a few far slower.
    const slowReplies = turns.filter((t) => t.llm_ms > 1_500).length / turns.length;
    expect(slowReplies).toBeGreaterThan(0.01);
    expect(slowReplies).toBeLessThan(0.08);
    const completed = calls.filter((c) => ended(c).status === 'completed' && !ended(c).escalated);
    const turnCounts = completed.map((c) => ofType(c, 'call.turn').length);
    expect(Math.min(...turnCounts)).toBe(2);
    expect(Math.max(...turnCounts)).toBe(12);
  });

  it('sends an stt, llm and tts request for each turn and a telephony request per call', () => {
    for (const call of calls) {
      const requests = ofType(call, 'provider.request');
      const turns = ofType(call, 'call.turn').length;
      const count = (kind: string) => requests.filter((r) => r.kind === kind).length;
      expect(count('stt')).toBeGreaterThanOrEqual(turns);
      expect(count('llm')).toBeGreaterThanOrEqual(turns);
      // The greeting is synthesized too.
      expect(count('tts')).toBeGreaterThanOrEqual(turns + 1);
      expect(count('telephony')).toBeGreaterThanOrEqual(1);
      const started = ofType(call, 'call.started')[0]!;
      for (const request of requests) expect(request.provider).toBe(started.providers[request.kind]);
    }
  });

  it('ends about 93% completed, 1.5% failed and 5% abandoned, escalating about 6%', () => {
    const statuses = (status: string) => share(calls.filter((c) => ended(c).status === status).length);
    expect(statuses('completed')).toBeGreaterThan(0.9);
    expect(statuses('failed')).toBeGreaterThan(0.005);
    expect(statuses('failed')).toBeLessThan(0.03);
    expect(statuses('abandoned')).toBeGreaterThan(0.03);
    expect(statuses('abandoned')).toBeLessThan(0.07);
    const escalated = share(calls.filter((c) => ended(c).escalated).length);
    expect(escalated).toBeGreaterThan(0.04);
    expect(escalated).toBeLessThan(0.08);
    // Every failed call says why.
    for (const call of calls.filter((c) => ended(c).status === 'failed')) expect(ofType(call, 'call.error').length).toBeGreaterThan(0);
  });

  it('reports task success as true, false and unknown, and ratings from 1 to 5 for some calls', () => {
    const outcomes = new Set(calls.map((c) => ended(c).task_success));
    expect(outcomes).toEqual(new Set([true, false, null]));
    const rated = calls.filter((c) => ofType(c, 'call.feedback').length > 0);
    expect(share(rated.length)).toBeGreaterThan(0.15);
    expect(share(rated.length)).toBeLessThan(0.35);
    expect(new Set(rated.map((c) => ofType(c, 'call.feedback')[0]!.csat))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('calls tools with JSON arguments and results, and some fail with an error', () => {
    const tools = calls.flatMap((c) => ofType(c, 'tool.call'));
    expect(new Set(tools.map((t) => t.name))).toEqual(
      new Set(['lookup_customer', 'list_slots', 'book_slot', 'lookup_order', 'send_sms', 'request_hold', 'lookup_account', 'list_charges', 'issue_refund']),
    );
    for (const tool of tools) {
      expect(typeof tool.arguments).toBe('object');
      if (tool.ok) expect(tool.result).toBeTypeOf('object');
      else expect(tool.error).toMatch(/\w/);
    }
    const failureRate = tools.filter((t) => !t.ok).length / tools.length;
    expect(failureRate).toBeGreaterThan(0.005);
    expect(failureRate).toBeLessThan(0.08);
  });

  it('uses E.164 numbers in the us, eu and ap regions', () => {
    const started = calls.map((c) => ofType(c, 'call.started')[0]!);
    expect(new Set(started.map((s) => s.region))).toEqual(new Set(['us', 'eu', 'ap']));
    for (const s of started) {
      expect(s.from).toMatch(/^\+[1-9]\d{9,14}$/);
      expect(s.to).toMatch(/^\+[1-9]\d{9,14}$/);
    }
  });

  it('costs roughly $0.05 to $0.30 in provider cost per 3 minutes of call, in integer micro-USD per component', () => {
    const perThreeMinutes: number[] = [];
    for (const call of calls) {
      const end = ended(call);
      expect(new Set(end.cost.map((line) => line.component))).toContain('telephony');
      for (const line of end.cost) {
        expect(Number.isInteger(line.cost_micros)).toBe(true);
        expect(line.cost_micros).toBeGreaterThanOrEqual(0);
      }
      const cost = end.cost.reduce((sum, line) => sum + line.cost_micros, 0);
      if (end.status === 'completed') perThreeMinutes.push((cost * 180_000) / end.duration_ms);
    }
    perThreeMinutes.sort((a, b) => a - b);
    expect(perThreeMinutes[Math.floor(perThreeMinutes.length * 0.05)]).toBeGreaterThan(50_000);
    expect(perThreeMinutes[Math.floor(perThreeMinutes.length * 0.95)]).toBeLessThan(300_000);
  });

  it('has no recording and declares no audio unless recordings are asked for', () => {
    expect(calls.filter((c) => c.recording !== null || ended(c).audio !== undefined)).toEqual([]);
  });

  it('declares, for a recorded call, audio/wav with the sha256 of the WAV it carries', () => {
    const customer = DEMO_CUSTOMERS[0]!;
    const rng = createRng(77, customer.id);
    const recorded = Array.from({ length: 20 }, (_, i) => generateCall({ rng, customer, startedAtMs: startedAtMs + i * 4_000, recordedShare: 1 }));
    for (const call of recorded) {
      expect(call.recording).not.toBeNull();
      const wav = call.recording!;
      expect(String.fromCharCode(...wav.subarray(0, 4))).toBe('RIFF');
      expect(ended(call).audio).toEqual({ content_type: 'audio/wav', sha256: createHash('sha256').update(wav).digest('hex') });
      expect(switchboardEventSchema.parse(ended(call))).toEqual(ended(call));
    }
    expect(new Set(recorded.map((c) => ended(c).audio?.sha256)).size).toBe(recorded.length);
  });

  it('records about the share of calls it is given', () => {
    const customer = DEMO_CUSTOMERS[1]!;
    const rng = createRng(78, customer.id);
    const generated = Array.from({ length: 2_000 }, (_, i) => generateCall({ rng, customer, startedAtMs: startedAtMs + i * 1_000, recordedShare: 1 / 20 }));
    const recorded = generated.filter((c) => c.recording !== null);
    // 100 expected; 70-130 is beyond three standard deviations (about 9.7).
    expect(recorded.length).toBeGreaterThan(70);
    expect(recorded.length).toBeLessThan(130);
    expect(generated.filter((c) => (c.recording === null) !== (ended(c).audio === undefined))).toEqual([]);
  });
});
