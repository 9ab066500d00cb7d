// One demo call, start to finish, as the events a voice platform would send: who called whom and
// through which providers, each turn's transcript and latencies, the provider requests and tool
// calls behind it, errors, how the call ended, what it cost, sometimes the caller's rating, and
// sometimes a recording.
// Pure: the same rng state, customer and start time give the same events, timed over the call's
// real duration so the live loop can send them as they "happen".
import { createHash } from 'node:crypto';
import type {
  CallEndedEvent,
  CallErrorEvent,
  CostLine,
  ProviderRequestEvent,
  SwitchboardEvent,
} from '../../workers/ingest/event-schema.ts';
import type { DemoAgent, DemoCustomer, Region } from './customers.ts';
import { NO_INCIDENTS, RUNAWAY_CALL, TTS_OUTAGE, type Incidents } from './incidents.ts';
import {
  LLM_MICROS_PER_TOKEN,
  PROVIDERS,
  STT_MICROS_PER_SECOND,
  TELEPHONY_MICROS_PER_MINUTE,
  TTS_MICROS_PER_CHARACTER,
  type ProviderChoice,
  type ProviderKind,
  type ProviderName,
} from './providers.ts';
import {
  base36,
  chance,
  clamp,
  digits,
  hex,
  integer,
  logNormal,
  pick,
  uniform,
  weighted,
  type Rng,
} from './random.ts';
import { syntheticRecordingWav } from './recording.ts';
import { buildConversation, buildRunawayConversation, type Conversation, type ScriptedTurn } from './scenarios.ts';

/**
 * How ordinary calls end: about 93% completed, 1.5% failed, 5% abandoned. Failures are kept low
 * on purpose: the contract's error rate counts failed calls and calls with a call.error, and its
 * platform alert (also per region) fires above 5%, so a baseline near it would keep that alert
 * flapping; a calm baseline of about 2.5% lets the scripted incidents stand out (the TTS outage
 * pushes failures far above it).
 */
export const CALL_OUTCOME_RATES = {
  /** The caller asks for a person; tool failures that hand over add about 1.5% more. */
  escalation: 0.04,
  abandonment: 0.05,
  /** A provider or the platform fails mid-call and the call ends `failed`. */
  failure: 0.015,
  /** A provider hiccup the agent recovers from (retried), reported as a call.error. */
  recoveredError: 0.005,
  interruptionPerTurn: 0.04,
  feedback: 0.25,
} as const;

const SYSTEM_PROMPT_TOKENS = 850;
const HISTORY_TOKENS_PER_TURN = 110;
const AGENT_CHARACTERS_PER_SECOND = 14;
const CALLER_MS_PER_WORD = 330;

export interface GeneratedCall {
  customerId: string;
  callId: string;
  startedAtMs: number;
  /** The time of its call.ended event. */
  endedAtMs: number;
  status: CallEndedEvent['status'];
  /** Every event of the call, ordered by `ts`. */
  events: SwitchboardEvent[];
  /** The WAV its call.ended declares in `audio`, for the platform to upload; null when not recorded. */
  recording: Uint8Array<ArrayBuffer> | null;
}

export interface GenerateCallInput {
  rng: Rng;
  customer: DemoCustomer;
  startedAtMs: number;
  incidents?: Incidents;
  /** The scripted runaway call instead of an ordinary one. */
  runaway?: boolean;
  /**
   * The share of calls that come with a recording (0 to 1). None by default: the rng then draws
   * nothing for it, so a run without recordings gives the same calls as before they existed.
   */
  recordedShare?: number;
}

type EndReason =
  | { status: 'completed'; escalated: boolean }
  | { status: 'abandoned' }
  | { status: 'failed' };

interface Failure {
  kind: CallErrorEvent['component'];
  code: string;
  message: string;
}

const LLM_MEDIAN_MS = { openai: 480, anthropic: 600 } as const;
const REGION_NETWORK_MS: Record<Region, number> = { us: 40, eu: 55, ap: 90 };

function phoneNumber(rng: Rng, region: Region): string {
  if (region === 'us') return `+1${pick(rng, ['415', '212', '312', '646', '617', '206', '512', '305'])}55501${digits(rng, 2)}`;
  if (region === 'eu') return chance(rng, 0.5) ? `+447700900${String(integer(rng, 0, 999)).padStart(3, '0')}` : `+49151${digits(rng, 8)}`;
  return chance(rng, 0.5) ? `+61491570${String(integer(rng, 100, 999))}` : `+65${pick(rng, ['8', '9'])}${digits(rng, 7)}`;
}

function chooseProviders(rng: Rng, customer: DemoCustomer): ProviderChoice {
  return {
    stt: weighted(rng, customer.providers.stt),
    llm: weighted(rng, customer.providers.llm),
    tts: weighted(rng, customer.providers.tts),
    telephony: weighted(rng, customer.providers.telephony),
  };
}

function chooseAgent(rng: Rng, customer: DemoCustomer): DemoAgent {
  const index = weighted(rng, Object.fromEntries(customer.agents.map((agent, i) => [String(i), agent.weight])));
  const agent = customer.agents[Number(index)];
  if (!agent) throw new Error(`customer ${customer.id} has no agents`);
  return agent;
}

/** A caller-side or provider-side failure that ends a call. */
function randomFailure(rng: Rng, providers: ProviderChoice): Failure & { kind: ProviderKind | 'platform' } {
  const kind = weighted(rng, { llm: 0.35, stt: 0.2, telephony: 0.2, tts: 0.15, platform: 0.1 });
  switch (kind) {
    case 'llm':
      return chance(rng, 0.5)
        ? { kind, code: 'upstream_5xx', message: `${providers.llm} answered 502 Bad Gateway twice; no reply could be generated` }
        : { kind, code: 'timeout', message: `${providers.llm} did not answer within 10 s` };
    case 'stt':
      return { kind, code: 'stream_closed', message: `${providers.stt} closed the audio stream (WebSocket close 1011)` };
    case 'telephony':
      return { kind, code: 'call_dropped', message: `${providers.telephony} dropped the call leg (SIP 503 from the carrier)` };
    case 'tts':
      return { kind, code: 'synthesis_failed', message: `${providers.tts} returned an empty audio stream` };
    case 'platform':
      return { kind, code: 'unhandled_exception', message: "TypeError: Cannot read properties of undefined (reading 'slots')" };
  }
}

function latency(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.round(clamp(logNormal(rng, median, sigma), min, max));
}

function llmLatency(rng: Rng, providers: ProviderChoice, promptTokens: number): number {
  // One reply in thirty hits a slow replica or a long generation: the tail P99 dashboards show.
  if (chance(rng, 1 / 30)) return Math.round(uniform(rng, 1_500, 4_000));
  const median = LLM_MEDIAN_MS[providers.llm] * (1 + promptTokens / 40_000);
  return latency(rng, median, 0.4, 200, 1_500 + promptTokens / 20);
}

function speechMs(text: string, charactersPerSecond: number): number {
  return Math.round((text.length / charactersPerSecond) * 1000);
}

const TASK_SUCCESS = { true: true, false: false, unknown: null } as const;

/** Whether the caller got what they called for, as the platform judged it (null: it could not tell). */
function taskSuccess(rng: Rng, end: EndReason): boolean | null {
  if (end.status === 'completed' && !end.escalated) return TASK_SUCCESS[weighted(rng, { true: 0.82, false: 0.1, unknown: 0.08 })];
  if (end.status === 'completed') return TASK_SUCCESS[weighted(rng, { false: 0.5, unknown: 0.5 })];
  if (end.status === 'abandoned') return TASK_SUCCESS[weighted(rng, { false: 0.3, unknown: 0.7 })];
  return TASK_SUCCESS[weighted(rng, { false: 0.6, unknown: 0.4 })];
}

function csat(rng: Rng, end: EndReason, succeeded: boolean | null): number {
  if (end.status === 'failed') return integer(rng, 1, 2);
  if (end.status === 'completed' && end.escalated) return integer(rng, 2, 4);
  if (succeeded) return Number(weighted(rng, { 5: 0.6, 4: 0.3, 3: 0.1 }));
  return integer(rng, 1, 3);
}

export function generateCall({ rng, customer, startedAtMs, incidents = NO_INCIDENTS, runaway = false, recordedShare = 0 }: GenerateCallInput): GeneratedCall {
  const callId = `call_${startedAtMs.toString(36)}_${base36(rng, 6)}`;
  const traceId = hex(rng, 32);
  const region = weighted(rng, customer.regions);
  const agent = chooseAgent(rng, customer);
  const providers = chooseProviders(rng, customer);
  const direction = chance(rng, agent.outboundShare) ? 'outbound' : 'inbound';
  const caller = phoneNumber(rng, region);
  const line = customer.lines[region];
  const network = REGION_NETWORK_MS[region];

  const turnCount = runaway ? RUNAWAY_CALL.turnCount : Math.round(clamp(logNormal(rng, 5.5, 0.4), 2, 12));
  const conversation: Conversation = runaway
    ? buildRunawayConversation(rng, turnCount, RUNAWAY_CALL.statementTokens)
    : buildConversation(rng, agent.scenario, agent.id, turnCount);

  // How an ordinary call ends is decided before it is played out, at a turn it has; an outage
  // can still end it sooner.
  const plannedEnd = runaway
    ? null
    : weighted(rng, {
        escalate: CALL_OUTCOME_RATES.escalation,
        abandon: CALL_OUTCOME_RATES.abandonment,
        fail: CALL_OUTCOME_RATES.failure,
        recover: CALL_OUTCOME_RATES.recoveredError,
        normal: 1 - CALL_OUTCOME_RATES.escalation - CALL_OUTCOME_RATES.abandonment - CALL_OUTCOME_RATES.failure - CALL_OUTCOME_RATES.recoveredError,
      });
  const eventTurn = integer(rng, 0, turnCount - 1);
  const plannedFailure = plannedEnd === 'fail' ? randomFailure(rng, providers) : null;

  const events: SwitchboardEvent[] = [];
  let sequence = 0;
  const envelope = (atMs: number) => ({
    id: `${callId}.${(sequence++).toString().padStart(3, '0')}`,
    customer_id: customer.id,
    call_id: callId,
    ts: new Date(Math.round(atMs)).toISOString(),
  });
  const providerRequest = (kind: ProviderKind, atMs: number, latencyMs: number, errorCode?: string, provider: string = providers[kind]): void => {
    const event: ProviderRequestEvent = { type: 'provider.request', ...envelope(atMs), kind, provider, ok: errorCode === undefined, latency_ms: latencyMs };
    if (errorCode !== undefined) event.error_code = errorCode;
    events.push(event);
  };
  const callError = (atMs: number, failure: Failure): void => {
    events.push({
      type: 'call.error',
      ...envelope(atMs),
      component: failure.kind,
      code: failure.code,
      message: failure.message,
      ...(failure.kind === 'platform' && { stack: `${failure.message}\n    at pickSlot (agents/${agent.id}/flow.ts:88:31)\n    at runTurn (runtime/turn.ts:142:18)` }),
    });
  };
  const ttsCharacters = new Map<ProviderName<'tts'>, number>();
  const fallbackTts = PROVIDERS.tts.find((name) => name !== providers.tts) ?? providers.tts;
  /**
   * Speaks `text`. During an outage of the call's TTS provider most of its requests fail: the
   * agent retries once, then falls back to the other provider for this reply, and the pause can
   * make the caller hang up. Answers the time until audio and whether the caller stayed.
   */
  const speak = (atMs: number, text: string): { spentMs: number; callerStayed: boolean } => {
    let spent = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      const ms = latency(rng, 130, 0.3, 60, 250);
      const failing = incidents.ttsOutageAt(atMs + spent) === providers.tts && chance(rng, TTS_OUTAGE.failureProbability);
      if (!failing) {
        providerRequest('tts', atMs + spent + ms, ms);
        if (attempt > 0) callError(atMs + spent + ms, { kind: 'tts', code: 'provider_unavailable', message: `${providers.tts} answered 503 Service Unavailable; the retry succeeded` });
        ttsCharacters.set(providers.tts, (ttsCharacters.get(providers.tts) ?? 0) + text.length);
        return { spentMs: spent + ms, callerStayed: true };
      }
      // A failing provider answers 503 only after a connect timeout of its own.
      const failedMs = latency(rng, 900, 0.3, 300, 2_500);
      providerRequest('tts', atMs + spent + failedMs, failedMs, 'http_503');
      spent += failedMs;
    }
    const ms = latency(rng, 160, 0.3, 60, 300);
    providerRequest('tts', atMs + spent + ms, ms, undefined, fallbackTts);
    callError(atMs + spent, { kind: 'tts', code: 'provider_unavailable', message: `${providers.tts} answered 503 Service Unavailable twice; fell back to ${fallbackTts}` });
    ttsCharacters.set(fallbackTts, (ttsCharacters.get(fallbackTts) ?? 0) + text.length);
    return { spentMs: spent + ms, callerStayed: !chance(rng, TTS_OUTAGE.hangUpAfterFallback) };
  };

  events.push({
    type: 'call.started',
    ...envelope(startedAtMs),
    trace_id: traceId,
    direction,
    from: direction === 'inbound' ? caller : line,
    to: direction === 'inbound' ? line : caller,
    agent_id: agent.id,
    agent_version: agent.version,
    region,
    providers,
  });

  const connectMs = latency(rng, 280, 0.35, 120, 900);
  const telephonyFails = plannedFailure?.kind === 'telephony' && eventTurn === 0 && chance(rng, 0.3);
  providerRequest('telephony', startedAtMs + connectMs, connectMs, telephonyFails ? 'sip_503' : undefined);

  let promptTokens = 0;
  let carriedContextTokens = 0;
  let turnsHeld = 0;
  let end: EndReason | null = null;
  let cursor = startedAtMs + connectMs;
  let ttfaMs = connectMs;
  let hadOutageFailure = false;

  if (telephonyFails && plannedFailure) {
    callError(cursor, plannedFailure);
    end = { status: 'failed' };
  } else {
    const greeting = speak(cursor, conversation.greeting);
    ttfaMs = connectMs + greeting.spentMs + network;
    if (!greeting.callerStayed) {
      cursor += greeting.spentMs;
      end = { status: 'failed' };
      hadOutageFailure = true;
    } else {
      cursor = startedAtMs + ttfaMs + speechMs(conversation.greeting, AGENT_CHARACTERS_PER_SECOND);
    }
  }

  for (let index = 0; end === null && index < conversation.turns.length; index++) {
    const transferring = plannedEnd === 'escalate' && index === eventTurn;
    const scripted: ScriptedTurn | undefined = transferring ? conversation.transfer : conversation.turns[index];
    if (!scripted) break;
    const userEnd = cursor + 600 + scripted.userText.split(' ').length * CALLER_MS_PER_WORD + integer(rng, 0, 700);

    if (plannedEnd === 'abandon' && index === eventTurn) {
      // The caller hangs up while speaking, or after a silence.
      cursor = userEnd;
      end = { status: 'abandoned' };
      break;
    }

    // Context a turn adds (a tool's result, a document) stays in the prompt, billed on every later turn.
    carriedContextTokens += scripted.extraContextTokens ?? 0;
    const contextTokens = SYSTEM_PROMPT_TOKENS + HISTORY_TOKENS_PER_TURN * index + carriedContextTokens;
    promptTokens += contextTokens;

    const sttMs = latency(rng, 150, 0.3, 80, 300);
    const failureHere = plannedFailure !== null && index === eventTurn ? plannedFailure : null;
    if (failureHere?.kind === 'stt') {
      providerRequest('stt', userEnd + sttMs, sttMs, 'stream_closed');
      callError(userEnd + sttMs, failureHere);
      cursor = userEnd + sttMs;
      end = { status: 'failed' };
      break;
    }
    providerRequest('stt', userEnd + sttMs, sttMs);

    const llmMs = llmLatency(rng, providers, contextTokens);
    if (failureHere?.kind === 'llm') {
      const failedMs = failureHere.code === 'timeout' ? 10_000 : llmMs;
      providerRequest('llm', userEnd + sttMs + failedMs, failedMs, failureHere.code === 'timeout' ? 'timeout' : 'http_502');
      callError(userEnd + sttMs + failedMs, failureHere);
      cursor = userEnd + sttMs + failedMs;
      end = { status: 'failed' };
      break;
    }
    providerRequest('llm', userEnd + sttMs + llmMs, llmMs);
    if (plannedEnd === 'recover' && index === eventTurn) {
      const retryMs = latency(rng, 250, 0.3, 100, 800);
      callError(userEnd + sttMs + llmMs - retryMs, { kind: 'llm', code: 'rate_limited', message: `${providers.llm} answered 429 Too Many Requests; retried after ${retryMs} ms` });
    }
    if (failureHere?.kind === 'platform' || failureHere?.kind === 'telephony') {
      callError(userEnd + sttMs + llmMs, failureHere);
      if (failureHere.kind === 'telephony') providerRequest('telephony', userEnd + sttMs + llmMs, 0, 'sip_503');
      cursor = userEnd + sttMs + llmMs;
      end = { status: 'failed' };
      break;
    }

    let toolMs = 0;
    let agentText = scripted.agentText;
    let toolEscalates = false;
    if (scripted.tool && !transferring) {
      const tool = scripted.tool;
      const fails = !runaway && chance(rng, tool.failureRate);
      toolMs = fails && tool.failure.afterMs !== undefined ? tool.failure.afterMs : latency(rng, tool.medianLatencyMs, 0.4, 30, 5_000);
      events.push({
        type: 'tool.call',
        ...envelope(userEnd + sttMs + llmMs + toolMs),
        name: tool.name,
        ok: !fails,
        latency_ms: toolMs,
        arguments: tool.arguments,
        ...(fails ? { error: tool.failure.error } : { result: tool.result }),
      });
      if (fails) {
        agentText = tool.failure.agentText;
        toolEscalates = tool.failure.escalates;
        // A failure the agent talks its way around is the tool failure rate's business; one that
        // forces a hand-over is an error of the call.
        if (toolEscalates && chance(rng, 0.3)) callError(userEnd + sttMs + llmMs + toolMs, { kind: 'tool', code: 'tool_failed', message: `${tool.name}: ${tool.failure.error}` });
      }
    }

    const ttsStart = userEnd + sttMs + llmMs + toolMs;
    if (failureHere?.kind === 'tts') {
      const failedMs = latency(rng, 400, 0.3, 100, 1_500);
      providerRequest('tts', ttsStart + failedMs, failedMs, 'empty_stream');
      callError(ttsStart + failedMs, failureHere);
      cursor = ttsStart + failedMs;
      end = { status: 'failed' };
      break;
    }
    const speech = speak(ttsStart, agentText);
    if (!speech.callerStayed) {
      hadOutageFailure = true;
      cursor = ttsStart + speech.spentMs;
      end = { status: 'failed' };
      break;
    }
    const ttsMs = speech.spentMs;

    const e2eMs = sttMs + llmMs + toolMs + ttsMs + network + integer(rng, 0, 60);
    const interrupted = chance(rng, CALL_OUTCOME_RATES.interruptionPerTurn);
    events.push({
      type: 'call.turn',
      ...envelope(userEnd + e2eMs),
      turn: index,
      user_text: scripted.userText,
      agent_text: agentText,
      stt_ms: sttMs,
      llm_ms: llmMs,
      tts_ms: ttsMs,
      e2e_ms: e2eMs,
      interrupted,
    });
    turnsHeld++;
    const agentSpeech = speechMs(agentText, AGENT_CHARACTERS_PER_SECOND);
    cursor = userEnd + e2eMs + (interrupted ? Math.round(agentSpeech * 0.4) : agentSpeech);

    if (transferring || toolEscalates) {
      // The transfer itself: ringing a team member while the caller waits.
      cursor += integer(rng, 5_000, 25_000);
      end = { status: 'completed', escalated: true };
    }
  }
  end ??= { status: 'completed', escalated: false };

  const endedAtMs = Math.round(cursor + integer(rng, 300, 1_500));
  const durationMs = endedAtMs - startedAtMs;
  const succeeded = taskSuccess(rng, end);
  const cost: CostLine[] = [];
  const sttSeconds = Math.ceil(durationMs / 1000);
  cost.push({ component: 'stt', provider: providers.stt, quantity: sttSeconds, unit: 'seconds', cost_micros: Math.round(sttSeconds * STT_MICROS_PER_SECOND[providers.stt]) });
  if (turnsHeld > 0) {
    const tokens = promptTokens + turnsHeld * integer(rng, 40, 90);
    cost.push({ component: 'llm', provider: providers.llm, quantity: tokens, unit: 'tokens', cost_micros: Math.round(tokens * LLM_MICROS_PER_TOKEN[providers.llm]) });
  }
  for (const [provider, characters] of ttsCharacters) {
    cost.push({ component: 'tts', provider, quantity: characters, unit: 'characters', cost_micros: Math.round(characters * TTS_MICROS_PER_CHARACTER[provider]) });
  }
  const minutes = Math.ceil(durationMs / 600) / 100;
  cost.push({ component: 'telephony', provider: providers.telephony, quantity: minutes, unit: 'minutes', cost_micros: Math.round(minutes * TELEPHONY_MICROS_PER_MINUTE[providers.telephony]) });

  const recording = recordedShare > 0 && chance(rng, recordedShare) ? syntheticRecordingWav(rng) : null;
  events.push({
    type: 'call.ended',
    ...envelope(endedAtMs),
    status: end.status,
    duration_ms: durationMs,
    ttfa_ms: ttfaMs,
    escalated: end.status === 'completed' && end.escalated,
    task_success: hadOutageFailure ? false : succeeded,
    cost,
    ...(recording && { audio: { content_type: 'audio/wav' as const, sha256: createHash('sha256').update(recording).digest('hex') } }),
  });
  if (end.status !== 'abandoned' && chance(rng, CALL_OUTCOME_RATES.feedback)) {
    events.push({ type: 'call.feedback', ...envelope(endedAtMs + integer(rng, 20_000, 120_000)), csat: csat(rng, end, succeeded) });
  }

  events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return { customerId: customer.id, callId, startedAtMs, endedAtMs, status: end.status, events, recording };
}
