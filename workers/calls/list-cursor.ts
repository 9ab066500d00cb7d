// The call list's opaque `cursor`: the last row's place in its sort order (sort key, customer_id,
// call_id) and the time the first page was read, signed so a cursor that was edited, truncated
// or made for another sort order is refused with a 400 instead of paging from a made-up place.
import { ApiError } from '../http/errors.ts';

export interface ListPosition {
  sort: string;
  /** The sort key as text: epoch microseconds for a time, the integer otherwise; null for '-infinity'. */
  key: string | null;
  customerId: string;
  callId: string;
  /** Pinned by the first page, so the 4 h stale rule reads the same on every page. */
  asOf: Date;
}

const version = 1;
const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A key of its own (not the token secret itself), so a cursor signature is never a token signature. */
function signingKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(`switchboard call-list cursor v${version}:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export async function signCursor(position: ListPosition, secret: string): Promise<string> {
  const payload = encoder.encode(JSON.stringify([version, position.sort, position.key, position.customerId, position.callId, position.asOf.getTime()]));
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(secret), payload));
  return `${toBase64Url(payload)}.${toBase64Url(signature)}`;
}

function invalidCursor(message: string): ApiError {
  return new ApiError('validation_failed', 'The cursor is not valid: pass `next_cursor` from the previous page unchanged.', [{ path: 'cursor', message }]);
}

export async function openCursor(cursor: string, sort: string, secret: string): Promise<ListPosition> {
  const [payloadText, signatureText, ...rest] = cursor.split('.');
  const payload = fromBase64Url(payloadText ?? '');
  const signature = fromBase64Url(signatureText ?? '');
  if (!payload || !signature || rest.length > 0) throw invalidCursor('is not a cursor this list issued');
  if (!(await crypto.subtle.verify('HMAC', await signingKey(secret), signature, payload))) {
    throw invalidCursor('is not a cursor this list issued');
  }
  const fields: unknown = JSON.parse(new TextDecoder().decode(payload));
  if (!Array.isArray(fields) || fields[0] !== version) throw invalidCursor('was issued by another version of this list');
  const [, cursorSort, key, customerId, callId, asOfMs] = fields as unknown[];
  if (typeof cursorSort !== 'string' || typeof customerId !== 'string' || typeof callId !== 'string' || typeof asOfMs !== 'number') {
    throw invalidCursor('is not a cursor this list issued');
  }
  if (key !== null && (typeof key !== 'string' || !/^-?\d+$/.test(key))) throw invalidCursor('is not a cursor this list issued');
  if (cursorSort !== sort) throw invalidCursor(`belongs to sort=${cursorSort}; keep the sort a cursor was issued for, or start again without a cursor`);
  return { sort: cursorSort, key, customerId, callId, asOf: new Date(asOfMs) };
}
