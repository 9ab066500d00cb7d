// The Worker's routes. Routes are thin: parse, take the caller from the verified token, call one
// function, shape the answer. Every failure leaves as the contract's error body.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import { requireRole } from './auth/middleware.ts';
import { minimumSecretLength } from './auth/tokens.ts';
import { closeRequestDatabase } from './db/request-database.ts';
import type { AppEnv } from './env.ts';
import { ApiError, errorResponse } from './http/errors.ts';
import { measureRequests } from './metrics/request-timing.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { loadRoutes } from './routes/load.ts';
import { alertTargetRoutes } from './routes/ops/alert-targets.ts';
import { callRoutes } from './routes/ops/calls.ts';
import { customerRoutes as customerApiRoutes } from './routes/customer.ts';
import { customerRoutes } from './routes/ops/customers.ts';
import { moneyRoutes } from './routes/ops/money.ts';
import { refreshRoutes } from './routes/ops/refresh.ts';
import { ingestKeyRoutes } from './routes/ops/ingest-keys.ts';
import { alertRoutes } from './routes/ops/alerts.ts';
import { auditRoutes } from './routes/ops/audit.ts';
import { lifecycleRoutes } from './routes/ops/lifecycle.ts';
import { tokenRoutes } from './routes/ops/tokens.ts';
import { liveRoutes } from './routes/ops/live.ts';
import { pageRoutes } from './routes/pages.ts';
import { recordingPlaybackRoutes, recordingUploadRoutes } from './routes/recordings.ts';
import { sessionRoutes } from './routes/session.ts';
import { databaseUnavailable } from './db/unavailable.ts';

/** How soon a client may try again when Postgres is out of reach (flushes retry on their own). */
const databaseRetryAfterSeconds = 5;
/** Dashboard API bodies are small; ingestion sets its own, larger limit. */
const apiBodyLimitBytes = 64 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (databaseUnavailable(error)) {
      console.error('database unavailable', c.req.method, new URL(c.req.url).pathname, error);
      return errorResponse(c, new ApiError('service_unavailable', 'The database is out of reach for a moment; try again shortly.'), { 'retry-after': String(databaseRetryAfterSeconds) });
    }
    console.error('unhandled error', c.req.method, new URL(c.req.url).pathname, error);
    return errorResponse(c, new ApiError('internal', 'Something went wrong on our side; it has been logged.'));
  });
  app.notFound((c) => errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`)));

  app.use('*', measureRequests());
  app.use('*', async (c, next) => {
    if (c.env.ENVIRONMENT !== 'development' && (c.env.JWT_SECRET ?? '').length < minimumSecretLength) {
      console.error(`JWT_SECRET is missing or shorter than ${minimumSecretLength} characters: refusing to serve`);
      throw new ApiError('server_misconfigured', 'The server is not configured yet (JWT_SECRET); nothing is served until it is.');
    }
    await next();
  });
  app.use('*', closeRequestDatabase);
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: apiBodyLimitBytes,
      onError: () => {
        throw new ApiError('payload_too_large', `Request bodies are limited to ${apiBodyLimitBytes} bytes.`);
      },
    }),
  );

  app.route('/', healthRoutes);
  app.route('/v1', ingestRoutes);
  app.route('/v1/calls', recordingUploadRoutes);
  app.route('/v1/customers', loadRoutes);
  app.route('/api/session', sessionRoutes);

  app.use('/api/ops/*', requireRole('operator'));
  app.route('/api/ops/customers', customerRoutes);
  app.route('/api/ops/ingest-keys', ingestKeyRoutes);
  app.route('/api/ops/alert-targets', alertTargetRoutes);
  app.route('/api/ops/tokens', tokenRoutes);
  app.route('/api/ops/audit', auditRoutes);
  app.route('/api/ops', lifecycleRoutes);
  app.route('/api/ops', liveRoutes);
  app.route('/api/ops', alertRoutes);
  app.route('/api/ops/calls', recordingPlaybackRoutes);
  app.route('/api/ops', callRoutes);
  app.route('/api/ops', refreshRoutes);
  app.route('/api/ops', moneyRoutes);

  app.use('/metrics', requireRole('operator'));
  app.route('/', metricsRoutes);

  app.use('/api/customer/*', requireRole('customer'));
  // Customer figures change at most hourly: a reload revalidates (`private, no-cache`) and, when
  // nothing changed, costs a 304 instead of the body. Weak, because the edge may recompress.
  app.use('/api/customer/*', etag({ weak: true }));
  app.route('/api/customer', customerApiRoutes);

  app.route('/', pageRoutes);
  return app;
}
