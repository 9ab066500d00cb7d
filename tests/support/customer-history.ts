// A customer's recent history for end-to-end tests of the customer dashboard: calls of every
// status over the last three weeks, with errors, task outcomes, a few ratings, provider names and
// token counts in their cost lines (which no customer page may show), and one call in progress.
// Written through ingest_events(), the one writer of the event tables, because the API refuses
// events older than 24 h.
import pg from 'pg';
import { switchboardEventSchema } from '../../workers/ingest/event-schema.ts';

const hourMs = 3_600_000;

/** Provider names in the seeded cost lines and call.started events. */
export const seededProviders = { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } as const;
/** Token counts in the seeded LLM cost lines: numbers no customer figure can coincide with. */
export const seededTokenCounts = [73_519, 81_467] as const;

export interface SeededCall {
  callId: string;
  startedAt: Date;
  endedAt: Date | null;
  status: 'completed' | 'failed' | 'abandoned' | 'in_progress';
}

export interface HistoryOptions {
  customerId: string;
  /** Prefix of every call id, so tests can tell customers' calls apart. */
  callPrefix: string;
  calls: number;
  /** Hours between consecutive calls' ends, going back from `now`. */
  spacingHours: number;
  /** How many of the calls (the newest) carry a CSAT rating. */
  ratings: number;
  now: Date;
}

function statusOf(i: number): 'completed' | 'failed' | 'abandoned' {
  if (i % 9 === 4) return 'failed';
  if (i % 11 === 7) return 'abandoned';
  return 'completed';
}

/** The events of a deterministic history, newest call first, and what the calls are. */
export function customerHistory(options: HistoryOptions): { events: unknown[]; calls: SeededCall[] } {
  const { customerId, callPrefix, now } = options;
  const iso = (ms: number) => new Date(ms).toISOString();
  const events: unknown[] = [];
  const calls: SeededCall[] = [];
  for (let i = 0; i < options.calls; i++) {
    const callId = `${callPrefix}-${String(i).padStart(3, '0')}`;
    const endedMs = now.getTime() - 10 * 60_000 - i * options.spacingHours * hourMs;
    const durationMs = 20_000 + ((i * 37_123) % 240_000);
    const startedMs = endedMs - durationMs;
    const status = statusOf(i);
    const base = { customer_id: customerId, call_id: callId };
    events.push({ ...base, id: `${callId}-start`, type: 'call.started', ts: iso(startedMs), direction: 'inbound', from: '+14155550100', to: '+18005550199', agent_id: 'front-desk', agent_version: 'v7', region: 'us', providers: seededProviders });
    if (status === 'failed' || i % 13 === 2) {
      events.push({ ...base, id: `${callId}-error`, type: 'call.error', ts: iso(endedMs - 2_000), component: i % 2 === 0 ? 'tts' : 'telephony', code: 'upstream_timeout', message: `${seededProviders.tts} timed out` });
    }
    events.push({
      ...base,
      id: `${callId}-end`,
      type: 'call.ended',
      ts: iso(endedMs),
      status,
      duration_ms: durationMs,
      ttfa_ms: 650,
      escalated: i % 10 === 3,
      task_success: i % 5 === 1 ? null : i % 4 !== 0,
      cost: [
        { component: 'llm', provider: seededProviders.llm, quantity: seededTokenCounts[i % 2] ?? 0, unit: 'tokens', cost_micros: 3_000 + ((i * 7_919) % 40_000) },
        { component: 'tts', provider: seededProviders.tts, quantity: 812, unit: 'characters', cost_micros: 1_500 + ((i * 131) % 900) },
        { component: 'telephony', provider: seededProviders.telephony, quantity: Math.ceil(durationMs / 60_000), unit: 'minutes', cost_micros: 4_000 },
      ],
    });
    if (i < options.ratings) events.push({ ...base, id: `${callId}-csat`, type: 'call.feedback', ts: iso(endedMs + 30_000), csat: 3 + (i % 3) });
    calls.push({ callId, startedAt: new Date(startedMs), endedAt: new Date(endedMs), status });
  }
  const liveId = `${callPrefix}-live`;
  const liveStartedMs = now.getTime() - 60_000;
  events.push({ customer_id: customerId, call_id: liveId, id: `${liveId}-start`, type: 'call.started', ts: iso(liveStartedMs), direction: 'outbound', from: '+18005550199', to: '+14155550100', agent_id: 'front-desk', agent_version: 'v7', region: 'us', providers: seededProviders });
  calls.unshift({ callId: liveId, startedAt: new Date(liveStartedMs), endedAt: null, status: 'in_progress' });
  return { events, calls };
}

/** Stores events as the Worker's flushes do, validated and canonical, in one statement. */
export async function storeEvents(databaseUrl: string, events: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const batch = events.map((event) => {
      const validated = switchboardEventSchema.parse(event);
      return { event: validated, raw: validated };
    });
    await client.query('SELECT ingest_events($1::jsonb)', [JSON.stringify(batch)]);
  } finally {
    await client.end();
  }
}
