// GET /metrics (CONTRACT section 3): the live values and Switchboard's own health in Prometheus
// text exposition 0.0.4, for an operator's token. Answered by the PlatformMeter alone, so a
// scrape keeps working while Postgres is down. The families are described in docs/metrics.md.
import { Hono } from 'hono';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { AppEnv } from '../env.ts';
import { expositionContentType, formatExposition } from '../metrics/exposition.ts';
import { healthMetricFamilies } from '../metrics/health-metrics.ts';
import { liveMetricFamilies } from '../metrics/live-metrics.ts';

export const metricsRoutes = new Hono<AppEnv>().get('/metrics', async (c) => {
  const view = await platformMeter(c.env).metrics();
  const text = formatExposition([...liveMetricFamilies(view.live, view.regions), ...healthMetricFamilies(view)]);
  return c.body(text, 200, { 'content-type': expositionContentType, 'cache-control': 'no-store' });
});
