import { describe, expect, it } from 'vitest';
import { generateCall, type GeneratedCall } from '../../local/demo/call-generator.ts';
import { demoCustomer } from '../../local/demo/customers.ts';
import { INCIDENT_CYCLE_MS, NOISY_NEIGHBOR, RUNAWAY_CALL, TTS_OUTAGE, scriptedIncidents } from '../../local/demo/incidents.ts';
import { createRng } from '../../local/demo/random.ts';
import { callArrivals, callsPerHourAt } from '../../local/demo/rhythm.ts';
import { switchboardEventSchema, type CallEndedEvent, type ProviderRequestEvent } from '../../workers/ingest/event-schema.ts';

const MINUTE = 60_000;
// A Tuesday, 09:00 UTC: the demo starts here and its first cycle's incidents follow.
const anchorMs = Date.parse('2026-11-24T09:00:00.000Z');
const incidents = scriptedIncidents(anchorMs);

function arrivalsBetween(seed: number, customerId: string, fromMs: number, toMs: number): number[] {
  const arrivals = callArrivals(createRng(seed, customerId), demoCustomer(customerId), anchorMs, { incidents, scale: 1 });
  const times: number[] = [];
  for (let at = arrivals.next().value; at < toMs; at = arrivals.next().value) if (at >= fromMs) times.push(at);
  return times;
}

describe('the TTS outage', () => {
  // Calls of a customer that mostly uses cartesia, starting every 2 s from 3 minutes before the
  // outage to 3 minutes after it.
  const customer = demoCustomer('northwind-retail');
  const outageStart = anchorMs + TTS_OUTAGE.startOffsetMs;
  const outageEnd = outageStart + TTS_OUTAGE.durationMs;
  const rng = createRng(5, 'outage');
  const calls: GeneratedCall[] = [];
  for (let at = outageStart - 3 * MINUTE; at < outageEnd + 3 * MINUTE; at += 2_000) calls.push(generateCall({ rng, customer, startedAtMs: at, incidents }));
  const ttsRequests = calls.flatMap((c) => c.events).filter((e): e is ProviderRequestEvent => e.type === 'provider.request' && e.kind === 'tts');

  it('fails more than half of the provider requests in each of its minutes, and few outside it', () => {
    for (let minute = outageStart - 2 * MINUTE; minute < outageEnd + 2 * MINUTE; minute += MINUTE) {
      const inMinute = ttsRequests.filter((r) => r.provider === TTS_OUTAGE.provider && Date.parse(r.ts) >= minute && Date.parse(r.ts) < minute + MINUTE);
      const failureRatio = inMinute.filter((r) => !r.ok).length / inMinute.length;
      expect(inMinute.length, `requests in minute ${new Date(minute).toISOString()}`).toBeGreaterThanOrEqual(5);
      if (minute >= outageStart && minute < outageEnd) expect(failureRatio).toBeGreaterThan(0.5);
      else expect(failureRatio).toBeLessThan(0.05);
    }
  });

  it('keeps calls cut short by the outage well formed: valid events, nothing but a rating after the end', () => {
    const problems: string[] = [];
    for (const call of calls) {
      for (const event of call.events) if (!switchboardEventSchema.safeParse(event).success) problems.push(`${event.id} invalid`);
      const endIndex = call.events.findIndex((e) => e.type === 'call.ended');
      if (call.events.slice(endIndex + 1).some((e) => e.type !== 'call.feedback')) problems.push(`${call.callId} has events after its end`);
    }
    expect(problems).toEqual([]);
  });

  it('leaves the other TTS provider healthy', () => {
    const other = ttsRequests.filter((r) => r.provider !== TTS_OUTAGE.provider);
    expect(other.length).toBeGreaterThan(100);
    expect(other.filter((r) => !r.ok).length / other.length).toBeLessThan(0.02);
  });

  it('reports tts call.errors on most calls and fails some of them during the outage', () => {
    const during = calls.filter((c) => c.startedAtMs >= outageStart && c.startedAtMs < outageEnd - 2 * MINUTE);
    const before = calls.filter((c) => c.endedAtMs < outageStart);
    const share = (list: GeneratedCall[], test: (call: GeneratedCall) => boolean) => list.filter(test).length / list.length;
    const hasTtsError = (call: GeneratedCall) => call.events.some((e) => e.type === 'call.error' && e.component === 'tts');
    expect(share(during, hasTtsError)).toBeGreaterThan(0.5);
    expect(share(before, hasTtsError)).toBeLessThan(0.02);
    expect(share(during, (c) => c.status === 'failed')).toBeGreaterThan(0.15);
    expect(share(before, (c) => c.status === 'failed')).toBeLessThan(0.05);
  });

  it('falls back to the other TTS provider after a failed retry, and bills it separately', () => {
    const fallbacks = calls.filter((c) => c.events.some((e) => e.type === 'call.error' && e.message.includes('fell back to elevenlabs')));
    expect(fallbacks.length).toBeGreaterThan(20);
    for (const call of fallbacks) {
      const started = call.events.find((e) => e.type === 'call.started');
      expect(started?.type === 'call.started' && started.providers.tts).toBe('cartesia');
      expect(call.events.some((e) => e.type === 'provider.request' && e.kind === 'tts' && e.provider === 'elevenlabs' && e.ok)).toBe(true);
      const end = call.events.find((e): e is CallEndedEvent => e.type === 'call.ended')!;
      expect(end.cost.filter((line) => line.component === 'tts').map((line) => line.provider)).toContain('elevenlabs');
    }
  });
});

describe('the noisy neighbor', () => {
  const customer = demoCustomer(NOISY_NEIGHBOR.customerId);
  const burstStarts = [0, 1, 2, 3, 4].map((cycle) => anchorMs + cycle * INCIDENT_CYCLE_MS + NOISY_NEIGHBOR.startOffsetMs);

  it('starts calls at 3x its normal rate during the burst, whatever the time of day', () => {
    for (const start of burstStarts) expect(callsPerHourAt(customer, start + MINUTE, { incidents, scale: 1 })).toBe(3 * customer.normalCallsPerHour);
    // 5 bursts of 10 minutes at 3 x 400 calls per hour: 1,000 calls expected.
    const started = burstStarts.reduce((sum, start) => sum + arrivalsBetween(21, customer.id, start, start + NOISY_NEIGHBOR.durationMs).length, 0);
    expect(started).toBeGreaterThan(900);
    expect(started).toBeLessThan(1_100);
  });

  it("reaches the contract's noisy load ratio (above 2) by the end of the burst, and not before it", () => {
    // load_ratio = calls started in the last 15 minutes / (normal calls per hour / 4).
    const loadRatioAt = (atMs: number) => arrivalsBetween(21, customer.id, atMs - 15 * MINUTE, atMs).length / (customer.normalCallsPerHour / 4);
    const firstBurst = burstStarts[0]!;
    expect(loadRatioAt(firstBurst)).toBeLessThan(2);
    expect(loadRatioAt(firstBurst + NOISY_NEIGHBOR.durationMs)).toBeGreaterThan(2);
    expect(loadRatioAt(firstBurst + NOISY_NEIGHBOR.durationMs + 14 * MINUTE)).toBeLessThan(2);
  });

  it('leaves the other customers at their usual rhythm', () => {
    const other = demoCustomer('brightsmile-clinics');
    const inBurst = burstStarts[0]! + MINUTE;
    expect(callsPerHourAt(other, inBurst, { incidents, scale: 1 })).toBe(callsPerHourAt(other, inBurst, { incidents: scriptedIncidents(anchorMs - 10 * MINUTE), scale: 1 }));
  });
});

describe('the runaway call', () => {
  it('starts once per cycle at its customer', () => {
    const runaways = incidents.runawayCallsBetween(anchorMs, anchorMs + 3 * INCIDENT_CYCLE_MS);
    expect(runaways).toEqual([0, 1, 2].map((cycle) => ({ customerId: RUNAWAY_CALL.customerId, startedAtMs: anchorMs + cycle * INCIDENT_CYCLE_MS + RUNAWAY_CALL.startOffsetMs })));
  });

  it('is billed above $1.00 under the default rate card (2000 bps markup, $0.01 per started minute)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const [start] = incidents.runawayCallsBetween(anchorMs, anchorMs + INCIDENT_CYCLE_MS);
      const call = generateCall({ rng: createRng(seed, 'runaway'), customer: demoCustomer(start!.customerId), startedAtMs: start!.startedAtMs, incidents, runaway: true });
      const end = call.events.find((e): e is CallEndedEvent => e.type === 'call.ended')!;
      expect(end.status).toBe('completed');
      const providerCost = BigInt(end.cost.reduce((sum, line) => sum + line.cost_micros, 0));
      // round_half_up(cost * 12000 / 10000) + ceil(duration / 60000) * 10000, by hand.
      const markedUp = (providerCost * 12_000n * 2n + 10_000n) / (10_000n * 2n);
      const startedMinutes = BigInt(Math.ceil(end.duration_ms / 60_000));
      const billed = markedUp + startedMinutes * 10_000n;
      expect(billed).toBeGreaterThan(1_000_000n);
      // It is the model's context that makes it expensive.
      const llm = end.cost.find((line) => line.component === 'llm')!;
      expect(BigInt(llm.cost_micros) * 2n).toBeGreaterThan(providerCost);
    }
  });

  it('leaves ordinary calls far below $1.00', () => {
    const rng = createRng(8, 'ordinary');
    const customer = demoCustomer(RUNAWAY_CALL.customerId);
    const costs = Array.from({ length: 300 }, (_, i) => {
      const end = generateCall({ rng, customer, startedAtMs: anchorMs + i * 1_000 }).events.find((e): e is CallEndedEvent => e.type === 'call.ended')!;
      return end.cost.reduce((sum, line) => sum + line.cost_micros, 0);
    });
    expect(Math.max(...costs)).toBeLessThan(400_000);
  });
});

describe('the incident schedule', () => {
  it('announces each incident once when it starts', () => {
    const lines = incidents.announcementsBetween(anchorMs, anchorMs + INCIDENT_CYCLE_MS).map((a) => [a.atMs - anchorMs, a.text.split(' ')[0]]);
    expect(lines).toEqual([
      [TTS_OUTAGE.startOffsetMs, 'cartesia'],
      [RUNAWAY_CALL.startOffsetMs, 'a'],
      [NOISY_NEIGHBOR.startOffsetMs, 'noisy'],
    ]);
  });

  it('has nothing before the demo starts', () => {
    expect(incidents.ttsOutageAt(anchorMs - INCIDENT_CYCLE_MS + TTS_OUTAGE.startOffsetMs)).toBeNull();
    expect(incidents.runawayCallsBetween(anchorMs - 2 * INCIDENT_CYCLE_MS, anchorMs)).toEqual([]);
  });
});
