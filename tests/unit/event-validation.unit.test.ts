import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../../workers/ingest/event-schema.ts';
import { parseEventBatch, type BatchParseResult, type RejectedEvent, type ValidEvent } from '../../workers/ingest/parse-batch.ts';
import { utf8ByteLength } from '../../workers/ingest/split-body.ts';
import { exampleEvents } from '../fixtures/events.ts';

const now = new Date('2026-11-24T14:03:07.120Z');
const examples = exampleEvents({ customerId: 'acme', callId: 'call_8f2c1a', now });
const MAX_SAFE = 9_007_199_254_740_991;
const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

type Accepted = { valid: ValidEvent[]; rejected: RejectedEvent[] };

function accepted(result: BatchParseResult): Accepted {
  if (!result.ok) throw new Error(`expected the batch to be read, got ${result.status} ${result.code}: ${result.message}`);
  return result;
}

function parseBody(body: string, contentType: string | null = 'application/json'): BatchParseResult {
  return parseEventBatch({ body, contentType, now });
}

function parseEvents(events: unknown[]): Accepted {
  return accepted(parseBody(JSON.stringify(events)));
}

function example<Type extends EventType>(type: Type, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...examples[type], ...changes };
}

function without(type: EventType, field: string): Record<string, unknown> {
  const event: Record<string, unknown> = { ...examples[type] };
  delete event[field];
  return event;
}

function atTime(offsetMs: number): string {
  return new Date(now.getTime() + offsetMs).toISOString();
}

const endedWithCost = (line: Record<string, unknown>) =>
  example('call.ended', { cost: [examples['call.ended'].cost[0], { ...examples['call.ended'].cost[1], ...line }] });

/** An event padded with `filler` (then ASCII) in an unknown field to exactly `bytes` of UTF-8. */
function eventOfSize(bytes: number, filler: string, id = 'evt_padded'): string {
  const bare = JSON.stringify(example('call.feedback', { id, padding: '' }));
  const room = bytes - byteLength(bare);
  const fillerBytes = byteLength(filler);
  const padding = filler.repeat(Math.floor(room / fillerBytes)) + 'a'.repeat(room % fillerBytes);
  const text = JSON.stringify(example('call.feedback', { id, padding }));
  expect(byteLength(text)).toBe(bytes);
  return text;
}

describe('a valid event of each type', () => {
  it.each(EVENT_TYPES)('accepts %s as given, with its raw text and size', (type) => {
    const raw = JSON.stringify(examples[type]);
    const { valid, rejected } = accepted(parseBody(`[${raw}]`));
    expect(rejected).toEqual([]);
    expect(valid).toEqual([{ index: 0, event: examples[type], raw, bytes: byteLength(raw) }]);
  });

  it('accepts every type in one batch, indexed by position', () => {
    const { valid, rejected } = parseEvents(Object.values(examples));
    expect(rejected).toEqual([]);
    expect(valid.map((item) => [item.index, item.event.type])).toEqual(EVENT_TYPES.map((type, index) => [index, type]));
  });

  it('keeps unknown fields in the raw text and leaves them out of the event', () => {
    const raw = JSON.stringify(example('call.turn', { sentiment: 'positive', nested: { a: [1] } }));
    const [item] = accepted(parseBody(`[${raw}]`)).valid;
    expect(item?.raw).toBe(raw);
    expect(item?.event).toEqual(examples['call.turn']);
  });
});

describe('values at the edge of a rule are accepted', () => {
  const rows: Array<{ rule: string; event: Record<string, unknown> }> = [
    { rule: 'id of 128 characters', event: example('call.turn', { id: 'e'.repeat(128) }) },
    { rule: 'customer_id of 64 characters from the whole alphabet', event: example('call.turn', { customer_id: `Az09_-${'x'.repeat(58)}` }) },
    { rule: 'call_id of 128 characters', event: example('call.turn', { call_id: 'c'.repeat(128) }) },
    { rule: 'no trace_id', event: without('call.started', 'trace_id') },
    { rule: 'E.164 with 2 digits', event: example('call.started', { from: '+12' }) },
    { rule: 'E.164 with 15 digits', event: example('call.started', { to: '+123456789012345' }) },
    { rule: 'another region code', event: example('call.started', { region: 'ap-southeast' }) },
    { rule: 'empty transcript text', event: example('call.turn', { user_text: '', agent_text: '' }) },
    { rule: 'zero durations', event: example('call.turn', { turn: 0, stt_ms: 0, llm_ms: 0, tts_ms: 0, e2e_ms: 0 }) },
    { rule: 'a failed provider request with an error code', event: example('provider.request', { ok: false, error_code: 'timeout' }) },
    { rule: 'tool arguments and result of any JSON', event: example('tool.call', { arguments: [1, 'two', { three: null }], result: null }) },
    { rule: 'a tool call without arguments or result', event: without('tool.call', 'arguments') },
    { rule: 'a failed tool call with an error', event: example('tool.call', { ok: false, error: 'calendar API timed out' }) },
    { rule: 'an error with a stack', event: example('call.error', { component: 'platform', stack: 'Error: boom\n    at handler (index.ts:1:1)' }) },
    { rule: 'task_success null', event: example('call.ended', { task_success: null }) },
    { rule: 'no audio and no cost lines', event: { ...without('call.ended', 'audio'), cost: [] } },
    { rule: 'cost_micros 0 and quantity 0', event: endedWithCost({ cost_micros: 0, quantity: 0 }) },
    { rule: 'cost_micros 2^53 - 1', event: endedWithCost({ cost_micros: MAX_SAFE }) },
    { rule: 'duration_ms 2^53 - 1', event: example('call.ended', { duration_ms: MAX_SAFE }) },
    { rule: 'a fractional quantity', event: endedWithCost({ quantity: 0.25 }) },
    { rule: 'csat 1', event: example('call.feedback', { csat: 1 }) },
    { rule: 'csat 5', event: example('call.feedback', { csat: 5 }) },
    { rule: 'ts exactly 5 minutes ahead', event: example('call.turn', { ts: atTime(5 * 60_000) }) },
    { rule: 'ts exactly 24 h old', event: example('call.turn', { ts: atTime(-24 * 3_600_000) }) },
  ];

  it.each(rows)('accepts $rule', ({ event }) => {
    const { valid, rejected } = parseEvents([event]);
    expect(rejected).toEqual([]);
    expect(valid).toHaveLength(1);
  });
});

describe('timestamps', () => {
  const rows = [
    { sent: '2026-11-24T14:03:07.120Z', stored: '2026-11-24T14:03:07.120Z' },
    { sent: '2026-11-24T14:03:07Z', stored: '2026-11-24T14:03:07.000Z' },
    { sent: '2026-11-24T14:03:07.1Z', stored: '2026-11-24T14:03:07.100Z' },
    { sent: '2026-11-24T14:03:07.123456789Z', stored: '2026-11-24T14:03:07.123Z' },
    { sent: '2026-11-24T23:59:59.999999+00:00', stored: '2026-11-24T23:59:59.999Z' },
  ];

  it.each(rows)('reads $sent as $stored, keeping the sent text in raw', ({ sent, stored }) => {
    const raw = JSON.stringify(example('call.feedback', { ts: sent }));
    const [item] = accepted(parseEventBatch({ body: `[${raw}]`, contentType: 'application/json', now: new Date('2026-11-25T00:00:00Z') })).valid;
    expect(item?.event.ts).toBe(stored);
    expect(item?.raw).toBe(raw);
  });
});

describe('each rule rejects the event with its path and a readable message', () => {
  const rows: Array<{ rule: string; event: unknown; path: string; message: RegExp }> = [
    { rule: 'a missing id', event: without('call.turn', 'id'), path: 'id', message: /^is required$/ },
    { rule: 'an empty id', event: example('call.turn', { id: '' }), path: 'id', message: /must not be empty/ },
    { rule: 'an id over 128 characters', event: example('call.turn', { id: 'e'.repeat(129) }), path: 'id', message: /at most 128 characters/ },
    { rule: 'a numeric id', event: example('call.turn', { id: 42 }), path: 'id', message: /must be a string/ },
    { rule: 'an unknown type', event: example('call.turn', { type: 'call.paused' }), path: 'type', message: /one of the event types: call\.started, call\.turn/ },
    { rule: 'a missing type', event: without('call.turn', 'type'), path: 'type', message: /one of the event types/ },
    { rule: 'a missing customer_id', event: without('call.turn', 'customer_id'), path: 'customer_id', message: /^is required$/ },
    { rule: 'a customer_id over 64 characters', event: example('call.turn', { customer_id: 'c'.repeat(65) }), path: 'customer_id', message: /at most 64 characters/ },
    { rule: 'a customer_id with a dot', event: example('call.turn', { customer_id: 'acme.eu' }), path: 'customer_id', message: /only letters, digits, "_" and "-"/ },
    { rule: 'an empty call_id', event: example('call.turn', { call_id: '' }), path: 'call_id', message: /must not be empty/ },
    { rule: 'a call_id over 128 characters', event: example('call.turn', { call_id: 'c'.repeat(129) }), path: 'call_id', message: /at most 128 characters/ },
    { rule: 'a missing ts', event: without('call.turn', 'ts'), path: 'ts', message: /^is required$/ },
    { rule: 'a ts in epoch milliseconds', event: example('call.turn', { ts: now.getTime() }), path: 'ts', message: /RFC 3339 UTC timestamp string like "2026-11-24T14:03:07\.120Z"/ },
    { rule: 'a ts without a time zone', event: example('call.turn', { ts: '2026-11-24T14:03:07.120' }), path: 'ts', message: /RFC 3339 UTC timestamp like/ },
    { rule: 'a ts with a space instead of T', event: example('call.turn', { ts: '2026-11-24 14:03:07.120Z' }), path: 'ts', message: /RFC 3339 UTC timestamp like/ },
    { rule: 'a ts with an offset', event: example('call.turn', { ts: '2026-11-24T15:03:07.120+01:00' }), path: 'ts', message: /must be in UTC, ending in "Z" \(got the offset "\+01:00"\)/ },
    { rule: 'a ts on February 30', event: example('call.turn', { ts: '2026-02-30T10:00:00.000Z' }), path: 'ts', message: /not a real date and time/ },
    { rule: 'a ts at hour 24', event: example('call.turn', { ts: '2026-11-24T24:00:00.000Z' }), path: 'ts', message: /not a real date and time/ },
    { rule: 'a ts 1 ms over 5 minutes ahead', event: example('call.turn', { ts: atTime(5 * 60_000 + 1) }), path: 'ts', message: /more than 5 minutes in the future/ },
    { rule: 'a ts 1 ms over 24 h old', event: example('call.turn', { ts: atTime(-24 * 3_600_000 - 1) }), path: 'ts', message: /older than 24 h and cannot be accepted/ },
    { rule: 'an uppercase trace_id', event: example('call.turn', { trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736' }), path: 'trace_id', message: /32 lowercase hexadecimal characters/ },
    { rule: 'a trace_id of 31 characters', event: example('call.turn', { trace_id: '4bf92f3577b34da6a3ce929d0e0e473' }), path: 'trace_id', message: /32 lowercase hexadecimal/ },
    { rule: 'an unknown direction', event: example('call.started', { direction: 'internal' }), path: 'direction', message: /^must be one of: inbound, outbound$/ },
    { rule: 'a phone number without +', event: example('call.started', { from: '14155550123' }), path: 'from', message: /E\.164 phone number/ },
    { rule: 'a phone number of 1 digit', event: example('call.started', { to: '+1' }), path: 'to', message: /"\+" and 2 to 15 digits/ },
    { rule: 'a phone number of 16 digits', event: example('call.started', { to: '+1234567890123456' }), path: 'to', message: /E\.164/ },
    { rule: 'a phone number with spaces', event: example('call.started', { to: '+1 415 555 0123' }), path: 'to', message: /E\.164/ },
    { rule: 'a numeric phone number', event: example('call.started', { to: 14155550123 }), path: 'to', message: /E\.164 phone number like "\+14155550123"/ },
    { rule: 'an uppercase region', event: example('call.started', { region: 'US' }), path: 'region', message: /lowercase region code/ },
    { rule: 'an empty agent_id', event: example('call.started', { agent_id: '' }), path: 'agent_id', message: /must not be empty/ },
    { rule: 'providers that are not an object', event: example('call.started', { providers: 'deepgram' }), path: 'providers', message: /must be an object/ },
    { rule: 'a missing provider name', event: example('call.started', { providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia' } }), path: 'providers.telephony', message: /^is required$/ },
    { rule: 'a negative turn', event: example('call.turn', { turn: -1 }), path: 'turn', message: /must not be negative/ },
    { rule: 'a fractional turn', event: example('call.turn', { turn: 1.5 }), path: 'turn', message: /must be an integer/ },
    { rule: 'a fractional stt_ms', event: example('call.turn', { stt_ms: 180.5 }), path: 'stt_ms', message: /must be an integer number of milliseconds/ },
    { rule: 'an e2e_ms sent as a string', event: example('call.turn', { e2e_ms: '810' }), path: 'e2e_ms', message: /must be an integer number of milliseconds/ },
    { rule: 'a negative llm_ms', event: example('call.turn', { llm_ms: -5 }), path: 'llm_ms', message: /must not be negative/ },
    { rule: 'interrupted as a string', event: example('call.turn', { interrupted: 'false' }), path: 'interrupted', message: /must be true or false/ },
    { rule: 'a missing user_text', event: without('call.turn', 'user_text'), path: 'user_text', message: /^is required$/ },
    { rule: 'an unknown provider kind', event: example('provider.request', { kind: 'asr' }), path: 'kind', message: /must be one of: stt, llm, tts, telephony/ },
    { rule: 'a missing ok', event: without('provider.request', 'ok'), path: 'ok', message: /^is required$/ },
    { rule: 'ok as a number', event: example('provider.request', { ok: 1 }), path: 'ok', message: /must be true or false/ },
    { rule: 'a numeric error_code', event: example('provider.request', { error_code: 503 }), path: 'error_code', message: /must be a string/ },
    { rule: 'a tool call without a name', event: without('tool.call', 'name'), path: 'name', message: /^is required$/ },
    { rule: 'a tool error that is not a string', event: example('tool.call', { error: { reason: 'x' } }), path: 'error', message: /must be a string/ },
    { rule: 'an unknown error component', event: example('call.error', { component: 'database' }), path: 'component', message: /stt, llm, tts, telephony, tool, platform/ },
    { rule: 'a missing error message', event: without('call.error', 'message'), path: 'message', message: /^is required$/ },
    { rule: 'an unknown status', event: example('call.ended', { status: 'done' }), path: 'status', message: /must be one of: completed, failed, abandoned/ },
    { rule: 'task_success as a string', event: example('call.ended', { task_success: 'yes' }), path: 'task_success', message: /must be true, false or null/ },
    { rule: 'a missing task_success', event: without('call.ended', 'task_success'), path: 'task_success', message: /^is required$/ },
    { rule: 'a missing escalated', event: without('call.ended', 'escalated'), path: 'escalated', message: /^is required$/ },
    { rule: 'cost that is not a list', event: example('call.ended', { cost: { stt: 100 } }), path: 'cost', message: /must be an array/ },
    { rule: 'a fractional cost_micros', event: endedWithCost({ cost_micros: 12.5 }), path: 'cost[1].cost_micros', message: /^must be an integer number of micro-USD$/ },
    { rule: 'a negative cost_micros', event: endedWithCost({ cost_micros: -1 }), path: 'cost[1].cost_micros', message: /must not be negative/ },
    { rule: 'cost_micros of 2^53', event: endedWithCost({ cost_micros: 2 ** 53 }), path: 'cost[1].cost_micros', message: /must be at most 9007199254740991 \(2\^53 - 1\)/ },
    { rule: 'a cost_micros in dollars as a string', event: endedWithCost({ cost_micros: '0.01' }), path: 'cost[1].cost_micros', message: /integer number of micro-USD/ },
    { rule: 'a negative quantity', event: endedWithCost({ quantity: -0.5 }), path: 'cost[1].quantity', message: /must not be negative/ },
    { rule: 'a quantity as a string', event: endedWithCost({ quantity: '3' }), path: 'cost[1].quantity', message: /must be a number/ },
    { rule: 'a quantity over 2^53 - 1', event: endedWithCost({ quantity: 2 ** 60 }), path: 'cost[1].quantity', message: /at most 9007199254740991/ },
    { rule: 'a cost line without a provider', event: endedWithCost({ provider: undefined }), path: 'cost[1].provider', message: /^is required$/ },
    { rule: 'a duration_ms of 2^53', event: example('call.ended', { duration_ms: 2 ** 53 }), path: 'duration_ms', message: /at most 9007199254740991/ },
    { rule: 'an unsupported audio type', event: example('call.ended', { audio: { content_type: 'audio/flac', sha256: 'a'.repeat(64) } }), path: 'audio.content_type', message: /audio\/wav, audio\/mpeg, audio\/ogg/ },
    { rule: 'a short audio digest', event: example('call.ended', { audio: { content_type: 'audio/wav', sha256: 'abc' } }), path: 'audio.sha256', message: /SHA-256 digest/ },
    { rule: 'csat 0', event: example('call.feedback', { csat: 0 }), path: 'csat', message: /^must be an integer from 1 to 5$/ },
    { rule: 'csat 6', event: example('call.feedback', { csat: 6 }), path: 'csat', message: /^must be an integer from 1 to 5$/ },
    { rule: 'csat 4.5', event: example('call.feedback', { csat: 4.5 }), path: 'csat', message: /^must be an integer from 1 to 5$/ },
    { rule: 'a number instead of an event', event: 42, path: '', message: /must be a JSON object/ },
    { rule: 'null instead of an event', event: null, path: '', message: /must be a JSON object/ },
    { rule: 'an array instead of an event', event: [examples['call.turn']], path: '', message: /must be a JSON object/ },
  ];

  it.each(rows)('rejects $rule', ({ event, path, message }) => {
    const { valid, rejected } = parseEvents([examples['call.started'], event]);
    expect(valid.map((item) => item.index)).toEqual([0]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ index: 1, path });
    expect(rejected[0]?.message).toMatch(message);
  });

  it('rejects a value that JSON.parse rounds up to 2^53, as the sender wrote more than 2^53 - 1', () => {
    const raw = JSON.stringify(example('call.ended', { duration_ms: 1 })).replace('"duration_ms":1', '"duration_ms":9007199254740993');
    const { valid, rejected } = accepted(parseBody(`[${raw}]`));
    expect(valid).toEqual([]);
    expect(rejected).toEqual([{ index: 0, path: 'duration_ms', message: 'must be at most 9007199254740991 (2^53 - 1)' }]);
  });

  it('reports several problems of one event, one per field, at most three', () => {
    const event = example('call.ended', { id: '', status: 'done', duration_ms: -1, ttfa_ms: 1.5, escalated: 'no' });
    const { rejected } = parseEvents([event]);
    expect(rejected).toEqual([
      { index: 0, path: 'id', message: 'must not be empty' },
      { index: 0, path: 'status', message: 'must be one of: completed, failed, abandoned' },
      { index: 0, path: 'duration_ms', message: 'must not be negative' },
    ]);
  });

  it('reports the first rule a field breaks, not every one', () => {
    const { rejected } = parseEvents([example('call.turn', { customer_id: '' })]);
    expect(rejected).toEqual([{ index: 0, path: 'customer_id', message: 'must not be empty' }]);
  });
});

describe('event size', () => {
  const fillers = [
    { name: 'ASCII', filler: 'a' },
    { name: '2-byte é', filler: 'é' },
    { name: '3-byte €', filler: '€' },
    { name: '4-byte emoji', filler: '😀' },
  ];

  it.each(fillers)('accepts an event of exactly 65,536 bytes padded with $name', ({ filler }) => {
    const raw = eventOfSize(65_536, filler);
    const { valid, rejected } = accepted(parseBody(`[${raw}]`));
    expect(rejected).toEqual([]);
    expect(valid.map((item) => [item.raw === raw, item.bytes])).toEqual([[true, 65_536]]);
  });

  it.each(fillers)('rejects an event of 65,537 bytes padded with $name, alone', ({ filler }) => {
    const body = `[${JSON.stringify(examples['call.started'])},${eventOfSize(65_537, filler)}]`;
    const { valid, rejected } = accepted(parseBody(body));
    expect(valid.map((item) => item.index)).toEqual([0]);
    expect(rejected).toEqual([{ index: 1, path: '', message: 'is 65,537 bytes; an event may be at most 65,536 bytes of UTF-8' }]);
  });

  it('measures an event as received, so a \\u escape counts as the six bytes written', () => {
    const decodedFits = JSON.stringify(example('call.feedback', { padding: 'é'.repeat(20_000) }));
    const escaped = decodedFits.replace(/é/g, '\\u00e9');
    expect(byteLength(decodedFits)).toBeLessThanOrEqual(65_536);
    const { valid, rejected } = accepted(parseBody(`[${escaped}]`));
    expect(valid).toEqual([]);
    expect(rejected).toEqual([{ index: 0, path: '', message: `is ${byteLength(escaped).toLocaleString('en-US')} bytes; an event may be at most 65,536 bytes of UTF-8` }]);
  });

  it('counts UTF-8 bytes like TextEncoder, a lone surrogate as U+FFFD', () => {
    for (const text of ['', 'plain', 'é€😀', 'a\ud800b', '\udc00', '😀\ud83d']) {
      expect(utf8ByteLength(text)).toBe(byteLength(text));
    }
  });
});

describe('batch limits', () => {
  const turns = (count: number) => Array.from({ length: count }, (_, i) => example('call.turn', { id: `evt_turn_${i}`, turn: i }));

  it('accepts 1,000 events', () => {
    const { valid, rejected } = parseEvents(turns(1_000));
    expect(rejected).toEqual([]);
    expect(valid).toHaveLength(1_000);
  });

  it('refuses 1,001 events with 413', () => {
    expect(parseBody(JSON.stringify(turns(1_001)))).toMatchObject({ ok: false, status: 413, code: 'payload_too_large', message: expect.stringMatching(/1,001 events; at most 1,000/) });
  });

  it('refuses 1,001 NDJSON lines with 413 but does not count blank lines', () => {
    const lines = turns(1_001).map((event) => JSON.stringify(event));
    expect(parseBody(lines.join('\n'), 'application/x-ndjson')).toMatchObject({ status: 413, code: 'payload_too_large' });
    const withBlanks = `${lines.slice(0, 1_000).join('\n\n')}\n`;
    expect(accepted(parseBody(withBlanks, 'application/x-ndjson')).valid).toHaveLength(1_000);
  });

  /** A JSON array of 17 padded events, `extra` bytes over 1 MiB in total. */
  function bodyAroundOneMiB(extra: number, filler: string): string {
    const count = 17;
    const eventBytes = 1_048_576 + extra - 2 - (count - 1);
    const sizes = Array.from({ length: count }, (_, i) => Math.floor(eventBytes / count) + (i < eventBytes % count ? 1 : 0));
    const body = `[${sizes.map((size, i) => eventOfSize(size, filler, `evt_${i}`)).join(',')}]`;
    expect(byteLength(body)).toBe(1_048_576 + extra);
    return body;
  }

  it('accepts a body of exactly 1 MiB', () => {
    expect(accepted(parseBody(bodyAroundOneMiB(0, 'a'))).valid).toHaveLength(17);
  });

  it('refuses a body of 1 MiB + 1 byte with 413', () => {
    expect(parseBody(bodyAroundOneMiB(1, 'a'))).toMatchObject({ ok: false, status: 413, code: 'payload_too_large', message: expect.stringMatching(/larger than 1 MiB/) });
  });

  it('counts the body in UTF-8 bytes, not characters', () => {
    const body = bodyAroundOneMiB(1, '€');
    expect(body.length).toBeLessThan(1_048_576);
    expect(parseBody(body)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});

describe('request-level failures', () => {
  const event = JSON.stringify(examples['call.turn']);
  const rows: Array<{ rule: string; body: string; contentType: string | null; status: number; code: string; message: RegExp }> = [
    { rule: 'a text/plain body', body: `[${event}]`, contentType: 'text/plain', status: 415, code: 'unsupported_media_type', message: /application\/json .* application\/x-ndjson/ },
    { rule: 'a form body', body: `[${event}]`, contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type', message: /application\/json/ },
    { rule: 'no Content-Type', body: `[${event}]`, contentType: null, status: 415, code: 'unsupported_media_type', message: /application\/json/ },
    { rule: 'a Latin-1 charset', body: `[${event}]`, contentType: 'application/json; charset=iso-8859-1', status: 415, code: 'unsupported_media_type', message: /UTF-8/ },
    { rule: 'an empty body', body: '', contentType: 'application/json', status: 400, code: 'empty_batch', message: /no events/ },
    { rule: 'a body of whitespace', body: ' \n\t', contentType: 'application/json', status: 400, code: 'empty_batch', message: /no events/ },
    { rule: 'an empty array', body: ' [ ] ', contentType: 'application/json', status: 400, code: 'empty_batch', message: /no events/ },
    { rule: 'an empty NDJSON body', body: '', contentType: 'application/x-ndjson', status: 400, code: 'empty_batch', message: /no events/ },
    { rule: 'NDJSON of blank lines', body: '\n \r\n\t\n', contentType: 'application/x-ndjson', status: 400, code: 'empty_batch', message: /no events/ },
    { rule: 'a single object instead of an array', body: event, contentType: 'application/json', status: 400, code: 'bad_request', message: /JSON array of events; to send one event, wrap it in \[ \]/ },
    { rule: 'an unclosed array', body: `[${event}`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /not a well-formed JSON array/ },
    { rule: 'an unterminated string', body: '[{"id":"abc}]', contentType: 'application/json', status: 400, code: 'invalid_json', message: /element 0 is unterminated/ },
    { rule: 'a stray closing brace', body: `[${event}},${event}]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /not a well-formed JSON array/ },
    { rule: 'a trailing comma', body: `[${event},]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /empty element at index 1/ },
    { rule: 'a leading comma', body: `[,${event}]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /empty element at index 0/ },
    { rule: 'text after the array', body: `[${event}] trailing`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /text after the closing \]/ },
    { rule: 'a second array', body: `[${event}][${event}]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /text after the closing \]/ },
    { rule: 'a malformed element', body: `[${event},{"id":1,,}]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /element 1:/ },
    { rule: 'two values in one element', body: `[${event} ${event}]`, contentType: 'application/json', status: 400, code: 'invalid_json', message: /element 0:/ },
    { rule: 'single quotes', body: "[{'id':'a'}]", contentType: 'application/json', status: 400, code: 'invalid_json', message: /element 0:/ },
  ];

  it.each(rows)('answers $status $code for $rule', ({ body, contentType, status, code, message }) => {
    const result = parseBody(body, contentType);
    expect(result).toMatchObject({ ok: false, status, code });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  const asArray = `[${event}]`;
  const asNdjson = `${event}\n`;
  it.each([
    { contentType: 'application/json', body: asArray },
    { contentType: 'Application/JSON; charset=UTF-8', body: asArray },
    { contentType: 'application/json;charset="utf-8"', body: asArray },
    { contentType: 'application/x-ndjson; charset=utf-8', body: asNdjson },
  ])('reads a body sent as $contentType', ({ contentType, body }) => {
    expect(accepted(parseBody(body, contentType)).valid).toHaveLength(1);
  });
});

describe('splitting a JSON array', () => {
  it('keeps each element exactly as sent, whatever its strings contain', () => {
    const tricky = ['],[{"id":1},', 'a "quoted" \\ backslash\\', '\\', '{', '\u2028 line separator', 'é€😀'];
    const events = tricky.map((note, i) => example('call.feedback', { id: `evt_${i}`, note }));
    const raws = events.map((event, i) => (i % 2 === 0 ? JSON.stringify(event) : JSON.stringify(event, null, 2)));
    const body = `\n[\n  ${raws.join(' ,\r\n\t')}\n]\n`;
    expect(JSON.parse(body)).toEqual(events);
    const { valid, rejected } = accepted(parseBody(body));
    expect(rejected).toEqual([]);
    expect(valid.map((item) => item.raw)).toEqual(raws);
    expect(valid.map((item) => item.bytes)).toEqual(raws.map(byteLength));
  });
});

describe('NDJSON', () => {
  it('rejects a bad line alone and numbers lines from 0, blank lines included', () => {
    const lines = [
      JSON.stringify(examples['call.started']),
      '',
      '{"id": "evt_broken", "type": "call.turn",',
      `${JSON.stringify(examples['call.turn'])}\r`,
      '[1, 2]',
      JSON.stringify(example('call.feedback', { csat: 9 })),
      `  ${JSON.stringify(examples['call.ended'])}  `,
    ];
    const { valid, rejected } = accepted(parseBody(`${lines.join('\n')}\n`, 'application/x-ndjson'));
    expect(valid.map((item) => [item.index, item.event.type])).toEqual([
      [0, 'call.started'],
      [3, 'call.turn'],
      [6, 'call.ended'],
    ]);
    expect(valid[1]?.raw).toBe(JSON.stringify(examples['call.turn']));
    expect(valid[2]?.raw).toBe(JSON.stringify(examples['call.ended']));
    expect(rejected).toMatchObject([
      { index: 2, path: '', message: expect.stringMatching(/^is not valid JSON: /) },
      { index: 4, path: '', message: 'must be a JSON object (one event)' },
      { index: 5, path: 'csat', message: 'must be an integer from 1 to 5' },
    ]);
  });

  it('rejects an oversized line alone', () => {
    const body = [eventOfSize(65_537, '€'), JSON.stringify(examples['call.turn'])].join('\n');
    const { valid, rejected } = accepted(parseBody(body, 'application/x-ndjson'));
    expect(valid.map((item) => item.index)).toEqual([1]);
    expect(rejected).toEqual([{ index: 0, path: '', message: 'is 65,537 bytes; an event may be at most 65,536 bytes of UTF-8' }]);
  });
});

describe('keys named __proto__ and constructor', () => {
  const pollution = '"__proto__":{"polluted":true,"csat":1},"constructor":{"prototype":{"polluted":true}}';
  const inject = (event: unknown, at: string) => JSON.stringify(event).replace(at, `${at}${pollution},`);

  it('change neither the validated event nor any other object', () => {
    const raw = inject(examples['call.feedback'], '{');
    const [item] = accepted(parseBody(`[${raw}]`)).valid;
    const event = item?.event as Record<string, unknown>;
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.hasOwn(event, '__proto__')).toBe(false);
    expect(Object.hasOwn(event, 'constructor')).toBe(false);
    expect(event.polluted).toBeUndefined();
    expect(event).toEqual(examples['call.feedback']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(item?.raw).toBe(raw);
  });

  it('cannot supply a required field through the prototype', () => {
    const raw = inject(without('call.feedback', 'csat'), '{');
    const { valid, rejected } = accepted(parseBody(`[${raw}]`));
    expect(valid).toEqual([]);
    expect(rejected).toEqual([{ index: 0, path: 'csat', message: 'is required' }]);
  });

  it('stay plain data inside nested objects and tool arguments', () => {
    const raw = inject(examples['call.ended'], '"cost":[{');
    const ended = accepted(parseBody(`[${raw}]`)).valid[0]?.event;
    expect(ended).toEqual(examples['call.ended']);
    const toolRaw = inject(examples['tool.call'], '"arguments":{');
    const tool = accepted(parseBody(`[${toolRaw}]`)).valid[0]?.event;
    const args = tool?.type === 'tool.call' ? (tool.arguments as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(args.polluted).toBeUndefined();
    expect(Object.hasOwn(args, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('docs/events.md', () => {
  it('shows exactly the example events the tests use', async () => {
    const doc = await readFile(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? '') as { type?: unknown });
    const shown = blocks.filter((block) => EVENT_TYPES.includes(block.type as EventType));
    const documented = exampleEvents({ customerId: 'acme', callId: 'call_8f2c1a', now: new Date('2026-11-24T14:03:07.120Z') });
    expect(shown).toEqual(Object.values(documented));
  });
});
