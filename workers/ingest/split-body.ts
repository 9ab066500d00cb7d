// Cuts a request body into the text of each event exactly as the sender wrote it, so an event's
// size is measured on its received bytes and its raw text is stored unchanged (unknown fields,
// number spellings and escapes included). Nothing here parses JSON values: each piece goes
// through JSON.parse afterwards, which is what proves the whole body well formed.

export interface EventText {
  /** The element's position in the array, or the 0-based line number in NDJSON. */
  index: number;
  text: string;
}

export type SplitResult =
  | { ok: true; events: EventText[] }
  | { ok: false; problem: 'not_an_array' | 'malformed'; message: string };

const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// Only JSON's four whitespace characters: String#trim would also drop characters JSON.parse refuses.
function isJsonWhitespace(code: number): boolean {
  return code === SPACE || code === LINE_FEED || code === CARRIAGE_RETURN || code === TAB;
}

function skipWhitespace(body: string, from: number): number {
  let i = from;
  while (i < body.length && isJsonWhitespace(body.charCodeAt(i))) i++;
  return i;
}

function trimJsonWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isJsonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isJsonWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Index just past the closing quote of the string opening at `openQuote`, or -1 if unterminated. */
function skipString(body: string, openQuote: number): number {
  let quote = openQuote;
  for (;;) {
    quote = body.indexOf('"', quote + 1);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (body.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

/**
 * Index of the `,` or `]` that ends the array element starting at `from`, or -1 if the body ends
 * first or closes a brace it never opened. Inside an element brackets and braces are only
 * counted, not matched: a mismatch there makes the element fail JSON.parse, where it is reported.
 */
function findElementEnd(body: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < body.length) {
    const code = body.charCodeAt(i);
    if (code === QUOTE) {
      i = skipString(body, i);
      if (i === -1) return -1;
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (depth === 0) return code === CLOSE_BRACKET ? i : -1;
      depth--;
    } else if (code === COMMA && depth === 0) return i;
    i++;
  }
  return -1;
}

/**
 * The top-level elements of a JSON array body, each without its surrounding whitespace. A body
 * of only whitespace has no elements, like `[]`.
 */
export function splitJsonArray(body: string): SplitResult {
  let i = skipWhitespace(body, 0);
  if (i === body.length) return { ok: true, events: [] };
  if (body.charCodeAt(i) !== OPEN_BRACKET) {
    const message = 'The body must be a JSON array of events; to send one event, wrap it in [ ].';
    return { ok: false, problem: 'not_an_array', message };
  }
  i = skipWhitespace(body, i + 1);
  const events: EventText[] = [];
  if (body.charCodeAt(i) !== CLOSE_BRACKET) {
    for (;;) {
      const end = findElementEnd(body, i);
      if (end === -1) {
        const message = `The body is not a well-formed JSON array: element ${events.length} is unterminated or unbalanced.`;
        return { ok: false, problem: 'malformed', message };
      }
      const text = trimJsonWhitespace(body.slice(i, end));
      if (text === '') {
        return { ok: false, problem: 'malformed', message: `The body is not valid JSON: the array has an empty element at index ${events.length}.` };
      }
      events.push({ index: events.length, text });
      i = skipWhitespace(body, end + 1);
      if (body.charCodeAt(end) === CLOSE_BRACKET) break;
    }
  } else {
    i = skipWhitespace(body, i + 1);
  }
  if (i !== body.length) return { ok: false, problem: 'malformed', message: 'The body is not valid JSON: there is text after the closing ] of the array.' };
  return { ok: true, events };
}

/** The non-blank lines of an NDJSON body; blank lines are skipped but still numbered. */
export function splitNdjson(body: string): EventText[] {
  const events: EventText[] = [];
  const lines = body.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const text = trimJsonWhitespace(lines[index] ?? '');
    if (text !== '') events.push({ index, text });
  }
  return events;
}

/** UTF-8 length without encoding; a lone surrogate counts as the 3 bytes of U+FFFD it becomes. */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 2; // two UTF-16 units, four bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
