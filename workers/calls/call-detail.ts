// One call for the operator's drill-down (CONTRACT section 3, GET /api/ops/calls/{customer_id}/
// {call_id}): what was said, where each turn's latency went, the tools, errors and provider
// requests, the cost lines and the recording. An erased call answers 404 like an unknown one.
import { and, asc, eq } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.ts';
import { callCostLines, callErrors, calls, callTurns, providerRequests, toolCalls } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { bigintToJson, timestampToJson } from '../http/json-values.ts';
import type { JsonValue } from '../ingest/event-schema.ts';
import { callStatusSql, type CallStatus } from './call-status.ts';
import type { ProviderKind } from './list-calls.ts';

export interface CallDetail {
  customer_id: string;
  call_id: string;
  metadata: {
    customer_id: string;
    agent_id: string | null;
    agent_version: string | null;
    region: string | null;
    direction: string | null;
    from: string | null;
    to: string | null;
    providers: Record<ProviderKind, string | null>;
    trace_id: string | null;
    started_at: string | null;
    ended_at: string | null;
    status: CallStatus;
    duration_ms: number | null;
    ttfa_ms: number | null;
    /** The worst turn's e2e_ms, as the list shows it. */
    latency_ms: number | null;
    escalated: boolean | null;
    task_success: boolean | null;
    /** Mean of the call's feedback, not rounded; null without feedback. */
    csat: number | null;
  };
  transcript: Array<{ turn: number; ts: string; user_text: string | null; agent_text: string | null }>;
  turns: Array<{ turn: number; ts: string; stt_ms: number; llm_ms: number; tts_ms: number; e2e_ms: number; interrupted: boolean }>;
  tool_calls: Array<{ ts: string; name: string; ok: boolean; latency_ms: number; arguments: JsonValue | null; result: JsonValue | null; error: string | null }>;
  errors: Array<{ ts: string; component: string; code: string; message: string; stack: string | null }>;
  provider_requests: Array<{ ts: string; kind: string; provider: string; ok: boolean; latency_ms: number; error_code: string | null }>;
  cost_lines: Array<{
    component: string;
    provider: string;
    quantity: number;
    unit: string;
    estimated_micros: number;
    /** Set once a reconciliation replaced the estimate. */
    reconciled_micros: number | null;
  }>;
  /** Billed amount. */
  cost_micros: number;
  provider_cost_micros: number;
  /** Playback (range requests) of the uploaded recording; null when none was uploaded. */
  audio_url: string | null;
}

const optionalNumber = (value: bigint | null): number | null => (value === null ? null : bigintToJson(value));
const optionalTimestamp = (value: Date | null): string | null => (value === null ? null : timestampToJson(value));

export function callAudioPath(customerId: string, callId: string): string {
  return `/api/ops/calls/${encodeURIComponent(customerId)}/${encodeURIComponent(callId)}/audio`;
}

export async function getCallDetail({ db, customerId, callId, now = new Date() }: {
  db: Queryable;
  customerId: string;
  callId: string;
  /** The clock for the 4 h stale rule. */
  now?: Date;
}): Promise<CallDetail> {
  const ofCall = (table: { customerId: PgColumn; callId: PgColumn }) => and(eq(table.customerId, customerId), eq(table.callId, callId));
  const [found] = await db
    .select({ call: calls, status: callStatusSql(now) })
    .from(calls)
    .where(ofCall(calls));
  if (!found || found.call.contentErasedAt !== null) {
    throw new ApiError('not_found', `No call "${callId}" for customer "${customerId}".`);
  }
  const { call } = found;
  // One connection, one query after another: a Worker request may hold only a few sockets.
  const turns = await db.select().from(callTurns).where(ofCall(callTurns)).orderBy(asc(callTurns.turn));
  const tools = await db.select().from(toolCalls).where(ofCall(toolCalls)).orderBy(asc(toolCalls.ts), asc(toolCalls.eventId));
  const errors = await db.select().from(callErrors).where(ofCall(callErrors)).orderBy(asc(callErrors.ts), asc(callErrors.eventId));
  const requests = await db
    .select()
    .from(providerRequests)
    .where(ofCall(providerRequests))
    .orderBy(asc(providerRequests.ts), asc(providerRequests.eventId));
  const costLines = await db.select().from(callCostLines).where(ofCall(callCostLines)).orderBy(asc(callCostLines.lineNo));

  return {
    customer_id: call.customerId,
    call_id: call.callId,
    metadata: {
      customer_id: call.customerId,
      agent_id: call.agentId,
      agent_version: call.agentVersion,
      region: call.region,
      direction: call.direction,
      from: call.fromNumber,
      to: call.toNumber,
      providers: { stt: call.sttProvider, llm: call.llmProvider, tts: call.ttsProvider, telephony: call.telephonyProvider },
      trace_id: call.traceId,
      started_at: optionalTimestamp(call.startedAt),
      ended_at: optionalTimestamp(call.endedAt),
      status: found.status,
      duration_ms: optionalNumber(call.durationMs),
      ttfa_ms: optionalNumber(call.ttfaMs),
      latency_ms: optionalNumber(call.maxE2eMs),
      escalated: call.escalated,
      task_success: call.taskSuccess,
      csat: call.csatCount > 0 ? call.csatSum / call.csatCount : null,
    },
    transcript: turns.map((t) => ({ turn: t.turn, ts: timestampToJson(t.ts), user_text: t.userText, agent_text: t.agentText })),
    turns: turns.map((t) => ({
      turn: t.turn,
      ts: timestampToJson(t.ts),
      stt_ms: bigintToJson(t.sttMs),
      llm_ms: bigintToJson(t.llmMs),
      tts_ms: bigintToJson(t.ttsMs),
      e2e_ms: bigintToJson(t.e2eMs),
      interrupted: t.interrupted,
    })),
    tool_calls: tools.map((t) => ({
      ts: timestampToJson(t.ts),
      name: t.name,
      ok: t.ok,
      latency_ms: bigintToJson(t.latencyMs),
      arguments: (t.arguments ?? null) as JsonValue | null,
      result: (t.result ?? null) as JsonValue | null,
      error: t.error,
    })),
    errors: errors.map((e) => ({ ts: timestampToJson(e.ts), component: e.component, code: e.code, message: e.message, stack: e.stack })),
    provider_requests: requests.map((r) => ({
      ts: timestampToJson(r.ts),
      kind: r.kind,
      provider: r.provider,
      ok: r.ok,
      latency_ms: bigintToJson(r.latencyMs),
      error_code: r.errorCode,
    })),
    cost_lines: costLines.map((line) => ({
      component: line.component,
      provider: line.provider,
      quantity: line.quantity,
      unit: line.unit,
      estimated_micros: bigintToJson(line.estimatedMicros),
      reconciled_micros: optionalNumber(line.reconciledMicros),
    })),
    cost_micros: bigintToJson(call.billedMicros),
    provider_cost_micros: bigintToJson(call.providerCostMicros),
    audio_url: call.audioKey === null ? null : callAudioPath(call.customerId, call.callId),
  };
}
