// Columnar time series for the operator's charts: 10-second points from the PlatformMeter for
// ranges inside the live hour, minute or hour points from Postgres beyond it, same metric names.
import { sql } from 'drizzle-orm';
import { chartStepMs, hourWindowMs, liveAsOf } from '../../analytics/live-window.ts';
import { seriesValue, type SeriesMetric } from '../../analytics/series.ts';
import { platformMeter } from '../../durable/PlatformMeter.ts';
import type { Queryable } from '../db/client.ts';

export interface Series {
  metric: SeriesMetric;
  region: string | null;
  resolution_s: number;
  source: 'live' | 'stored';
  t: string[];
  values: Array<number | null>;
}

const minuteMs = 60_000;
const hourMs = 3_600_000;

/** Stored history: ended calls by their ended_at, turns by their ts, in minute or hour steps. */
async function storedSeries(db: Queryable, metric: SeriesMetric, region: string | null, fromMs: number, toMs: number, stepMs: number): Promise<Map<number, number | null>> {
  const step = stepMs === minuteMs ? 'minute' : 'hour';
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const regionFilter = region === null ? sql`` : sql` AND c.region = ${region}`;
  const quantile = (column: string, q: number) => sql`
    SELECT date_trunc(${step}, t.ts) AS at,
           (array_agg(t.${sql.raw(column)} ORDER BY t.${sql.raw(column)}))[floor(${q} * (count(*) - 1))::int + 1]::float8 AS value
    FROM call_turns t JOIN calls c USING (customer_id, call_id)
    WHERE t.ts >= ${from} AND t.ts < ${to}${regionFilter}
    GROUP BY 1`;
  const perCall = (expression: ReturnType<typeof sql>, timeColumn: 'started_at' | 'ended_at' = 'ended_at') => sql`
    SELECT date_trunc(${step}, c.${sql.raw(timeColumn)}) AS at, ${expression} AS value
    FROM calls c
    WHERE c.${sql.raw(timeColumn)} >= ${from} AND c.${sql.raw(timeColumn)} < ${to}${regionFilter}
    GROUP BY 1`;
  const queries: Record<SeriesMetric, ReturnType<typeof sql>> = {
    calls_started: perCall(sql`count(*)::float8`, 'started_at'),
    calls_ended: perCall(sql`count(*)::float8`),
    success_rate: perCall(sql`(count(*) FILTER (WHERE c.status <> 'failed'))::float8 / count(*)`),
    error_rate: perCall(sql`(count(*) FILTER (WHERE c.status = 'failed' OR c.error_count > 0))::float8 / count(*)`),
    tool_failure_rate: perCall(sql`CASE WHEN sum(c.tool_call_count) = 0 THEN NULL ELSE sum(c.tool_failure_count)::float8 / sum(c.tool_call_count) END`),
    escalation_rate: perCall(sql`(count(*) FILTER (WHERE c.escalated))::float8 / count(*)`),
    e2e_p50_ms: quantile('e2e_ms', 0.5),
    e2e_p95_ms: quantile('e2e_ms', 0.95),
    e2e_p99_ms: quantile('e2e_ms', 0.99),
    stt_p95_ms: quantile('stt_ms', 0.95),
    llm_p95_ms: quantile('llm_ms', 0.95),
    tts_p95_ms: quantile('tts_ms', 0.95),
    ttfa_p95_ms: perCall(sql`(array_agg(c.ttfa_ms ORDER BY c.ttfa_ms) FILTER (WHERE c.ttfa_ms IS NOT NULL))[floor(0.95 * (count(c.ttfa_ms) - 1))::int + 1]::float8`),
    cost_micros: perCall(sql`sum(c.billed_micros)::float8`),
    provider_cost_micros: perCall(sql`sum(c.provider_cost_micros)::float8`),
  };
  const result = await db.execute<{ at: string | Date; value: number | null }>(sql`SELECT at, value FROM (${queries[metric]}) q ORDER BY at`);
  return new Map(result.rows.map((row) => [new Date(row.at).getTime(), row.value === null ? null : Number(row.value)]));
}

export async function readSeries({ env, db, metric, region, fromMs, toMs, nowMs = Date.now() }: {
  env: Env;
  db: () => Queryable;
  metric: SeriesMetric;
  region: string | null;
  fromMs: number;
  toMs: number;
  nowMs?: number;
}): Promise<Series> {
  const liveStartMs = liveAsOf(nowMs) - hourWindowMs;
  if (fromMs >= liveStartMs) {
    // Only whole points: the newest ends at or before as_of, so it holds completed buckets only.
    const completeMs = Math.floor(liveAsOf(nowMs) / chartStepMs) * chartStepMs;
    const points = await platformMeter(env).points({ region, fromMs, toMs: Math.min(toMs, completeMs), stepMs: chartStepMs });
    return {
      metric,
      region,
      resolution_s: chartStepMs / 1000,
      source: 'live',
      t: points.map((p) => new Date(p.startMs).toISOString()),
      values: points.map((p) => seriesValue(metric, p.bucket)),
    };
  }
  const stepMs = toMs - fromMs <= 6 * hourMs ? minuteMs : hourMs;
  const points = await storedSeries(db(), metric, region, fromMs, toMs, stepMs);
  const t: string[] = [];
  const values: Array<number | null> = [];
  const zeroWhenEmpty = metric === 'calls_started' || metric === 'calls_ended' || metric === 'cost_micros' || metric === 'provider_cost_micros';
  for (let at = Math.floor(fromMs / stepMs) * stepMs; at < toMs; at += stepMs) {
    t.push(new Date(at).toISOString());
    values.push(points.get(at) ?? (zeroWhenEmpty ? 0 : null));
  }
  return { metric, region, resolution_s: stepMs / 1000, source: 'stored', t, values };
}
