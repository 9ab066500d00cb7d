// Times every request the Worker answers, for switchboard_http_request_duration_seconds. The
// per-request cost is two clock reads, one map lookup and a bucket increment: durations are added
// up per (route, method, status class) in isolate memory and sent to the PlatformMeter at most
// once every few seconds, in the background of whichever request is answered when one is due.
// The customer metrics cache's read counts of the isolate travel with them.
//
// Workers advance their clock only across I/O, so a duration is the request's time waiting on
// Postgres, Redis, Durable Objects and the network, which is what makes a route slow here. A batch
// that cannot be sent is dropped (the next one is not held back), and an isolate that is evicted
// takes its unsent seconds with it: the histogram undercounts a little rather than ever twice.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { statusClass } from '../../analytics/request-durations.ts';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { AppEnv } from '../env.ts';
import { isolateCacheReadTally, type CacheReadTally } from './cache-read-tally.ts';
import { RequestTimingBatch } from './request-timing-batch.ts';

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const isolateBatch = new RequestTimingBatch();

export function measureRequests(batch: RequestTimingBatch = isolateBatch, cacheReads: CacheReadTally = isolateCacheReadTally): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const startedMs = performance.now();
    await next();
    const seconds = (performance.now() - startedMs) / 1000;
    // After next() the route index points at the handler (or the middleware) that answered, so
    // the label is one of the registered patterns: a scan of random paths cannot add series.
    const route = routePath(c) || 'unmatched';
    const method = knownMethods.has(c.req.method) ? c.req.method : 'OTHER';
    batch.observe({ route, method, statusClass: statusClass(c.res.status) }, seconds);
    const due = batch.takeDue(Date.now());
    if (due) {
      c.executionCtx.waitUntil(
        platformMeter(c.env)
          .recordWorkerHealth({ requestDurations: due, cacheReads: cacheReads.take() })
          .catch((error: unknown) => console.error('request durations not recorded', error)),
      );
    }
  };
}
