// The events of CONTRACT section 1 as zod schemas: what POST /v1/events accepts, field by field.
// Objects strip unknown fields (the raw text keeps them), so a validated event holds exactly the
// contract's fields, and keys a sender names `__proto__` or `constructor` never reach it.
// Messages here are the field-specific ones; describeIssue (event-issues.ts) words the rest.
import * as z from 'zod';

export const EVENT_TYPES = [
  'call.started',
  'call.turn',
  'provider.request',
  'tool.call',
  'call.error',
  'call.ended',
  'call.feedback',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const TIMESTAMP_EXAMPLE = '2026-11-24T14:03:07.120Z';

/** A field-specific message for a value that is present but wrong; a missing one is worded generically. */
function whenPresent(message: string) {
  return (issue: z.core.$ZodRawIssue) => (issue.input === undefined ? undefined : message);
}

/** A field-specific message for a non-integer; range and missing values are worded generically. */
function whenNotInteger(message: string) {
  return (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' && issue.input !== undefined ? message : undefined);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an RFC 3339 UTC timestamp into epoch milliseconds. `Z` and `+00:00` are both UTC; any
 * number of fractional digits (0-9) is read and truncated to milliseconds, so Go's trimmed
 * `RFC3339Nano` and Python's microseconds are accepted without moving an event into the next
 * second (or day). Other offsets are refused: day and hour boundaries are UTC everywhere.
 */
function parseUtcTimestamp(text: string): { ok: true; canonical: string } | { ok: false; message: string } {
  const match = RFC3339.exec(text);
  if (!match) return { ok: false, message: `must be an RFC 3339 UTC timestamp like "${TIMESTAMP_EXAMPLE}"` };
  const [, year, month, day, hour, minute, second, fraction = '', offset] = match;
  if (offset !== 'Z' && offset !== '+00:00') {
    return { ok: false, message: `must be in UTC, ending in "Z" (got the offset "${offset}")` };
  }
  const canonical = `${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, '0').slice(0, 3)}Z`;
  const ms = Date.parse(canonical);
  // A round trip catches what the pattern lets through: February 30, hour 24, second 60.
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== canonical) {
    return { ok: false, message: `is not a real date and time (expected a timestamp like "${TIMESTAMP_EXAMPLE}")` };
  }
  return { ok: true, canonical };
}

/** Validated timestamps leave in the one canonical form, so stored `ts` values sort as strings. */
const utcTimestamp = z
  .string({ error: whenPresent(`must be an RFC 3339 UTC timestamp string like "${TIMESTAMP_EXAMPLE}"`) })
  .transform((text, ctx) => {
    const parsed = parseUtcTimestamp(text);
    // The round trip above proved the canonical form is what toISOString() would answer.
    if (parsed.ok) return parsed.canonical;
    ctx.issues.push({ code: 'custom', message: parsed.message, input: text });
    return z.NEVER;
  });

const identifier = (maxLength: number) => z.string().min(1).max(maxLength);
/** Provider, agent, tool and unit names and error codes: short labels, not prose. */
const label = identifier(128);
/** Free text (transcripts, error messages, stacks) is bounded only by the 64 KiB event limit. */
const text = z.string();

const customerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "_" and "-"');

const traceId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hexadecimal characters (a W3C trace id)');

// E.164 country codes never start with 0.
const phoneNumber = z
  .string({ error: whenPresent('must be an E.164 phone number like "+14155550123"') })
  .regex(/^\+[1-9][0-9]{1,14}$/, 'must be an E.164 phone number: "+" and 2 to 15 digits, like "+14155550123"');

// The contract's region list is open (`us`/`eu`/`ap`/...); a region is a short lowercase code.
const region = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase region code like "us", "eu" or "ap"');

/** `z.int()` already refuses anything beyond 2^53 - 1. */
const milliseconds = z.int({ error: whenNotInteger('must be an integer number of milliseconds') }).min(0);
const micros = z.int({ error: whenNotInteger('must be an integer number of micro-USD') }).min(0);
const quantity = z.number().min(0).max(Number.MAX_SAFE_INTEGER);
const json = z.custom<JsonValue>();

const envelope = {
  id: identifier(128),
  customer_id: customerId,
  call_id: identifier(128),
  ts: utcTimestamp,
  trace_id: traceId.optional(),
};

function eventSchema<Type extends EventType, Shape extends z.ZodRawShape>(type: Type, shape: Shape) {
  return z.object({ type: z.literal(type), ...envelope, ...shape });
}

export const callStartedSchema = eventSchema('call.started', {
  direction: z.enum(['inbound', 'outbound']),
  from: phoneNumber,
  to: phoneNumber,
  agent_id: label,
  agent_version: label,
  region,
  providers: z.object({ stt: label, llm: label, tts: label, telephony: label }),
});

/** Turns are stored as a 32-bit integer (`call_turns.turn`). */
const MAX_TURN = 2_147_483_647;

export const callTurnSchema = eventSchema('call.turn', {
  turn: z.int({ error: whenNotInteger('must be an integer (the 0-based turn number)') }).min(0).max(MAX_TURN),
  user_text: text,
  agent_text: text,
  stt_ms: milliseconds,
  llm_ms: milliseconds,
  tts_ms: milliseconds,
  e2e_ms: milliseconds,
  interrupted: z.boolean(),
});

export const providerRequestSchema = eventSchema('provider.request', {
  kind: z.enum(['stt', 'llm', 'tts', 'telephony']),
  provider: label,
  ok: z.boolean(),
  latency_ms: milliseconds,
  error_code: label.optional(),
});

export const toolCallSchema = eventSchema('tool.call', {
  name: label,
  ok: z.boolean(),
  latency_ms: milliseconds,
  arguments: json.optional(),
  result: json.optional(),
  error: text.optional(),
});

export const callErrorSchema = eventSchema('call.error', {
  component: z.enum(['stt', 'llm', 'tts', 'telephony', 'tool', 'platform']),
  code: label,
  message: text,
  stack: text.optional(),
});

export const costLineSchema = z.object({
  component: label,
  provider: label,
  quantity,
  unit: label,
  cost_micros: micros,
});

export const callEndedSchema = eventSchema('call.ended', {
  status: z.enum(['completed', 'failed', 'abandoned']),
  duration_ms: milliseconds,
  ttfa_ms: milliseconds,
  escalated: z.boolean(),
  task_success: z.boolean({ error: whenPresent('must be true, false or null (null when unknown)') }).nullable(),
  cost: z.array(costLineSchema),
  audio: z
    .object({
      content_type: z.enum(['audio/wav', 'audio/mpeg', 'audio/ogg']),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest: 64 lowercase hexadecimal characters'),
    })
    .optional(),
});

export const callFeedbackSchema = eventSchema('call.feedback', {
  csat: z.int({ error: whenPresent('must be an integer from 1 to 5') }).min(1).max(5),
});

export const switchboardEventSchema = z.discriminatedUnion('type', [
  callStartedSchema,
  callTurnSchema,
  providerRequestSchema,
  toolCallSchema,
  callErrorSchema,
  callEndedSchema,
  callFeedbackSchema,
]);

export type SwitchboardEvent = z.infer<typeof switchboardEventSchema>;
export type CallStartedEvent = z.infer<typeof callStartedSchema>;
export type CallTurnEvent = z.infer<typeof callTurnSchema>;
export type ProviderRequestEvent = z.infer<typeof providerRequestSchema>;
export type ToolCallEvent = z.infer<typeof toolCallSchema>;
export type CallErrorEvent = z.infer<typeof callErrorSchema>;
export type CallEndedEvent = z.infer<typeof callEndedSchema>;
export type CostLine = z.infer<typeof costLineSchema>;
export type CallFeedbackEvent = z.infer<typeof callFeedbackSchema>;
