// The stateless half of POST /v1/events (CONTRACT section 1): content type, size and count
// limits, splitting the body into events, and validating each one on its own. Checks that need
// state (known customers, the key's scope, duplicates, calls already ended) come after this and
// add their own rejections to the same list.
import type { ErrorCode } from '../http/errors.ts';
import { describeIssue, summarizeIssues, type EventIssue } from './event-issues.ts';
import { switchboardEventSchema, type SwitchboardEvent } from './event-schema.ts';
import { findUnstorableJson } from './storable-json.ts';
import { splitJsonArray, splitNdjson, utf8ByteLength, type EventText } from './split-body.ts';

export const MAX_EVENTS_PER_BATCH = 1_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 65_536;
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const MAX_EVENT_AGE_MS = 24 * 3_600_000;

export interface ValidEvent {
  /** Position in the array, or 0-based line number in NDJSON. */
  index: number;
  event: SwitchboardEvent;
  /** The event's text as received, unknown fields included. */
  raw: string;
  /** UTF-8 length of `raw`. */
  bytes: number;
}

/** One problem with one event; an event may have several (each at its own path). */
export interface RejectedEvent extends EventIssue {
  index: number;
}

type BatchErrorCode = Extract<ErrorCode, 'unsupported_media_type' | 'payload_too_large' | 'empty_batch' | 'invalid_json' | 'bad_request'>;

export interface BatchFailure {
  ok: false;
  status: 400 | 413 | 415;
  code: BatchErrorCode;
  message: string;
}

export type BatchParseResult = BatchFailure | { ok: true; valid: ValidEvent[]; rejected: RejectedEvent[] };

type BodyFormat = 'json' | 'ndjson';

const numberFormat = new Intl.NumberFormat('en-US');

function failure(status: BatchFailure['status'], code: BatchErrorCode, message: string): BatchFailure {
  return { ok: false, status, code, message };
}

function bodyFormat(contentType: string | null): BodyFormat | BatchFailure {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  const type = mediaType.trim().toLowerCase();
  const format = type === 'application/json' ? 'json' : type === 'application/x-ndjson' ? 'ndjson' : null;
  if (format === null) {
    return failure(415, 'unsupported_media_type', 'Send events as Content-Type: application/json (a JSON array) or application/x-ndjson (one event per line).');
  }
  // The body reaches us already decoded as UTF-8; another declared charset would have been misread.
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase());
    if (name === 'charset' && value.replaceAll('"', '') !== 'utf-8') {
      return failure(415, 'unsupported_media_type', `Events must be sent as UTF-8 (charset=utf-8), not ${value}.`);
    }
  }
  return format;
}

type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function timeWindowIssue(ts: string, nowMs: number): EventIssue | null {
  const age = nowMs - Date.parse(ts);
  // Formatted only for a refusal: toISOString() per event was a tenth of validating a batch.
  const serverTime = () => new Date(nowMs).toISOString();
  if (-age > MAX_FUTURE_SKEW_MS) {
    return { path: 'ts', message: `is more than 5 minutes in the future (server time ${serverTime()}); check the sender's clock` };
  }
  if (age > MAX_EVENT_AGE_MS) {
    return { path: 'ts', message: `is older than 24 h and cannot be accepted (server time ${serverTime()})` };
  }
  return null;
}

type EventCheck = { ok: true; event: SwitchboardEvent } | { ok: false; issues: EventIssue[] };

function checkEvent(text: string, json: ParsedJson, bytes: number, nowMs: number): EventCheck {
  if (bytes > MAX_EVENT_BYTES) {
    const message = `is ${numberFormat.format(bytes)} bytes; an event may be at most ${numberFormat.format(MAX_EVENT_BYTES)} bytes of UTF-8`;
    return { ok: false, issues: [{ path: '', message }] };
  }
  if (!json.ok) return { ok: false, issues: [{ path: '', message: `is not valid JSON: ${json.message}` }] };
  if (!isPlainObject(json.value)) return { ok: false, issues: [{ path: '', message: 'must be a JSON object (one event)' }] };
  const unstorable = findUnstorableJson(text);
  if (unstorable) return { ok: false, issues: [unstorable] };
  const result = switchboardEventSchema.safeParse(json.value, { error: describeIssue });
  if (!result.success) return { ok: false, issues: summarizeIssues(result.error.issues) };
  const tooEarlyOrLate = timeWindowIssue(result.data.ts, nowMs);
  if (tooEarlyOrLate) return { ok: false, issues: [tooEarlyOrLate] };
  return { ok: true, event: result.data };
}

function splitBody(body: string, format: BodyFormat): EventText[] | BatchFailure {
  if (format === 'ndjson') return splitNdjson(body);
  const split = splitJsonArray(body);
  if (split.ok) return split.events;
  return failure(400, split.problem === 'not_an_array' ? 'bad_request' : 'invalid_json', split.message);
}

export function parseEventBatch(input: { body: string; contentType: string | null; now: Date }): BatchParseResult {
  const format = bodyFormat(input.contentType);
  if (typeof format !== 'string') return format;

  // Every UTF-16 unit is at least one UTF-8 byte, so a string this long is too big without counting.
  if (input.body.length > MAX_BATCH_BYTES || utf8ByteLength(input.body) > MAX_BATCH_BYTES) {
    return failure(413, 'payload_too_large', 'The request body is larger than 1 MiB (1,048,576 bytes); send fewer events per request.');
  }
  const texts = splitBody(input.body, format);
  if (!Array.isArray(texts)) return texts;
  if (texts.length === 0) return failure(400, 'empty_batch', 'The request has no events.');
  if (texts.length > MAX_EVENTS_PER_BATCH) {
    const message = `The request has ${numberFormat.format(texts.length)} events; at most ${numberFormat.format(MAX_EVENTS_PER_BATCH)} are accepted per request.`;
    return failure(413, 'payload_too_large', message);
  }

  const parsed = texts.map((text) => ({ ...text, json: parseJson(text.text) }));
  // In an array one bad element makes the whole body malformed; in NDJSON only its line is.
  if (format === 'json') {
    for (const { index, json } of parsed) {
      if (!json.ok) return failure(400, 'invalid_json', `The body is not valid JSON: element ${index}: ${json.message}`);
    }
  }

  const nowMs = input.now.getTime();
  const valid: ValidEvent[] = [];
  const rejected: RejectedEvent[] = [];
  for (const { index, text, json } of parsed) {
    const bytes = utf8ByteLength(text);
    const check = checkEvent(text, json, bytes, nowMs);
    if (check.ok) valid.push({ index, event: check.event, raw: text, bytes });
    else for (const issue of check.issues) rejected.push({ index, ...issue });
  }
  return { ok: true, valid, rejected };
}
