// What every answer to a fuzzed POST /v1/events must satisfy, whether it comes from
// parseEventBatch (the Node unit layer) or over HTTP (workerd, the real stack). Each check returns
// the problems it found as sentences, so a run can report all of them with the body that caused them.
import { switchboardEventSchema } from '../../workers/ingest/event-schema.ts';
import type { Expectation, FuzzBody, FuzzElement } from './ingest-fuzz.ts';
import { pathIsReal } from './json-text.ts';

export interface EventOutcome {
  index: number;
  accepted: boolean;
  /** Paths of its rejection; empty when accepted. */
  paths: string[];
}

export interface ReportedError {
  index: number;
  path: string;
  message: string;
}

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: ReportedError[];
  error?: { code: string; message: string; details: unknown[] };
}

export type Layer = 'parse' | 'http';

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function matchesExpected(path: string, expect: Extract<Expectation, { kind: 'reject' }>): boolean {
  return expect.paths.includes(path) || expect.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}

/** Checks one event's outcome against what the generator said and against its own text. */
function checkEvent(element: FuzzElement, outcome: EventOutcome, layer: Layer): string[] {
  const problems: string[] = [];
  const where = `event ${outcome.index} (${element.label})`;
  const json = parsed(element.text);
  for (const path of outcome.paths) {
    if (path === '') continue;
    if (!json.ok) problems.push(`${where}: rejected at "${path}", but it is not JSON, so only "" names a place in it`);
    else if (!pathIsReal(json.value, path)) problems.push(`${where}: rejected at "${path}", which is no place in the event`);
  }
  if (outcome.accepted) {
    const validation = json.ok ? switchboardEventSchema.safeParse(json.value) : null;
    if (!validation?.success) problems.push(`${where}: accepted, but its text does not validate: ${JSON.stringify(validation?.error?.issues ?? 'not JSON').slice(0, 300)}`);
  }
  const expect = element.expect;
  switch (expect.kind) {
    case 'accept':
      if (!outcome.accepted) problems.push(`${where}: should be accepted, was rejected at ${JSON.stringify(outcome.paths)}`);
      break;
    case 'unknown_customer':
      if (layer === 'parse' && !outcome.accepted) problems.push(`${where}: should pass validation, was rejected at ${JSON.stringify(outcome.paths)}`);
      if (layer === 'http' && (outcome.accepted || outcome.paths.join() !== 'customer_id')) problems.push(`${where}: should be rejected at "customer_id" alone, got ${outcome.accepted ? 'accepted' : JSON.stringify(outcome.paths)}`);
      break;
    case 'reject':
      if (outcome.accepted) problems.push(`${where}: should be rejected at ${JSON.stringify([...expect.paths, ...expect.prefixes])}, was accepted`);
      else if (!outcome.paths.every((path) => matchesExpected(path, expect))) problems.push(`${where}: rejected at ${JSON.stringify(outcome.paths)}, expected ${JSON.stringify([...expect.paths, ...expect.prefixes.map((p) => `${p}...`)])}`);
      break;
  }
  return problems;
}

/** Per-event outcomes from the list of rejections; every other event of the body was accepted. */
export function outcomesFrom(body: FuzzBody, errors: readonly ReportedError[]): { outcomes: EventOutcome[]; problems: string[] } {
  const problems: string[] = [];
  const outcomes: EventOutcome[] = [];
  for (const error of errors) {
    if (!body.elements[error.index]) problems.push(`error for index ${error.index}, which is no event of the body: ${JSON.stringify(error)}`);
    if (typeof error.message !== 'string' || error.message === '') problems.push(`error for index ${error.index} has no message`);
  }
  body.elements.forEach((element, index) => {
    if (!element) return;
    const paths = errors.filter((e) => e.index === index).map((e) => e.path);
    outcomes.push({ index, accepted: paths.length === 0, paths });
  });
  return { outcomes, problems };
}

export function checkOutcomes(body: FuzzBody, outcomes: readonly EventOutcome[], layer: Layer): string[] {
  return outcomes.flatMap((outcome) => checkEvent(body.elements[outcome.index]!, outcome, layer));
}

/**
 * An HTTP answer: never a 5xx; a body refused whole with the status and code the generator
 * predicted; otherwise 202 (or 400 when every event was rejected) with counts that add up.
 * Answers the ids the API accepted, for the check of stored rows afterwards.
 */
export function checkHttpAnswer(body: FuzzBody, status: number, answer: IngestAnswer | null): { problems: string[]; accepted: EventOutcome[] } {
  if (status >= 500) return { problems: [`answered ${status}: ${JSON.stringify(answer).slice(0, 500)}`], accepted: [] };
  if (answer === null) return { problems: [`answered ${status} without a JSON body`], accepted: [] };
  if (body.outcome.kind === 'refused') {
    const { status: expectedStatus, codes } = body.outcome;
    const problems = status === expectedStatus && codes.includes(answer.error?.code ?? '') ? [] : [`expected ${expectedStatus} ${codes.join('/')}, got ${status} ${answer.error?.code ?? JSON.stringify(answer).slice(0, 300)}`];
    return { problems, accepted: [] };
  }
  const events = body.elements.filter((e) => e !== null).length;
  if (status !== 202 && !(status === 400 && answer.error?.code === 'validation_failed')) {
    return { problems: [`expected 202, or 400 validation_failed, got ${status} ${JSON.stringify(answer).slice(0, 300)}`], accepted: [] };
  }
  const problems: string[] = [];
  const { outcomes, problems: listed } = outcomesFrom(body, answer.errors);
  problems.push(...listed, ...checkOutcomes(body, outcomes, 'http'));
  const rejectedIndexes = new Set(answer.errors.map((e) => e.index)).size;
  if (answer.rejected !== rejectedIndexes) problems.push(`"rejected" is ${answer.rejected} but ${rejectedIndexes} events have errors`);
  if (answer.accepted + answer.duplicates + answer.rejected !== events) problems.push(`accepted ${answer.accepted} + duplicates ${answer.duplicates} + rejected ${answer.rejected} is not the ${events} events sent`);
  if ((status === 400) !== (answer.accepted + answer.duplicates === 0)) problems.push(`status ${status} with ${answer.accepted} accepted and ${answer.duplicates} duplicates`);
  return { problems, accepted: outcomes.filter((o) => o.accepted) };
}

// --- a run over HTTP, and the rows it must leave ------------------------------------------------

export interface SentBody {
  status: number;
  answer: IngestAnswer | null;
}

/** What a run sent and what the API said it kept: every accepted event's text, by customer and id. */
export interface FuzzTally {
  requests: number;
  events: number;
  accepted: number;
  rejected: number;
  refusedBodies: number;
  statuses: Map<number, number>;
  keptTexts: Map<string, string>;
  problems: string[];
}

export function emptyTally(): FuzzTally {
  return { requests: 0, events: 0, accepted: 0, rejected: 0, refusedBodies: 0, statuses: new Map(), keptTexts: new Map(), problems: [] };
}

const storedKey = (customerId: unknown, id: unknown): string => JSON.stringify([customerId, id]);

/** Sends one body, checks the answer, and adds it to the tally. */
export async function sendFuzzBody(tally: FuzzTally, body: FuzzBody, send: (body: FuzzBody) => Promise<SentBody>): Promise<void> {
  const { status, answer } = await send(body);
  tally.requests++;
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  const { problems, accepted } = checkHttpAnswer(body, status, answer);
  for (const problem of problems) tally.problems.push(`${body.label}, ${body.outcome.kind === 'refused' ? `expected ${body.outcome.status}` : 'per event'}: ${problem}\n    body: ${JSON.stringify(body.body).slice(0, 600)}`);
  if (body.outcome.kind === 'refused') {
    tally.refusedBodies++;
    return;
  }
  tally.events += body.elements.filter((e) => e !== null).length;
  tally.accepted += answer?.accepted ?? 0;
  tally.rejected += answer?.rejected ?? 0;
  for (const outcome of accepted) {
    const text = body.elements[outcome.index]!.text;
    const event = JSON.parse(text) as { customer_id: unknown; id: unknown };
    tally.keptTexts.set(storedKey(event.customer_id, event.id), text);
  }
}

export interface StoredEvent {
  customer_id: string;
  id: string;
  body: unknown;
}

/** JSON's own equality: key order aside, and -0 as 0 (jsonb keeps no sign on zero). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
    return value;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * The rows a run left: exactly the accepted events, once each, each body the event as sent (JSON
 * equality) and still valid.
 */
export function checkStoredEvents(tally: FuzzTally, rows: readonly StoredEvent[]): string[] {
  const problems: string[] = [];
  if (rows.length !== tally.accepted) problems.push(`${rows.length} events stored, ${tally.accepted} accepted`);
  const seen = new Set<string>();
  for (const row of rows) {
    const key = storedKey(row.customer_id, row.id);
    if (seen.has(key)) problems.push(`event ${key} stored twice`);
    seen.add(key);
    const sent = tally.keptTexts.get(key);
    if (sent === undefined) {
      problems.push(`event ${key} stored but never accepted`);
      continue;
    }
    if (!sameJson(row.body, JSON.parse(sent))) problems.push(`event ${key} stored as ${JSON.stringify(row.body).slice(0, 300)}, sent as ${sent.slice(0, 300)}`);
    const validation = switchboardEventSchema.safeParse(row.body);
    if (!validation.success) problems.push(`event ${key} stored with a body that no longer validates: ${JSON.stringify(validation.error.issues).slice(0, 300)}`);
  }
  for (const key of tally.keptTexts.keys()) if (!seen.has(key)) problems.push(`event ${key} accepted but not stored`);
  return problems;
}
