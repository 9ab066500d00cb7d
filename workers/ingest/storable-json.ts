// An event is stored as received (Postgres jsonb) beside its validated form, and a flush writes a
// tenant's buffered events all or nothing: one event Postgres cannot take would fail every flush
// of that tenant, so nothing after it would ever be stored. JSON allows text that jsonb refuses
// or cannot hold; such an event is refused here, at the path of what is wrong:
// - the NUL character (`\u0000`) in a string or key: Postgres text cannot hold it;
// - an unpaired UTF-16 surrogate (`\ud800` alone): not Unicode, refused by jsonb;
// - nesting deeper than MAX_JSON_DEPTH: Postgres runs out of stack near 20,000 levels, PGlite
//   hangs, and workerd's RPC serializer overflows before either;
// - a number written with more than MAX_NUMBER_LENGTH characters or an exponent of more than
//   three digits (numeric overflows on `0e-99999`), or one a double cannot hold (`1e400`,
//   `1e-400`), which would read differently in the raw event and the validated one.
// The text has already parsed as JSON; this reads it once more, tracking where it is.
import { jsonPath } from '../http/validation.ts';
import type { EventIssue } from './event-issues.ts';

export const MAX_JSON_DEPTH = 100;
export const MAX_NUMBER_LENGTH = 100;

/**
 * Cheap signs that a text may hold something refused: an escape (`\u0000`, `\udXXX`), a literal
 * surrogate, a 3-digit exponent, or a long run of digits (a number over 100 characters has one).
 * Without any of them, and with no more openers than levels allowed, the walk is skipped.
 */
const possiblyUnstorable = /\\u|[\ud800-\udfff]|[eE][+-]?\d{3}|\d{40}/;
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

type Frame = { kind: 'object'; key: string | null; expectingKey: boolean } | { kind: 'array'; index: number };

function openerCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) count++;
  }
  return count;
}

function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains the NUL character (\\u0000), which cannot be stored';
  if (unpairedSurrogate.test(value)) return 'contains an unpaired UTF-16 surrogate (such as \\ud800 alone), which is not Unicode text';
  return null;
}

function numberProblem(literal: string): string | null {
  if (literal.length > MAX_NUMBER_LENGTH) return `is a number written with more than ${MAX_NUMBER_LENGTH} characters`;
  const exponent = /[eE][+-]?(\d+)$/.exec(literal)?.[1] ?? '';
  if (exponent.length > 3) return 'is a number with an exponent of more than 3 digits';
  const value = Number(literal);
  if (!Number.isFinite(value)) return 'is a number too large for a double-precision value (beyond 1.8e308)';
  if (value === 0 && /[1-9]/.test(literal.replace(/[eE].*$/, ''))) return 'is a number too small for a double-precision value (it would read as 0)';
  return null;
}

/** Index just past the string whose opening quote is at `open`. */
function stringEnd(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i += 2;
    else if (code === QUOTE) return i + 1;
    else i++;
  }
  return text.length;
}

function isValueEnd(code: number): boolean {
  return code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** The first thing in a parsed-as-JSON event text that Postgres cannot store as sent, or null. */
export function findUnstorableJson(text: string): EventIssue | null {
  if (!possiblyUnstorable.test(text) && openerCount(text) <= MAX_JSON_DEPTH) return null;
  const stack: Frame[] = [];
  const here = (): string =>
    jsonPath(stack.flatMap((frame): PropertyKey[] => (frame.kind === 'array' ? [frame.index] : frame.key === null ? [] : [frame.key])));

  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (stack.length === MAX_JSON_DEPTH) {
        return { path: here(), message: `nests deeper than ${MAX_JSON_DEPTH} levels (the event itself is the first)` };
      }
      stack.push(code === OPEN_BRACE ? { kind: 'object', key: null, expectingKey: true } : { kind: 'array', index: 0 });
      i++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
      i++;
    } else if (code === COMMA) {
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectingKey = true;
      i++;
    } else if (code === QUOTE) {
      const end = stringEnd(text, i);
      const value = JSON.parse(text.slice(i, end)) as string;
      if (top?.kind === 'object' && top.expectingKey) {
        top.key = value;
        top.expectingKey = false;
        const problem = textProblem(value);
        if (problem) return { path: here(), message: `is a key that ${problem}` };
      } else {
        const problem = textProblem(value);
        if (problem) return { path: here(), message: problem };
      }
      i = end;
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      let end = i + 1;
      while (end < text.length && !isValueEnd(text.charCodeAt(end))) end++;
      const problem = numberProblem(text.slice(i, end));
      if (problem) return { path: here(), message: problem };
      i = end;
    } else {
      // Whitespace, ':' and the letters of true/false/null.
      i++;
    }
  }
  return null;
}
