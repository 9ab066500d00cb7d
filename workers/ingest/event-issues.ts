// Zod's issues, worded for the people who read an ingestion response. Field-specific wording
// lives on the schemas (event-schema.ts); this is what every other field says.
import type * as z from 'zod';
import { jsonPath } from '../http/validation.ts';
import { EVENT_TYPES } from './event-schema.ts';

export interface EventIssue {
  path: string;
  message: string;
}

/** Enough for a sender to fix the event, short enough to read. */
export const MAX_ISSUES_PER_EVENT = 3;

const MAX_INTEGER_TEXT = `${Number.MAX_SAFE_INTEGER} (2^53 - 1)`;

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** The error map passed to `safeParse`: one plain sentence per issue. */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return 'must be a finite number';
      return `must be ${typeNames[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      if (issue.input === undefined) return `is required (one of: ${issue.values.join(', ')})`;
      return `must be one of: ${issue.values.join(', ')}`;
    case 'invalid_union':
      // Only the discriminated union of event types can fail this way.
      return `must be one of the event types: ${EVENT_TYPES.join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      }
      return issue.minimum === 0 ? 'must not be negative' : `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return issue.maximum === Number.MAX_SAFE_INTEGER ? `must be at most ${MAX_INTEGER_TEXT}` : `must be at most ${issue.maximum}`;
    default:
      return issue.message ?? 'is not valid';
  }
}

/**
 * The first issue per path, at most MAX_ISSUES_PER_EVENT of them. Zod checks a field's rules in
 * the order they are declared (emptiness and length before the pattern), so the first issue at a
 * path is the most telling one.
 */
export function summarizeIssues(issues: ReadonlyArray<z.core.$ZodIssue>): EventIssue[] {
  const summary: EventIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = jsonPath(issue.path);
    if (seen.has(path)) continue;
    seen.add(path);
    summary.push({ path, message: issue.message });
    if (summary.length === MAX_ISSUES_PER_EVENT) break;
  }
  return summary;
}
