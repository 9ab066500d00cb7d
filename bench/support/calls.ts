// Realistic call traffic for the benches: each call is a call.started, a few turns with their
// STT/LLM/TTS requests, sometimes a tool call or an error, a call.ended with its cost lines and
// sometimes a rating, at the event sizes a voice platform sends. Batches are a pure function of
// (seed, batch index), so a baseline can rebuild exactly the rows a load sent.
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { chance, createRng, deriveSeed, hex, integer, pick, type Rng } from './rng.ts';

const regions = ['us', 'us', 'eu', 'ap'] as const;
const providers = {
  stt: ['deepgram', 'assemblyai'],
  llm: ['openai', 'anthropic'],
  tts: ['cartesia', 'elevenlabs'],
  telephony: ['twilio', 'telnyx'],
} as const;
const userLines = [
  "Hi, I'd like to move my cleaning appointment to Friday morning if that's possible.",
  'Can you tell me where my order is? It was supposed to arrive yesterday.',
  'I was charged twice on my last invoice and I would like a refund for one of them.',
  'Yes, that works for me. Could you also send me a text reminder?',
  'No, the other address, the one on Elm Street.',
  'Okay, thanks. Is there anything else I need to bring?',
];
const agentLines = [
  'Of course. I have 9:30 or 10:30 on Friday. Which one works better for you?',
  'Let me look that up. Your order left our warehouse on Tuesday and is out for delivery today.',
  'I can see both charges. I have started a refund for the duplicate; it takes three to five business days.',
  'Done. You will get a text reminder the day before. Is there anything else I can help with?',
  'Thanks, I have updated the delivery address to 42 Elm Street.',
  'Just your insurance card and a photo ID. See you on Friday!',
];

function phone(rng: Rng): string {
  return `+1${integer(rng, 200, 989)}555${String(integer(rng, 0, 9999)).padStart(4, '0')}`;
}

/**
 * One call's events in time order; ids are `<callId>-<n>`. `timeScale` shrinks the gaps between
 * its events' `ts` (durations in the events stay real), so a batch can hold what a platform
 * sends in about a second without calls that last a second.
 */
export function generateCall(rng: Rng, { customerId, callId, startMs, timeScale = 1 }: { customerId: string; callId: string; startMs: number; timeScale?: number }): SwitchboardEvent[] {
  const events: SwitchboardEvent[] = [];
  let at = startMs;
  const envelope = (offsetMs: number) => {
    at += offsetMs;
    return { id: `${callId}-${events.length}`, customer_id: customerId, call_id: callId, ts: new Date(startMs + Math.round((at - startMs) * timeScale)).toISOString() };
  };
  const stack = {
    stt: pick(rng, providers.stt),
    llm: pick(rng, providers.llm),
    tts: pick(rng, providers.tts),
    telephony: pick(rng, providers.telephony),
  };
  events.push({
    type: 'call.started',
    ...envelope(0),
    trace_id: hex(rng, 32),
    direction: chance(rng, 0.9) ? 'inbound' : 'outbound',
    from: phone(rng),
    to: phone(rng),
    agent_id: pick(rng, ['dental-reception', 'order-support', 'billing-desk']),
    agent_version: '2026.11.4',
    region: pick(rng, regions),
    providers: stack,
  });
  const turns = integer(rng, 3, 8);
  let interrupted = false;
  let failed = false;
  for (let turn = 0; turn < turns; turn++) {
    const stt = integer(rng, 120, 320);
    const llm = integer(rng, 250, 900);
    const tts = integer(rng, 90, 260);
    const ok = chance(rng, 0.99);
    for (const [kind, provider, latency] of [['stt', stack.stt, stt], ['llm', stack.llm, llm], ['tts', stack.tts, tts]] as const) {
      events.push({ type: 'provider.request', ...envelope(integer(rng, 200, 2_000)), kind, provider, ok: kind !== 'tts' || ok, latency_ms: latency, ...(kind === 'tts' && !ok ? { error_code: 'rate_limited' } : {}) });
    }
    const barge = chance(rng, 0.04);
    interrupted ||= barge;
    events.push({
      type: 'call.turn',
      ...envelope(integer(rng, 100, 400)),
      turn,
      user_text: pick(rng, userLines),
      agent_text: pick(rng, agentLines),
      stt_ms: stt,
      llm_ms: llm,
      tts_ms: tts,
      e2e_ms: stt + llm + tts + integer(rng, 40, 160),
      interrupted: barge,
    });
    if (turn === 1 && chance(rng, 0.3)) {
      const toolOk = chance(rng, 0.97);
      events.push({
        type: 'tool.call',
        ...envelope(integer(rng, 100, 600)),
        name: 'reschedule_appointment',
        ok: toolOk,
        latency_ms: integer(rng, 80, 700),
        arguments: { appointment_id: `apt_${integer(rng, 1000, 9999)}`, date: '2026-11-27', time: '10:30' },
        ...(toolOk ? { result: { confirmed: true, reminder_sms: true } } : { error: 'calendar service timed out' }),
      });
    }
    if (!ok && chance(rng, 0.5)) {
      failed = true;
      events.push({ type: 'call.error', ...envelope(integer(rng, 50, 300)), component: 'tts', code: 'rate_limited', message: `${stack.tts} answered 429 twice` });
      break;
    }
  }
  const durationMs = at - startMs + integer(rng, 2_000, 8_000);
  const minutes = durationMs / 60_000;
  events.push({
    type: 'call.ended',
    ...envelope(integer(rng, 500, 3_000)),
    status: failed ? 'failed' : chance(rng, 0.05) ? 'abandoned' : 'completed',
    duration_ms: durationMs,
    ttfa_ms: integer(rng, 600, 1_600),
    escalated: chance(rng, 0.04),
    task_success: chance(rng, 0.2) ? null : chance(rng, 0.85),
    cost: [
      { component: 'stt', provider: stack.stt, quantity: Math.round(durationMs / 1000), unit: 'seconds', cost_micros: Math.round((durationMs / 1000) * 72) },
      { component: 'llm', provider: stack.llm, quantity: turns * 900, unit: 'tokens', cost_micros: Math.round(turns * 900 * 1.5) },
      { component: 'tts', provider: stack.tts, quantity: turns * 80, unit: 'characters', cost_micros: turns * 80 * 30 },
      { component: 'telephony', provider: stack.telephony, quantity: Math.round(minutes * 100) / 100, unit: 'minutes', cost_micros: Math.round(minutes * 8_500) },
    ],
  });
  if (!interrupted && chance(rng, 0.25)) events.push({ type: 'call.feedback', ...envelope(integer(rng, 1_000, 5_000)), csat: integer(rng, 3, 5) });
  return events;
}

export interface EventBatch {
  index: number;
  customerId: string;
  events: SwitchboardEvent[];
}

/** A call's events spread over about a second and a half instead of a minute or two. */
const batchTimeScale = 0.015;

/**
 * Batch `index` of a run: `size` events of whole calls (the last call cut short) for one
 * customer, stamped within the few seconds before `anchorMs` (when the batch is built), as a
 * platform sending what just happened would stamp them.
 */
export function eventBatch({ seed, index, customerId, size, anchorMs }: { seed: number; index: number; customerId: string; size: number; anchorMs: number }): EventBatch {
  const rng = createRng(deriveSeed(seed, `batch-${index}`));
  const events: SwitchboardEvent[] = [];
  for (let call = 0; events.length < size; call++) {
    const startMs = anchorMs - 3_000 + integer(rng, 0, 1_000);
    events.push(...generateCall(rng, { customerId, callId: `b${index}c${call}`, startMs, timeScale: batchTimeScale }));
  }
  return { index, customerId, events: events.slice(0, size) };
}
