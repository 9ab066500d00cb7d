// Call recordings (CONTRACT section 1, "Audio"): uploaded by the platform with an ingest key,
// kept in R2 under the call, checked against the sha256 its call.ended declared, and played back
// to operators with range requests so a browser can seek.
import { sql } from 'drizzle-orm';
import type { IngestKeyGrant } from '../../durable/AccessRegistry.ts';
import { tenantMeter } from '../../durable/TenantMeter.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { filterKnownCustomers } from '../ingest/ingest-key.ts';

export const recordingContentTypes = ['audio/wav', 'audio/mpeg', 'audio/ogg'] as const;
export const maxRecordingBytes = 50 * 1024 * 1024;

export function recordingKey(customerId: string, callId: string): string {
  return `recordings/${encodeURIComponent(customerId)}/${encodeURIComponent(callId)}`;
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

type StoredCall = {
  audio_sha256: string | null;
  content_erased_at: string | null;
};

async function storedCall(db: Database, customerId: string, callId: string): Promise<StoredCall | null> {
  const stored = await db.execute<StoredCall>(sql`SELECT audio_sha256, content_erased_at FROM calls WHERE customer_id = ${customerId} AND call_id = ${callId}`);
  return stored.rows[0] ?? null;
}

export interface StoredRecording {
  customer_id: string;
  call_id: string;
  content_type: string;
  bytes: number;
  sha256: string;
}

export async function uploadRecording({ env, db, grant, customerId, callId, contentType, body }: {
  env: Env;
  db: Database;
  grant: IngestKeyGrant;
  customerId: string;
  callId: string;
  contentType: string | null;
  body: ArrayBuffer;
}): Promise<StoredRecording> {
  if (grant.customerId !== null && grant.customerId !== customerId) {
    throw new ApiError('forbidden', `This ingest key is limited to customer "${grant.customerId}".`);
  }
  if (!(await filterKnownCustomers(env, [customerId])).has(customerId)) {
    throw new ApiError('not_found', `No customer "${customerId}".`, [{ path: 'customer_id', message: 'unknown customer' }]);
  }
  if (callId.length < 1 || callId.length > 128) {
    throw new ApiError('validation_failed', 'The call id must be 1-128 characters.', [{ path: 'call_id', message: 'must be 1-128 characters' }]);
  }
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const allowed = recordingContentTypes.find((type) => type === mediaType);
  if (!allowed) throw new ApiError('unsupported_media_type', `Recordings must be ${recordingContentTypes.join(', ')}.`);
  if (body.byteLength === 0) throw new ApiError('bad_request', 'The recording is empty.');
  if (body.byteLength > maxRecordingBytes) throw new ApiError('payload_too_large', 'A recording may be at most 50 MiB.');

  const call = await storedCall(db, customerId, callId);
  if (call?.content_erased_at) {
    throw new ApiError('conflict', `The content of call "${callId}" was erased; its recording is not accepted.`);
  }
  const sha256 = await sha256Hex(body);
  const declared = (await tenantMeter(env, customerId).declaredRecordingSha256(callId)) ?? call?.audio_sha256 ?? null;
  if (declared && declared !== sha256) {
    throw new ApiError('unprocessable', `The recording's sha256 (${sha256}) differs from the one its call.ended declared (${declared}); nothing was stored.`, [
      { path: 'audio.sha256', message: 'does not match the uploaded bytes' },
    ]);
  }
  const key = recordingKey(customerId, callId);
  await env.RECORDINGS.put(key, body, { httpMetadata: { contentType: allowed }, customMetadata: { sha256 } });
  await db.execute(sql`
    INSERT INTO calls (customer_id, call_id, audio_key, audio_content_type)
    VALUES (${customerId}, ${callId}, ${key}, ${allowed})
    ON CONFLICT (customer_id, call_id) DO UPDATE SET audio_key = excluded.audio_key, audio_content_type = excluded.audio_content_type, updated_at = now()`);
  return { customer_id: customerId, call_id: callId, content_type: allowed, bytes: body.byteLength, sha256 };
}

type RangeRequest = { kind: 'whole' } | { kind: 'part'; offset: number; length: number } | { kind: 'unsatisfiable' };

/** A single `Range: bytes=a-b` header (the form browsers send when seeking). */
function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) throw new ApiError('bad_request', 'Only a single `bytes=start-end` range is supported.');
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? { kind: 'unsatisfiable' } : { kind: 'part', offset: size - suffix, length: suffix };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'part', offset: start, length: end - start + 1 };
}

export async function serveRecording({ env, db, customerId, callId, range }: {
  env: Env;
  db: Database;
  customerId: string;
  callId: string;
  range: string | undefined;
}): Promise<Response> {
  const call = await db.execute<{ audio_key: string | null; content_erased_at: string | null }>(
    sql`SELECT audio_key, content_erased_at FROM calls WHERE customer_id = ${customerId} AND call_id = ${callId}`,
  );
  const row = call.rows[0];
  if (!row || row.content_erased_at !== null || !row.audio_key) throw new ApiError('not_found', 'This call has no recording.');
  const head = await env.RECORDINGS.head(row.audio_key);
  if (!head) throw new ApiError('not_found', 'This call has no recording.');
  const wanted = parseRange(range, head.size);
  if (wanted.kind === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${head.size}` } });
  }
  const object = await env.RECORDINGS.get(row.audio_key, wanted.kind === 'part' ? { range: { offset: wanted.offset, length: wanted.length } } : {});
  if (!object) throw new ApiError('not_found', 'This call has no recording.');
  const headers = new Headers({
    'content-type': head.httpMetadata?.contentType ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=300',
    etag: head.httpEtag,
  });
  if (wanted.kind === 'part') {
    headers.set('content-range', `bytes ${wanted.offset}-${wanted.offset + wanted.length - 1}/${head.size}`);
    headers.set('content-length', String(wanted.length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set('content-length', String(head.size));
  return new Response(object.body, { status: 200, headers });
}
