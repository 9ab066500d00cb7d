// The operator's live view and chart series (CONTRACT section 3, /api/ops/live; /api/ops/series).
import { Hono } from 'hono';
import { z } from 'zod';
import { seriesMetrics } from '../../../analytics/series.ts';
import { platformMeter } from '../../../durable/PlatformMeter.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { acceptsGzip, gzipResponse } from '../../http/gzip.ts';
import { parseWith } from '../../http/validation.ts';
import { readSeries } from '../../live/series.ts';

const region = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a region code like "us" or "eu"');
const liveQuery = z.strictObject({ region: region.optional() });
const maxSeriesSpanMs = 31 * 24 * 3_600_000;
const seriesQuery = z
  .strictObject({
    metric: z.enum(seriesMetrics),
    from: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }),
    to: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }),
    region: region.optional(),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= maxSeriesSpanMs, { path: ['to'], message: 'the range may span at most 31 days' });

export const liveRoutes = new Hono<AppEnv>()
  .get('/live', async (c) => {
    const query = parseWith(liveQuery, c.req.query(), 'query');
    const region = query.region ?? null;
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store', vary: 'Accept-Encoding' };
    if (acceptsGzip(c)) return gzipResponse(await platformMeter(c.env).liveGzip({ region }), headers);
    return c.body(await platformMeter(c.env).liveJson({ region }), 200, headers);
  })
  .get('/series', async (c) => {
    const query = parseWith(seriesQuery, c.req.query(), 'query');
    const series = await readSeries({
      env: c.env,
      db: () => requestDatabase(c),
      metric: query.metric,
      region: query.region ?? null,
      fromMs: Date.parse(query.from),
      toMs: Date.parse(query.to),
    });
    return c.json(series, 200, { 'cache-control': 'no-store' });
  });
