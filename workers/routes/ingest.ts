// The voice platform's side of the API (CONTRACT section 1).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env.ts';
import { ApiError, errorResponse } from '../http/errors.ts';
import { ingestEvents } from '../ingest/ingest-events.ts';
import { authenticateIngestKey } from '../ingest/ingest-key.ts';
import { MAX_BATCH_BYTES } from '../ingest/parse-batch.ts';

async function readUtf8(request: Request): Promise<string> {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(await request.arrayBuffer());
  } catch (error) {
    if (error instanceof TypeError) throw new ApiError('bad_request', 'The body is not valid UTF-8.');
    throw error;
  }
}

export const ingestRoutes = new Hono<AppEnv>().post(
  '/events',
  bodyLimit({
    maxSize: MAX_BATCH_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', 'A request may carry at most 1 MiB (1,048,576 bytes) of events.');
    },
  }),
  async (c) => {
    const grant = await authenticateIngestKey(c.env, c.req.header('authorization'));
    const outcome = await ingestEvents({ env: c.env, grant, body: await readUtf8(c.req.raw), contentType: c.req.header('content-type') ?? null });
    if (outcome.kind === 'buffer_full') {
      const error = new ApiError(
        'service_unavailable',
        'Events are arriving faster than they can be stored. Re-send the whole request after Retry-After seconds: events already stored are recognised as duplicates.',
      );
      return errorResponse(c, error, { 'retry-after': String(outcome.retryAfterSeconds) });
    }
    if (outcome.kind === 'all_rejected') {
      const error = new ApiError('validation_failed', 'Every event in the request was rejected; `errors` says why, per event.');
      return c.json({ ...error.toBody(), ...outcome.answer }, 400);
    }
    return c.json(outcome.answer, 202);
  },
);
