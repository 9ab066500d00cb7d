// Recording upload for the platform (ingest key) and playback for operators.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestDatabase } from '../db/request-database.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { authenticateIngestKey } from '../ingest/ingest-key.ts';
import { maxRecordingBytes, serveRecording, uploadRecording } from '../recordings/recordings.ts';

export const recordingUploadRoutes = new Hono<AppEnv>().put(
  '/:customer_id/:call_id/audio',
  bodyLimit({
    maxSize: maxRecordingBytes,
    onError: () => {
      throw new ApiError('payload_too_large', 'A recording may be at most 50 MiB.');
    },
  }),
  async (c) => {
    const grant = await authenticateIngestKey(c.env, c.req.header('authorization'));
    const stored = await uploadRecording({
      env: c.env,
      db: requestDatabase(c),
      grant,
      customerId: c.req.param('customer_id'),
      callId: c.req.param('call_id'),
      contentType: c.req.header('content-type') ?? null,
      body: await c.req.arrayBuffer(),
    });
    return c.json(stored, 201);
  },
);

export const recordingPlaybackRoutes = new Hono<AppEnv>().get('/:customer_id/:call_id/audio', (c) =>
  serveRecording({
    env: c.env,
    db: requestDatabase(c),
    customerId: c.req.param('customer_id'),
    callId: c.req.param('call_id'),
    range: c.req.header('range'),
  }),
);
