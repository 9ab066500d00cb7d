// Calls for the dashboards to show, sent through POST /v1/events like a platform's (so the live
// meters count them): each starts, takes a few turns with their provider requests and a tool
// call, and ends completed with its cost lines. All complete and error-free, so no alert opens
// while a page is being measured and the page's shape stays the same as its figures move.
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../../tests/fixtures/events.ts';
import { integer, type Rng } from './rng.ts';

export interface LiveCall {
  customerId: string;
  callId: string;
  /** When the call ended. */
  endedAt: Date;
  turns: number;
}

export function liveCallEvents(call: LiveCall, rng: Rng): SwitchboardEvent[] {
  const base = exampleEvents({ customerId: call.customerId, callId: call.callId, now: call.endedAt });
  const turnGapMs = 4_000;
  const durationMs = 2_000 + call.turns * turnGapMs;
  const startedMs = call.endedAt.getTime() - durationMs;
  const at = (offsetMs: number) => new Date(startedMs + offsetMs).toISOString();
  const id = (suffix: string) => `evt_${call.callId}_${suffix}`;
  const events: SwitchboardEvent[] = [{ ...base['call.started'], id: id('started'), ts: at(0) }];
  for (let turn = 0; turn < call.turns; turn++) {
    const latency = { stt: integer(rng, 120, 300), llm: integer(rng, 300, 1_400), tts: integer(rng, 80, 250) };
    const turnMs = 1_000 + turn * turnGapMs;
    events.push({
      ...base['call.turn'],
      id: id(`turn_${turn}`),
      ts: at(turnMs),
      turn,
      user_text: `Question ${turn} on ${call.callId}`,
      agent_text: `Answer ${turn} on ${call.callId}`,
      stt_ms: latency.stt,
      llm_ms: latency.llm,
      tts_ms: latency.tts,
      e2e_ms: latency.stt + latency.llm + latency.tts + integer(rng, 40, 120),
    });
    for (const kind of ['stt', 'llm', 'tts'] as const) {
      const provider = base['call.started'].providers[kind];
      events.push({ ...base['provider.request'], id: id(`request_${turn}_${kind}`), ts: at(turnMs - 500), kind, provider, ok: true, latency_ms: latency[kind] });
    }
  }
  events.push({ ...base['tool.call'], id: id('tool'), ts: at(turnGapMs), latency_ms: integer(rng, 80, 600) });
  const { audio: _noRecording, ...ended } = base['call.ended'];
  events.push({
    ...ended,
    id: id('ended'),
    ts: at(durationMs),
    duration_ms: durationMs,
    ttfa_ms: integer(rng, 600, 1_400),
    cost: ended.cost.map((line) => ({ ...line, cost_micros: integer(rng, 1_000, 90_000) })),
  });
  return events;
}
