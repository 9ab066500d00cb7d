// Request bodies and queries are parsed with zod schemas; a failure becomes the contract's 400
// with one detail per problem, each naming its field as a JSON path (`cost[0].cost_micros`).
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, type ErrorDetail } from './errors.ts';

export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function issuesToDetails(issues: ReadonlyArray<z.core.$ZodIssue>): ErrorDetail[] {
  return issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError('validation_failed', `The ${what} is not valid.`, issuesToDetails(result.error.issues));
  }
  return result.data;
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new ApiError('unsupported_media_type', 'Send the body as `Content-Type: application/json`.');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError('invalid_json', 'The body is not valid JSON.');
  }
  return parseWith(schema, body, 'request body');
}
