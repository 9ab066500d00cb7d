// Paging for the operator's admin lists (logins, audit): `limit` and an opaque `cursor` naming the
// last row of the previous page. The cursor is not signed: an operator may read every row of
// these lists anyway, so an edited cursor can only page from another place; a malformed one is a 400.
import { z } from 'zod';
import { ApiError } from '../http/errors.ts';

export const defaultAdminPageSize = 100;
export const maxAdminPageSize = 500;

export const pageFields = {
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(maxAdminPageSize, `must be at most ${maxAdminPageSize}`))
    .default(defaultAdminPageSize),
  cursor: z.string().min(1).max(1024).optional(),
};

export const pageQuery = z.strictObject(pageFields);

function toBase64Url(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return null;
  }
}

const timedPosition = z.object({ at: z.iso.datetime(), id: z.string().min(1) });
const numberedPosition = z.object({ id: z.string().regex(/^\d{1,19}$/) });

function decode<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  const text = fromBase64Url(cursor);
  let parsed: unknown = null;
  try {
    parsed = text === null ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  const position = schema.safeParse(parsed);
  if (!position.success) throw new ApiError('validation_failed', 'The cursor is not valid.', [{ path: 'cursor', message: 'use next_cursor from a previous page' }]);
  return position.data;
}

/** The place after a row ordered by (time, id), newest first. */
export function encodePageCursor(position: { at: Date; id: string }): string {
  return toBase64Url(JSON.stringify({ at: position.at.toISOString(), id: position.id }));
}

export function decodePageCursor(cursor: string): { at: Date; id: string } {
  const position = decode(cursor, timedPosition);
  return { at: new Date(position.at), id: position.id };
}

/** The place after a row ordered by a bigint id alone, newest first. */
export function encodeIdCursor(id: bigint | number): string {
  return toBase64Url(JSON.stringify({ id: String(id) }));
}

export function decodeIdCursor(cursor: string): bigint {
  return BigInt(decode(cursor, numberedPosition).id);
}
