// Switchboard's own health as Prometheus metric families: whether accepted events are reaching
// Postgres (the TenantMeters' durable buffers), how long the Worker takes to answer, how often the
// customer metrics cache answers, and how long the customer metrics refresh takes.
import type { PlatformMetricsView } from '../../durable/platform/live-view.ts';
import { cacheReadResults } from './cache-read-tally.ts';
import { histogramSamples, type MetricFamily } from './exposition.ts';

function ageSeconds(nowMs: number, sinceMs: number | null): number {
  return sinceMs === null ? 0 : Math.max(0, nowMs - sinceMs) / 1000;
}

export function healthMetricFamilies({ nowMs, eventBuffers, requestDurations, cacheReads, refreshes }: Pick<PlatformMetricsView, 'nowMs' | 'eventBuffers' | 'requestDurations' | 'cacheReads' | 'refreshes'>): MetricFamily[] {
  const cacheReadTotal = cacheReadResults.reduce((sum, result) => sum + cacheReads[result], 0);
  const oldest = eventBuffers.reduce<number | null>((min, b) => (b.oldestReceivedMs === null ? min : Math.min(min ?? Infinity, b.oldestReceivedMs)), null);
  const customer = (customerId: string) => ({ customer: customerId });
  return [
    {
      name: 'switchboard_event_buffer_events',
      help: 'Events answered 202 and not yet written to Postgres, over all customers, as their meters last reported.',
      type: 'gauge',
      samples: [{ value: eventBuffers.reduce((sum, b) => sum + b.events, 0) }],
    },
    {
      name: 'switchboard_event_buffer_oldest_age_seconds',
      help: 'Age of the oldest event not yet written to Postgres (the flush lag), over all customers; 0 when every buffer is empty.',
      type: 'gauge',
      samples: [{ value: ageSeconds(nowMs, oldest) }],
    },
    {
      name: 'switchboard_event_flush_failing_customers',
      help: 'Customers whose last attempt to write buffered events to Postgres failed.',
      type: 'gauge',
      samples: [{ value: eventBuffers.filter((b) => b.failedFlushAttempts > 0).length }],
    },
    {
      name: 'switchboard_customer_event_buffer_events',
      help: "Events of the customer answered 202 and not yet written to Postgres, as its meter last reported.",
      type: 'gauge',
      samples: eventBuffers.map((b) => ({ labels: customer(b.customerId), value: b.events })),
    },
    {
      name: 'switchboard_customer_event_buffer_oldest_age_seconds',
      help: "Age of the customer's oldest event not yet written to Postgres; 0 when its buffer is empty.",
      type: 'gauge',
      samples: eventBuffers.map((b) => ({ labels: customer(b.customerId), value: ageSeconds(nowMs, b.oldestReceivedMs) })),
    },
    {
      name: 'switchboard_customer_event_flush_consecutive_failures',
      help: "Attempts in a row that failed to write the customer's buffered events to Postgres; 0 after a success.",
      type: 'gauge',
      samples: eventBuffers.map((b) => ({ labels: customer(b.customerId), value: b.failedFlushAttempts })),
    },
    {
      name: 'switchboard_http_request_duration_seconds',
      help: 'Time the Worker took to answer a request, by registered route pattern, method and status class (time spent waiting on I/O: Workers clocks stand still while code runs).',
      type: 'histogram',
      samples: requestDurations.flatMap((entry) =>
        histogramSamples(
          { route: entry.route, method: entry.method, status_class: entry.statusClass },
          { bounds: entry.histogram.bounds, counts: entry.histogram.counts, sum: entry.histogram.sumSeconds },
        ),
      ),
    },
    {
      name: 'switchboard_customer_cache_reads_total',
      help: 'Customer metrics reads by how the cache answered: hit (Redis), miss (Postgres, then cached), stale (last good copy, Postgres failing), bypass (Redis out of reach or not configured), error (nothing to answer with).',
      type: 'counter',
      samples: cacheReadResults.map((result) => ({ labels: { result }, value: cacheReads[result] })),
    },
    {
      name: 'switchboard_customer_cache_hit_ratio',
      help: 'Customer metrics reads answered from Redis, over all reads counted so far; 0 before the first read. For a recent ratio use rate() of switchboard_customer_cache_reads_total.',
      type: 'gauge',
      samples: [{ value: cacheReadTotal === 0 ? 0 : cacheReads.hit / cacheReadTotal }],
    },
    {
      name: 'switchboard_customer_metrics_refresh_duration_seconds',
      help: 'Time a successful customer metrics refresh (rollups, overview windows, materialized views, cache invalidation) took, hourly cron and POST /api/ops/refresh alike.',
      type: 'histogram',
      samples: histogramSamples({}, { bounds: refreshes.durations.bounds, counts: refreshes.durations.counts, sum: refreshes.durations.sumSeconds }),
    },
    {
      name: 'switchboard_customer_metrics_refresh_failures_total',
      help: 'Customer metrics refreshes that failed (the figures customers see stay as of the last success).',
      type: 'counter',
      samples: [{ value: refreshes.failures }],
    },
    {
      name: 'switchboard_customer_metrics_refresh_age_seconds',
      help: 'Time since the last successful customer metrics refresh finished; 0 before the first.',
      type: 'gauge',
      samples: [{ value: ageSeconds(nowMs, refreshes.lastSuccessMs) }],
    },
  ];
}
