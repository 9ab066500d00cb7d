// Fuzzed request bodies for POST /v1/events, derived from the event schemas (their JSON Schema,
// `z.toJSONSchema`), each carrying what the contract says must happen to it. Valid events come
// from the schemas' own constraints; each may then get one defect (a wrong type at any path, a
// missing field, a value out of range, text Postgres cannot store, a timestamp outside the
// window, an oversized event, a line that is not JSON) and any number of harmless oddities
// (unknown and prototype-named keys, unicode, stray CRs and other JSON whitespace between tokens).
// Shared by the unit property test of parseEventBatch, the workerd run and `npm run fuzz`.
import fc from 'fast-check';
import * as z from 'zod';
import { MAX_BATCH_BYTES, MAX_EVENT_AGE_MS, MAX_EVENT_BYTES, MAX_EVENTS_PER_BATCH, MAX_FUTURE_SKEW_MS } from '../../workers/ingest/parse-batch.ts';
import { EVENT_TYPES, switchboardEventSchema, type EventType } from '../../workers/ingest/event-schema.ts';
import { MAX_JSON_DEPTH, MAX_NUMBER_LENGTH } from '../../workers/ingest/storable-json.ts';
import { formatPath, fromValue, nodeDepth, writeJson, type JsonNode, type PathSegment } from './json-text.ts';

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** The JSON Schema keywords z.toJSONSchema writes for the event schemas. */
interface JsonSchema {
  /** A list for a nullable field: `["boolean", "null"]`. */
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** A list of types read as the union of one schema per type, so the rest reads single types only. */
function withSingleTypes(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.type)) return schema;
  return { anyOf: schema.type.map((type) => withSingleTypes({ ...schema, type })) };
}

const eventSchemas: ReadonlyMap<EventType, JsonSchema> = (() => {
  const root = z.toJSONSchema(switchboardEventSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const byType = new Map<EventType, JsonSchema>();
  for (const schema of root.oneOf ?? []) byType.set(schema.properties?.type?.const as EventType, schema);
  if (byType.size !== EVENT_TYPES.length) throw new Error('every event type needs an object schema');
  return byType;
})();

/** What the contract requires of one event (an array element or an NDJSON line). */
export type Expectation =
  | { kind: 'accept' }
  /** Valid, but for a customer that does not exist: only the stateful checks reject it. */
  | { kind: 'unknown_customer' }
  /**
   * Rejected, and every reported path is one of `paths`; a path in `prefixes` also admits the
   * places inside it (a too-deep nesting is reported where it first goes too deep).
   */
  | { kind: 'reject'; paths: string[]; prefixes: string[] };

export interface FuzzElement {
  text: string;
  expect: Expectation;
  /** What the generator did, for a failure report. */
  label: string;
}

export type BodyOutcome =
  | { kind: 'per_event' }
  | { kind: 'refused'; status: 400 | 413 | 415; codes: string[] };

export interface FuzzBody {
  contentType: string | null;
  body: string;
  format: 'json' | 'ndjson';
  /** By the index the API reports: array position, or NDJSON line number (blank lines are null). */
  elements: Array<FuzzElement | null>;
  outcome: BodyOutcome;
  label: string;
}

export interface FuzzContext {
  nowMs: number;
  /** Existing customers the valid events belong to. */
  customers: readonly string[];
  /** A well-formed customer id that does not exist. */
  unknownCustomer: string;
  /** Prefix of every event and call id, so a run can find its own rows. */
  idPrefix: string;
}

// --- text the API must keep or refuse -------------------------------------------------------

/** Well-formed text that must come back unchanged: combining marks, RTL, emoji, noncharacters, line separators, BOM. */
const unicodeEdgeCases = ['é', 'e\u0301', '😀', '👩‍👩‍👧', '\u202eRTL', '\ufeffBOM', '\u2028\u2029', '\ufffe\uffff', '\u{10ffff}', 'tab\there', 'new\nline', 'cr\rmid', '"quoted" \\ back', '\u0001\u001f', ' '];
/** Text jsonb refuses: NUL, and surrogates without their other half (JSON.stringify escapes these as `\udXXX`). */
const unstorableStrings = ['\u0000', 'nul\u0000inside', '\ud800', 'lone\udfffend', '\ude00\ud83d', 'x\udbff'];
/** Literals that JSON allows and a stored event must not hold (rules in workers/ingest/storable-json.ts). */
const unstorableNumbers = ['1e400', '-1e400', '1e-400', '0e-99999', '1e1000', `1${'0'.repeat(MAX_NUMBER_LENGTH)}`, `0.${'0'.repeat(MAX_NUMBER_LENGTH)}1`];
/** Storable literals that are not what JSON.stringify writes; their meaning depends on the field. */
const oddNumbers = ['9007199254740993', '9007199254740992', '9007199254740991', '-9007199254740991', '1E2', '1e+2', '4.0', '-0', '0.0', '1.5', '-1', '2147483648', '123456789012345678901234567890', '1e308', '5e-324', '0.1'];
const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];

/** The rules a number literal must meet to be stored, restated from docs/events.md. */
export function numberIsStorable(text: string): boolean {
  const match = /^-?(\d+)(?:\.(\d+))?(?:[eE][+-]?(\d+))?$/.exec(text);
  if (!match || text.length > MAX_NUMBER_LENGTH || (match[3] ?? '').length > 3) return false;
  const value = Number(text);
  const nonzeroDigits = /[1-9]/.test(`${match[1]}${match[2] ?? ''}`);
  return Number.isFinite(value) && !(nonzeroDigits && value === 0);
}

const jsonWhitespace = fc.constantFrom('', ' ', '\t', '\r', '\n', '\r\n', '  ');
const lineWhitespace = fc.constantFrom('', ' ', '\t', '\r', ' \r ');

const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function safeText(maxLength: number): fc.Arbitrary<string> {
  return fc
    .oneof(fc.string({ maxLength, unit: 'grapheme' }), fc.string({ maxLength: Math.floor(maxLength / 2), unit: 'binary' }), fc.constantFrom(...unicodeEdgeCases))
    .filter((text) => !unpairedSurrogate.test(text) && !text.includes('\u0000'));
}

/** Any storable JSON, keys included: what unknown fields and `arguments`/`result` may carry. */
const harmlessJson: fc.Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<JsonNode>({ kind: 'null' }),
    fc.boolean().map<JsonNode>((value) => ({ kind: 'boolean', value })),
    fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)), fc.constantFrom(...oddNumbers)).map<JsonNode>((text) => ({ kind: 'number', text })),
    safeText(40).map<JsonNode>((value) => ({ kind: 'string', value })),
    fc.array(tie('node'), { maxLength: 4 }).map<JsonNode>((items) => ({ kind: 'array', items })),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...prototypeKeys), safeText(12)), tie('node')), { maxLength: 4, selector: ([key]) => key }).map<JsonNode>((entries) => ({ kind: 'object', entries })),
  ),
})).node;

// --- valid values from the schema ----------------------------------------------------------------

function timestampText(ms: number, style: number): string {
  const iso = new Date(ms).toISOString();
  switch (style) {
    case 1:
      return iso.replace('Z', '+00:00');
    case 2:
      return iso.replace(/\.\d{3}Z$/, 'Z');
    case 3:
      return iso.replace('Z', '999Z');
    default:
      return iso;
  }
}

/** Inside the accepted window with a margin for the time a request takes to arrive. */
function timestampArb(context: FuzzContext): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: -(MAX_EVENT_AGE_MS - 3_600_000), max: MAX_FUTURE_SKEW_MS - 120_000 }), fc.integer({ min: 0, max: 3 })).map(([offset, style]) => timestampText(context.nowMs + offset, style));
}

function stringArb(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  // zod counts UTF-16 units; JSON Schema would count code points.
  const fits = (s: string): boolean => s.length >= min && s.length <= max;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  return fc.oneof(safeText(Math.min(max, 60)), fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' })).filter(fits);
}

function validArb(given: JsonSchema, path: readonly PathSegment[], context: FuzzContext): fc.Arbitrary<JsonNode> {
  const schema = withSingleTypes(given);
  const name = path.length === 1 ? path[0] : null;
  if (name === 'ts') return timestampArb(context).map(fromValue);
  if (name === 'customer_id') return fc.constantFrom(...context.customers).map(fromValue);
  if (name === 'id' || name === 'call_id') return fc.uuid().map((uuid) => fromValue(`${context.idPrefix}${name === 'id' ? 'e' : 'c'}-${uuid}`));
  if (schema.const !== undefined) return fc.constant(fromValue(schema.const));
  if (schema.enum) return fc.constantFrom(...schema.enum).map(fromValue);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((member) => validArb(member, path, context)));
  switch (schema.type) {
    case 'string':
      return stringArb(schema).map(fromValue);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? Number.MIN_SAFE_INTEGER, max: schema.maximum ?? Number.MAX_SAFE_INTEGER }).map(fromValue);
    case 'number':
      return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true, noDefaultInfinity: true }).map(fromValue);
    case 'boolean':
      return fc.boolean().map(fromValue);
    case 'null':
      return fc.constant<JsonNode>({ kind: 'null' });
    case 'array':
      return fc.array(validArb(schema.items ?? {}, [...path, 0], context), { maxLength: 3 }).map((items) => ({ kind: 'array', items }));
    case 'object': {
      const fields = Object.entries(schema.properties ?? {}).map(([key, member]) => {
        const required = schema.required?.includes(key) ?? false;
        const value = validArb(member, [...path, key], context);
        return (required ? value : fc.option(value, { nil: null })).map((node): [string, JsonNode] | null => (node === null ? null : [key, node]));
      });
      return fc.tuple(...fields).map((entries) => ({ kind: 'object', entries: entries.filter((entry) => entry !== null) }));
    }
    default:
      // `arguments`/`result`: any JSON.
      return harmlessJson;
  }
}

export function validEventArb(context: FuzzContext, type?: EventType): fc.Arbitrary<{ type: EventType; node: JsonNode }> {
  // Built once: building an arbitrary (a pattern's above all) costs far more than drawing from it.
  const types = type ? [type] : [...EVENT_TYPES];
  return fc.oneof(...types.map((t) => validArb(eventSchemas.get(t)!, [], context).map((node) => ({ type: t, node }))));
}

// --- places in an event, with the schema that governs each ---------------------------------------

interface Place {
  segments: PathSegment[];
  node: JsonNode;
  /** undefined for unknown fields (kept raw, otherwise ignored); `{}` for any JSON. */
  schema: JsonSchema | undefined;
}

function places(node: JsonNode, schema: JsonSchema | undefined, segments: PathSegment[] = []): Place[] {
  const here: Place = { segments, node, schema };
  if (node.kind === 'object') {
    return [here, ...node.entries.flatMap(([key, item]) => places(item, schema?.properties ? schema.properties[key] ?? undefined : undefined, [...segments, key]))];
  }
  if (node.kind === 'array') return [here, ...node.items.flatMap((item, i) => places(item, schema?.items, [...segments, i]))];
  return [here];
}

function replaceAt(node: JsonNode, segments: readonly PathSegment[], replacement: JsonNode | null): JsonNode {
  if (segments.length === 0) return replacement ?? node;
  const [head, ...rest] = segments;
  if (node.kind === 'object') {
    const entries = node.entries.flatMap(([key, item]): Array<[string, JsonNode]> => {
      if (key !== head) return [[key, item]];
      if (rest.length === 0 && replacement === null) return [];
      return [[key, replaceAt(item, rest, replacement)]];
    });
    return { kind: 'object', entries };
  }
  if (node.kind === 'array' && typeof head === 'number') {
    return { kind: 'array', items: node.items.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item)) };
  }
  return node;
}

function addEntry(node: JsonNode, segments: readonly PathSegment[], key: string, value: JsonNode): JsonNode {
  if (segments.length === 0) return node.kind === 'object' ? { kind: 'object', entries: [...node.entries, [key, value]] } : node;
  const [head, ...rest] = segments;
  if (node.kind === 'object') return { kind: 'object', entries: node.entries.map(([k, item]) => [k, k === head ? addEntry(item, rest, key, value) : item]) };
  if (node.kind === 'array') return { kind: 'array', items: node.items.map((item, i) => (i === head ? addEntry(item, rest, key, value) : item)) };
  return node;
}

function jsonKindsAllowed(given: JsonSchema): Set<JsonNode['kind']> {
  const schema = withSingleTypes(given);
  if (schema.anyOf) return new Set(schema.anyOf.flatMap((member) => [...jsonKindsAllowed(member)]));
  if (schema.const !== undefined || schema.enum) return new Set(['string']);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return new Set(['number']);
    case undefined:
      return new Set(['null', 'boolean', 'number', 'string', 'array', 'object']);
    default:
      return new Set([schema.type as JsonNode['kind']]);
  }
}

const nodeOfKind: Record<Exclude<JsonNode['kind'], 'verbatim'>, fc.Arbitrary<JsonNode>> = {
  null: fc.constant({ kind: 'null' }),
  boolean: fc.boolean().map((value) => ({ kind: 'boolean', value })),
  number: fc.constantFrom('0', '1', '-3.5', '1e3').map((text) => ({ kind: 'number', text })),
  string: fc.constantFrom('', '0', 'true', 'x').map((value) => ({ kind: 'string', value })),
  array: fc.constantFrom<JsonNode>({ kind: 'array', items: [] }, { kind: 'array', items: [{ kind: 'number', text: '1' }] }),
  object: fc.constantFrom<JsonNode>({ kind: 'object', entries: [] }, { kind: 'object', entries: [['a', { kind: 'null' }]] }),
};

/** Whether a string meets a string schema, as zod reads it (lengths in UTF-16 units). */
function stringFits(given: JsonSchema, value: string): boolean {
  const schema = withSingleTypes(given);
  if (schema.anyOf) return schema.anyOf.some((member) => stringFits(member, value));
  if (schema.const !== undefined) return value === schema.const;
  if (schema.enum) return schema.enum.includes(value);
  if (schema.type !== 'string') return false;
  if (schema.pattern && !new RegExp(schema.pattern).test(value)) return false;
  return value.length >= (schema.minLength ?? 0) && value.length <= (schema.maxLength ?? Infinity);
}

function numberFits(given: JsonSchema, text: string): boolean {
  const schema = withSingleTypes(given);
  if (schema.anyOf) return schema.anyOf.some((member) => numberFits(member, text));
  const value = Number(text);
  if (schema.type === 'integer') return Number.isSafeInteger(value) && value >= (schema.minimum ?? -Infinity) && value <= (schema.maximum ?? Infinity);
  if (schema.type === 'number') return Number.isFinite(value) && value >= (schema.minimum ?? -Infinity) && value <= (schema.maximum ?? Infinity);
  return false;
}

/** A contract field that only takes specific values (not `ts`, whose rule is its own, nor any-JSON fields). */
function isConstrainedField(place: Place): boolean {
  return place.schema !== undefined && Object.keys(place.schema).length > 0 && !(place.segments.length === 1 && place.segments[0] === 'ts');
}

// --- defects: each event gets at most one, and its expectation with it ---------------------------

interface Mutated {
  node: JsonNode;
  expect: Expectation;
  label: string;
}

const reject = (path: string, label: string, node: JsonNode, prefix = false): Mutated => ({
  node,
  expect: { kind: 'reject', paths: prefix ? [] : [path], prefixes: prefix ? [path] : [] },
  label,
});

function pickPlace(event: JsonNode, filter: (place: Place) => boolean, type: EventType, { includeEvent = false } = {}): fc.Arbitrary<Place | null> {
  const candidates = places(event, eventSchemas.get(type)).filter((place) => (includeEvent || place.segments.length > 0) && filter(place));
  return candidates.length === 0 ? fc.constant(null) : fc.constantFrom(...candidates);
}

function defectArb(event: { type: EventType; node: JsonNode }, context: FuzzContext): fc.Arbitrary<Mutated> {
  const { node, type } = event;
  const valid: Mutated = { node, expect: { kind: 'accept' }, label: type };
  const wrongType = pickPlace(node, isConstrainedField, type).chain((place) => {
    if (!place) return fc.constant(valid);
    const allowed = jsonKindsAllowed(place.schema!);
    const kinds = (Object.keys(nodeOfKind) as Array<keyof typeof nodeOfKind>).filter((kind) => !allowed.has(kind));
    return fc.constantFrom(...kinds).chain((kind) => nodeOfKind[kind]).map((replacement) => reject(formatPath(place.segments), `${type}: ${formatPath(place.segments)} as ${replacement.kind}`, replaceAt(node, place.segments, replacement)));
  });
  const missing = pickPlace(node, (place) => place.node.kind === 'object' && (place.schema?.required?.length ?? 0) > 0, type, { includeEvent: true }).chain((place) => {
    if (!place) return fc.constant(valid);
    const at = place.segments;
    return fc.constantFrom(...(place.schema?.required ?? [])).map((key) => reject(formatPath([...at, key]), `${type}: without ${formatPath([...at, key])}`, replaceAt(node, [...at, key], null)));
  });
  // Not the identifiers: a new id or call id that fits is simply another event (or call).
  const identifiers = new Set(['type', 'id', 'call_id']);
  const badValue = pickPlace(node, (place) => isConstrainedField(place) && place.node.kind !== 'object' && place.node.kind !== 'array' && !identifiers.has(formatPath(place.segments)), type).chain((place) => {
    if (!place) return fc.constant(valid);
    const path = formatPath(place.segments);
    const schema = place.schema!;
    const replacement: fc.Arbitrary<JsonNode> = jsonKindsAllowed(schema).has('number')
      ? fc.constantFrom(...oddNumbers, ...unstorableNumbers).map((text) => ({ kind: 'number', text }))
      : fc.oneof(safeText(10), fc.string({ minLength: 120, maxLength: 140, unit: 'grapheme-ascii' }), fc.constantFrom('', 'UPPER', '+0123', 'x'.repeat(129))).map((value) => ({ kind: 'string', value }));
    return replacement.map((value): Mutated => {
      const fits = value.kind === 'number' ? numberIsStorable(value.text) && numberFits(schema, value.text) : value.kind === 'string' && stringFits(schema, value.value);
      const label = `${type}: ${path} = ${value.kind === 'number' ? value.text : JSON.stringify(value.kind === 'string' ? value.value : null)}`;
      const mutated = replaceAt(node, place.segments, value);
      if (!fits) return reject(path, label, mutated);
      // A well-formed, existing-looking customer id that is not ours.
      if (path === 'customer_id') return { node: mutated, expect: { kind: 'unknown_customer' }, label };
      return { node: mutated, expect: { kind: 'accept' }, label };
    });
  });
  const unstorableText = pickPlace(node, (place) => place.node.kind !== 'object' && place.node.kind !== 'array', type).chain((place) =>
    fc.constantFrom(...unstorableStrings).map((value) => {
      const at = place?.segments ?? ['user_text'];
      return reject(formatPath(at), `${type}: ${formatPath(at)} = ${JSON.stringify(value)}`, place ? replaceAt(node, at, { kind: 'string', value }) : addEntry(node, [], 'user_text', { kind: 'string', value }));
    }),
  );
  const unstorableKey = pickPlace(node, (place) => place.node.kind === 'object', type, { includeEvent: true }).chain((place) =>
    fc.constantFrom(...unstorableStrings).map((key) => {
      const at = place?.segments ?? [];
      return reject(formatPath([...at, key]), `${type}: key ${JSON.stringify(key)} in ${formatPath(at) || 'the event'}`, addEntry(node, at, key, { kind: 'number', text: '1' }));
    }),
  );
  const unstorableNumber = fc.constantFrom(...unstorableNumbers).map((text) => reject('x_number', `${type}: x_number = ${text.slice(0, 20)}`, addEntry(node, [], 'x_number', { kind: 'number', text })));
  const deep = fc.tuple(fc.constantFrom(MAX_JSON_DEPTH - 2, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 5, 1_000, 20_000), fc.boolean()).map(([levels, arrays]) => {
    const text = arrays ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    const nested = addEntry(node, [], 'x_nested', { kind: 'verbatim', text, depth: levels });
    // The event object is the first level.
    if (1 + levels <= MAX_JSON_DEPTH) return { node: nested, expect: { kind: 'accept' }, label: `${type}: x_nested ${levels} levels` } satisfies Mutated;
    return reject('x_nested', `${type}: x_nested ${levels} levels`, nested, true);
  });
  const timestamp = fc.oneof(
    fc.constantFrom(MAX_EVENT_AGE_MS + 60_000, -(MAX_FUTURE_SKEW_MS + 60_000), 30 * 86_400_000).map((ago) => new Date(context.nowMs - ago).toISOString()),
    fc.constantFrom('2026-02-30T10:00:00.000Z', '2026-11-24T24:00:00.000Z', '2026-11-24T14:03:07.120+01:00', '2026-11-24 14:03:07Z', 'yesterday', ''),
  ).map((ts) => reject('ts', `${type}: ts = ${ts}`, replaceAt(node, ['ts'], { kind: 'string', value: ts })));
  const unknownCustomer = fc.constant<Mutated>({ node: replaceAt(node, ['customer_id'], { kind: 'string', value: context.unknownCustomer }), expect: { kind: 'unknown_customer' }, label: `${type}: unknown customer` });
  // Near the size limit: accepted as long as it stays within it (elementArb judges the size).
  const nearSizeLimit = fc.integer({ min: MAX_EVENT_BYTES - 200, max: MAX_EVENT_BYTES + 2_000 }).map((bytes): Mutated => ({
    node: addEntry(node, [], 'x_padding', { kind: 'string', value: 'é'.repeat(Math.floor(bytes / 2)) }),
    expect: { kind: 'accept' },
    label: `${type}: about ${bytes} bytes`,
  }));
  return fc.oneof(
    { arbitrary: fc.constant(valid), weight: 6 },
    { arbitrary: wrongType, weight: 3 },
    { arbitrary: missing, weight: 1 },
    { arbitrary: badValue, weight: 3 },
    { arbitrary: unstorableText, weight: 1 },
    { arbitrary: unstorableKey, weight: 1 },
    { arbitrary: unstorableNumber, weight: 1 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: timestamp, weight: 1 },
    { arbitrary: unknownCustomer, weight: 1 },
    { arbitrary: nearSizeLimit, weight: 1 },
  );
}

/** Harmless additions: unknown keys (prototype names included) anywhere an object is. */
function oddities(event: { type: EventType; node: JsonNode }): fc.Arbitrary<JsonNode> {
  const objects = places(event.node, eventSchemas.get(event.type)).filter((place) => place.node.kind === 'object');
  return fc.array(fc.tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...prototypeKeys), safeText(8)), harmlessJson), { maxLength: 3 }).map((additions) => {
    let node = event.node;
    const added = new Set<string>();
    for (const [place, key, value] of additions) {
      // A known field's name would make the addition a second value for it: not harmless. A key
      // twice in one object is valid JSON, but which one a place names would be ambiguous.
      if (place.schema?.properties?.[key] !== undefined) continue;
      if (place.node.kind === 'object' && place.node.entries.some(([existing]) => existing === key)) continue;
      const addition = JSON.stringify([place.segments, key]);
      if (added.has(addition)) continue;
      added.add(addition);
      if (nodeDepth(value) + place.segments.length + 1 >= MAX_JSON_DEPTH) continue;
      node = addEntry(node, place.segments, key, value);
    }
    return node;
  });
}

/**
 * One event's text and expectation. In NDJSON (`lineSafe`) line feeds stay out of it; in an array,
 * where one element that is not JSON spoils the whole body, such elements are rarer.
 */
function elementArb(context: FuzzContext, lineSafe: boolean): fc.Arbitrary<FuzzElement> {
  const spacing = fc.array(lineSafe ? lineWhitespace : jsonWhitespace, { minLength: 1, maxLength: 6 });
  const event = validEventArb(context).chain((e) => oddities(e).map((node) => ({ type: e.type, node })));
  const written = fc.tuple(event.chain((e) => defectArb(e, context)), spacing).map(([mutated, space]): FuzzElement => {
    const text = writeJson(mutated.node, space);
    // Size is checked first: an oversized event is rejected as a whole whatever else it holds.
    if (new TextEncoder().encode(text).length > MAX_EVENT_BYTES) return { text, expect: { kind: 'reject', paths: [''], prefixes: [] }, label: `${mutated.label} (over ${MAX_EVENT_BYTES} bytes)` };
    return { text, expect: mutated.expect, label: mutated.label };
  });
  const wholeEvent = (label: string, text: fc.Arbitrary<string>): fc.Arbitrary<FuzzElement> => text.map((t) => ({ text: t, expect: { kind: 'reject', paths: [''], prefixes: [] }, label }));
  return fc.oneof(
    { arbitrary: written, weight: lineSafe ? 20 : 80 },
    { arbitrary: wholeEvent('not an object', fc.constantFrom('1', '"event"', 'null', 'true', '[]', '[{}]', '1e400', `${'['.repeat(3_000)}${']'.repeat(3_000)}`)), weight: 1 },
    { arbitrary: wholeEvent('not JSON', fc.constantFrom('nul', 'tru', '01', '1.', '+1', 'NaN', "'x'", 'undefined', '\u00a0')), weight: 1 },
    { arbitrary: wholeEvent('a raw CR inside a string', written.map((e) => e.text.replace('{', '{"cr\rinside":1,'))), weight: 1 },
    { arbitrary: wholeEvent('truncated', written.map((e) => e.text.slice(0, Math.max(1, Math.floor(e.text.length / 2))))), weight: 1 },
  );
}

// --- bodies ----------------------------------------------------------------------------------

const jsonContentTypes = ['application/json', 'application/json; charset=utf-8', 'Application/JSON; charset="UTF-8"'];
const ndjsonContentTypes = ['application/x-ndjson', 'application/x-ndjson; charset=utf-8'];
const refusedContentTypes = [null, 'text/plain', 'application/json; charset=latin1', 'application/ndjson', 'multipart/form-data'];

function perEventOrInvalid(elements: FuzzElement[], format: 'json' | 'ndjson', body: string): BodyOutcome {
  if (new TextEncoder().encode(body).length > MAX_BATCH_BYTES) return { kind: 'refused', status: 413, codes: ['payload_too_large'] };
  if (elements.length > MAX_EVENTS_PER_BATCH) return { kind: 'refused', status: 413, codes: ['payload_too_large'] };
  // In an array one element that is not JSON spoils the whole body.
  if (format === 'json' && elements.some((e) => !parsesAsJson(e.text))) return { kind: 'refused', status: 400, codes: ['invalid_json'] };
  return { kind: 'per_event' };
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function bodyArb(context: FuzzContext): fc.Arbitrary<FuzzBody> {
  const jsonArray = fc.tuple(fc.array(elementArb(context, false), { minLength: 1, maxLength: 12 }), fc.constantFrom(...jsonContentTypes), jsonWhitespace).map(([elements, contentType, space]): FuzzBody => {
    const body = `${space}[${elements.map((e) => e.text).join(`,${space}`)}]${space}`;
    return { contentType, body, format: 'json', elements, outcome: perEventOrInvalid(elements, 'json', body), label: `JSON array of ${elements.length}` };
  });
  // Lines end in \n or \r\n; some are blank (skipped, still counted); two events joined by a lone CR are one bad line.
  const line = fc.oneof(
    { arbitrary: elementArb(context, true).map((e): FuzzElement | null => e), weight: 8 },
    { arbitrary: fc.constant<FuzzElement | null>(null), weight: 1 },
    {
      arbitrary: fc.tuple(elementArb(context, true), elementArb(context, true)).map(([a, b]): FuzzElement => ({ text: `${a.text}\r${b.text}`, expect: { kind: 'reject', paths: [''], prefixes: [] }, label: 'two events joined by a lone CR' })),
      weight: 1,
    },
  );
  const ndjson = fc.tuple(fc.array(line, { minLength: 1, maxLength: 12 }), fc.constantFrom(...ndjsonContentTypes), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.constantFrom('', ' ', '\r', '\t')).map(([lines, contentType, newline, finalNewline, blank]): FuzzBody => {
    const events = lines.filter((l): l is FuzzElement => l !== null);
    const body = lines.map((l) => l?.text ?? blank).join(newline) + (finalNewline ? newline : '');
    return {
      contentType,
      body,
      format: 'ndjson',
      elements: lines,
      outcome: events.length === 0 ? { kind: 'refused', status: 400, codes: ['empty_batch'] } : perEventOrInvalid(events, 'ndjson', body),
      label: `NDJSON of ${lines.length} lines (${JSON.stringify(newline)})`,
    };
  });
  const refusedWhole = fc.oneof(
    fc.tuple(fc.constantFrom(...refusedContentTypes), elementArb(context, false)).map(([contentType, e]): FuzzBody => ({ contentType, body: `[${e.text}]`, format: 'json', elements: [e], outcome: { kind: 'refused', status: 415, codes: ['unsupported_media_type'] }, label: `Content-Type ${contentType}` })),
    fc.constantFrom('', '[]', ' \r\n ', '[ ]').map((body): FuzzBody => ({ contentType: 'application/json', body, format: 'json', elements: [], outcome: { kind: 'refused', status: 400, codes: ['empty_batch'] }, label: `empty ${JSON.stringify(body)}` })),
    fc.constantFrom('{}', '"x"', '1', 'null').map((body): FuzzBody => ({ contentType: 'application/json', body, format: 'json', elements: [], outcome: { kind: 'refused', status: 400, codes: ['bad_request'] }, label: `not an array: ${body}` })),
    fc.constantFrom('[', '[{}', '[{},]', '[,{}]', '[{}]]', '[{}] x', '[{"a":"]', '[{}}]').map((body): FuzzBody => ({ contentType: 'application/json', body, format: 'json', elements: [], outcome: { kind: 'refused', status: 400, codes: ['invalid_json'] }, label: `malformed array ${body}` })),
    fc.constantFrom('json', 'ndjson').map((format): FuzzBody => {
      const count = MAX_EVENTS_PER_BATCH + 1;
      const body = format === 'json' ? `[${Array(count).fill('{}').join(',')}]` : Array(count).fill('{}').join('\n');
      return { contentType: format === 'json' ? 'application/json' : 'application/x-ndjson', body, format: format === 'json' ? 'json' : 'ndjson', elements: [], outcome: { kind: 'refused', status: 413, codes: ['payload_too_large'] }, label: `${count} events` };
    }),
    fc.constant<FuzzBody>({ contentType: 'application/json', body: `[{"x":"${'a'.repeat(MAX_BATCH_BYTES)}"}]`, format: 'json', elements: [], outcome: { kind: 'refused', status: 413, codes: ['payload_too_large'] }, label: 'over 1 MiB' }),
  );
  return fc.oneof({ arbitrary: jsonArray, weight: 6 }, { arbitrary: ndjson, weight: 6 }, { arbitrary: refusedWhole, weight: 1 });
}

/** Whether a body is refused whole or read event by event, and with which status. */
export function describeOutcome(body: FuzzBody): string {
  return body.outcome.kind === 'per_event' ? 'per event' : `${body.outcome.status} ${body.outcome.codes.join('/')}`;
}
