-- Customer metrics whose refresh costs what changed, not what is stored (issue "Customer
-- metrics", measured by `npm run bench -- customer`). Until now every refresh recomputed the
-- overview's four windows for every customer and the 90-day daily series for every customer
-- (REFRESH MATERIALIZED VIEW CONCURRENTLY recomputes a view whole, then diffs it), so its cost
-- grew with the customers and the history. Now:
-- - the daily rollups are a table, upserted for the (customer, day) pairs whose hours changed;
-- - each customer's overview windows are a row of customer_overview_totals, recomputed only for
--   customers whose calls changed or who had calls in the slices the windows slid over since the
--   last refresh (whole days from the daily rollups, whole hours from the hourly ones, the
--   partial hours at the edges straight from calls), so windows stay exact to the instant;
-- - what is the same for every customer (as_of, the month, uptime, whether days are reconciled)
--   is a one-row materialized view, cheap to refresh concurrently.
-- Sums that grow without bound (billed micros, durations over a month) are numeric, never a
-- bigint that could overflow. docs/decisions/0005-customer-metrics.md explains the design.

-- --- the old whole-population views go ---------------------------------------------------------
DROP VIEW customer_overview_v2;
DROP MATERIALIZED VIEW mv_customer_overview_v2;
DROP VIEW customer_daily_v1;
DROP MATERIALIZED VIEW mv_customer_daily_v1;
DROP FUNCTION customer_window_totals(timestamptz, timestamptz);

-- --- sums that grow: numeric, which cannot overflow (a bigint sum would fail the whole refresh) ---
ALTER TABLE customer_hourly_rollups
  ALTER COLUMN duration_ms_sum TYPE numeric,
  ALTER COLUMN provider_cost_micros TYPE numeric,
  ALTER COLUMN billed_micros TYPE numeric,
  ALTER COLUMN billed_minutes TYPE numeric,
  ALTER COLUMN fee_micros TYPE numeric;

-- --- indexes the incremental work needs -------------------------------------------------------
-- One (customer, hour) of calls or feedback is an index range, not a scan of the customer's history.
CREATE INDEX calls_customer_ended ON calls (customer_id, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX call_feedback_customer_ts ON call_feedback (customer_id, ts);
-- The refresh takes dirty hours oldest first, and finds who had calls in a given hour.
CREATE INDEX rollup_dirty_hours_by_hour ON rollup_dirty_hours (hour, customer_id);
CREATE INDEX customer_hourly_rollups_by_hour ON customer_hourly_rollups (hour);

-- --- daily rollups: sums of the hourly ones, per customer per UTC day --------------------------
CREATE TABLE customer_daily_rollups (
  customer_id text NOT NULL,
  day date NOT NULL,
  calls integer NOT NULL,
  completed integer NOT NULL,
  failed integer NOT NULL,
  abandoned integer NOT NULL,
  with_error integer NOT NULL,
  escalated integer NOT NULL,
  task_success integer NOT NULL,
  task_known integer NOT NULL,
  duration_ms_sum numeric NOT NULL,
  billed_micros numeric NOT NULL,
  csat_sum integer NOT NULL,
  csat_count integer NOT NULL,
  PRIMARY KEY (customer_id, day)
);
CREATE INDEX customer_daily_rollups_by_day ON customer_daily_rollups (day);
INSERT INTO customer_daily_rollups
SELECT customer_id, (hour AT TIME ZONE 'UTC')::date, sum(calls), sum(completed), sum(failed), sum(abandoned), sum(with_error), sum(escalated),
       sum(task_success), sum(task_known), sum(duration_ms_sum), sum(billed_micros), sum(csat_sum), sum(csat_count)
FROM customer_hourly_rollups GROUP BY 1, 2;

-- Customers whose rollups changed since their overview row was computed.
CREATE TABLE customer_overview_dirty (customer_id text PRIMARY KEY);
INSERT INTO customer_overview_dirty SELECT DISTINCT customer_id FROM customer_hourly_rollups;

-- The refresh now also rewrites the daily rows of the days it touched and marks their customers;
-- the hours are recomputed with one grouped join (an index range per hour), not a query per hour.
CREATE OR REPLACE FUNCTION refresh_rollups(max_items integer) RETURNS TABLE (hours integer, minutes integer) LANGUAGE plpgsql AS $$
DECLARE
  hour_count integer;
  minute_count integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS refreshing_hours (customer_id text, hour timestamptz) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS refreshing_minutes (minute timestamptz) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS refreshing_days (customer_id text, day date) ON COMMIT DELETE ROWS;
  DELETE FROM refreshing_hours;
  DELETE FROM refreshing_minutes;
  DELETE FROM refreshing_days;

  WITH taken AS (
    DELETE FROM rollup_dirty_hours d
    WHERE (d.customer_id, d.hour) IN (SELECT customer_id, hour FROM rollup_dirty_hours ORDER BY hour, customer_id LIMIT max_items)
    RETURNING d.customer_id, d.hour
  )
  INSERT INTO refreshing_hours SELECT customer_id, hour FROM taken;
  GET DIAGNOSTICS hour_count = ROW_COUNT;
  -- The plans below differ between a few dirty hours (index ranges) and a backlog (hash joins).
  ANALYZE refreshing_hours;

  DELETE FROM customer_hourly_rollups r USING refreshing_hours h WHERE r.customer_id = h.customer_id AND r.hour = h.hour;
  INSERT INTO customer_hourly_rollups (customer_id, hour, calls, completed, failed, abandoned, with_error, escalated, task_success,
    task_known, duration_ms_sum, provider_cost_micros, billed_micros, csat_sum, csat_count, billed_minutes, fee_micros)
  SELECT h.customer_id, h.hour,
         coalesce(c.calls, 0), coalesce(c.completed, 0), coalesce(c.failed, 0), coalesce(c.abandoned, 0), coalesce(c.with_error, 0),
         coalesce(c.escalated, 0), coalesce(c.task_success, 0), coalesce(c.task_known, 0), coalesce(c.duration_ms_sum, 0),
         coalesce(c.provider_cost_micros, 0), coalesce(c.billed_micros, 0), coalesce(f.csat_sum, 0), coalesce(f.csat_count, 0),
         coalesce(c.billed_minutes, 0), coalesce(c.fee_micros, 0)
  FROM refreshing_hours h
  LEFT JOIN (
    SELECT r.customer_id, r.hour,
           count(*) AS calls,
           count(*) FILTER (WHERE c.status = 'completed') AS completed,
           count(*) FILTER (WHERE c.status = 'failed') AS failed,
           count(*) FILTER (WHERE c.status = 'abandoned') AS abandoned,
           count(*) FILTER (WHERE c.status = 'failed' OR c.error_count > 0) AS with_error,
           count(*) FILTER (WHERE c.escalated) AS escalated,
           count(*) FILTER (WHERE c.task_success) AS task_success,
           count(c.task_success) AS task_known,
           sum(coalesce(c.duration_ms, 0)) AS duration_ms_sum,
           sum(c.provider_cost_micros) AS provider_cost_micros,
           sum(c.billed_micros) AS billed_micros,
           sum((coalesce(c.duration_ms, 0) + 59999) / 60000) AS billed_minutes,
           sum((coalesce(c.duration_ms, 0) + 59999) / 60000 * coalesce(c.fee_per_minute_micros, 0)) AS fee_micros
    FROM refreshing_hours r
    JOIN calls c ON c.customer_id = r.customer_id AND c.ended_at >= r.hour AND c.ended_at < r.hour + interval '1 hour'
    GROUP BY r.customer_id, r.hour
  ) c ON c.customer_id = h.customer_id AND c.hour = h.hour
  LEFT JOIN (
    SELECT r.customer_id, r.hour, sum(f.csat) AS csat_sum, count(*) AS csat_count
    FROM refreshing_hours r
    JOIN call_feedback f ON f.customer_id = r.customer_id AND f.ts >= r.hour AND f.ts < r.hour + interval '1 hour'
    GROUP BY r.customer_id, r.hour
  ) f ON f.customer_id = h.customer_id AND f.hour = h.hour
  WHERE coalesce(c.calls, 0) > 0 OR coalesce(f.csat_count, 0) > 0;

  INSERT INTO refreshing_days SELECT DISTINCT customer_id, (hour AT TIME ZONE 'UTC')::date FROM refreshing_hours;
  DELETE FROM customer_daily_rollups d USING refreshing_days r WHERE d.customer_id = r.customer_id AND d.day = r.day;
  INSERT INTO customer_daily_rollups
  SELECT r.customer_id, r.day, sum(h.calls), sum(h.completed), sum(h.failed), sum(h.abandoned), sum(h.with_error), sum(h.escalated),
         sum(h.task_success), sum(h.task_known), sum(h.duration_ms_sum), sum(h.billed_micros), sum(h.csat_sum), sum(h.csat_count)
  FROM refreshing_days r
  JOIN customer_hourly_rollups h
    ON h.customer_id = r.customer_id AND h.hour >= (r.day::timestamp AT TIME ZONE 'UTC') AND h.hour < ((r.day + 1)::timestamp AT TIME ZONE 'UTC')
  GROUP BY r.customer_id, r.day;
  INSERT INTO customer_overview_dirty SELECT DISTINCT customer_id FROM refreshing_hours ON CONFLICT DO NOTHING;

  WITH taken AS (
    DELETE FROM rollup_dirty_minutes d
    WHERE d.minute IN (SELECT minute FROM rollup_dirty_minutes ORDER BY minute LIMIT max_items)
    RETURNING d.minute
  )
  INSERT INTO refreshing_minutes SELECT minute FROM taken;
  GET DIAGNOSTICS minute_count = ROW_COUNT;

  DELETE FROM platform_minute_rollups p USING refreshing_minutes m WHERE p.minute = m.minute;
  INSERT INTO platform_minute_rollups
  SELECT m.minute, count(c.call_id), count(c.call_id) FILTER (WHERE c.status = 'failed')
  FROM refreshing_minutes m
  JOIN calls c ON c.ended_at >= m.minute AND c.ended_at < m.minute + interval '1 minute'
  GROUP BY m.minute;

  RETURN QUERY SELECT hour_count, minute_count;
END
$$;

-- --- one window's totals for some customers ----------------------------------------------------
-- The first instant at or after ts that starts a UTC `unit` ('hour' or 'day').
CREATE FUNCTION utc_ceil(unit text, ts timestamptz) RETURNS timestamptz LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT CASE WHEN date_trunc(unit, ts, 'UTC') = ts THEN ts ELSE date_trunc(unit, ts, 'UTC') + ('1 ' || unit)::interval END
$$;

-- Totals over [from_ts, to_ts) for the given customers (a customer with nothing in it has no
-- row): whole UTC days from the daily rollups, the whole hours either side of them from the
-- hourly rollups, and the partial hours at either edge straight from calls and feedback, so the
-- window is exact to the instant and costs at most two days of hours per customer.
CREATE FUNCTION customer_window_totals_of(ids text[], from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (
  customer_id text, calls bigint, completed bigint, failed bigint, abandoned bigint, with_error bigint, escalated bigint,
  task_success bigint, task_known bigint, duration_ms_sum numeric, billed_micros numeric, csat_sum bigint, csat_count bigint
) LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  WITH hours AS (
    SELECT least(to_ts, utc_ceil('hour', from_ts)) AS first_hour,
           greatest(least(to_ts, utc_ceil('hour', from_ts)), date_trunc('hour', to_ts, 'UTC')) AS end_hour
  ),
  bounds AS (
    SELECT first_hour, end_hour,
           least(end_hour, utc_ceil('day', first_hour)) AS first_day,
           greatest(least(end_hour, utc_ceil('day', first_hour)), date_trunc('day', end_hour, 'UTC')) AS end_day
    FROM hours
  ),
  parts AS (
    SELECT d.customer_id, d.calls::bigint AS calls, d.completed::bigint AS completed, d.failed::bigint AS failed, d.abandoned::bigint AS abandoned,
           d.with_error::bigint AS with_error, d.escalated::bigint AS escalated, d.task_success::bigint AS task_success, d.task_known::bigint AS task_known,
           d.duration_ms_sum, d.billed_micros, d.csat_sum::bigint AS csat_sum, d.csat_count::bigint AS csat_count
    FROM bounds b
    JOIN customer_daily_rollups d
      ON d.customer_id = ANY (ids) AND d.day >= (b.first_day AT TIME ZONE 'UTC')::date AND d.day < (b.end_day AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT h.customer_id, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known,
           h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count
    FROM bounds b
    CROSS JOIN LATERAL (VALUES (b.first_hour, b.first_day), (b.end_day, b.end_hour)) s (span_from, span_to)
    JOIN customer_hourly_rollups h ON h.customer_id = ANY (ids) AND h.hour >= s.span_from AND h.hour < s.span_to
    UNION ALL
    SELECT c.customer_id, 1, (c.status = 'completed')::int, (c.status = 'failed')::int, (c.status = 'abandoned')::int,
           (c.status = 'failed' OR c.error_count > 0)::int, coalesce(c.escalated, false)::int, coalesce(c.task_success, false)::int,
           (c.task_success IS NOT NULL)::int, coalesce(c.duration_ms, 0), c.billed_micros, 0, 0
    FROM bounds b
    CROSS JOIN LATERAL (VALUES (from_ts, b.first_hour), (b.end_hour, to_ts)) s (span_from, span_to)
    JOIN calls c ON c.ended_at >= s.span_from AND c.ended_at < s.span_to AND c.customer_id = ANY (ids)
    UNION ALL
    SELECT f.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM bounds b
    CROSS JOIN LATERAL (VALUES (from_ts, b.first_hour), (b.end_hour, to_ts)) s (span_from, span_to)
    JOIN call_feedback f ON f.ts >= s.span_from AND f.ts < s.span_to AND f.customer_id = ANY (ids)
  )
  SELECT customer_id, sum(calls)::bigint, sum(completed)::bigint, sum(failed)::bigint, sum(abandoned)::bigint, sum(with_error)::bigint,
         sum(escalated)::bigint, sum(task_success)::bigint, sum(task_known)::bigint, sum(duration_ms_sum), sum(billed_micros),
         sum(csat_sum)::bigint, sum(csat_count)::bigint
  FROM parts GROUP BY customer_id
$$;

-- --- per-customer overview windows, recomputed for the customers whose figures moved -----------
-- Provider cost never enters: beside the billed amount it would reveal the markup.
CREATE TABLE customer_overview_totals (
  customer_id text PRIMARY KEY,
  month_totals jsonb,
  last7_totals jsonb,
  prev7_totals jsonb,
  full7_billed_micros numeric NOT NULL
);
-- The instant the rows above were computed for (one row).
CREATE TABLE customer_overview_refreshes (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  as_of timestamptz NOT NULL
);

-- Recomputes, as of now(), the windows of every customer whose figures can differ from the last
-- refresh: rollups changed (customer_overview_dirty), or calls or feedback in the span one of the
-- sliding windows entered or left since then (read from calls and feedback by time, exactly), or (on a new UTC day) in a day the last-7-full-days
-- window entered or left. A new month, a first run or a gap over 7 days recomputes everyone with
-- a row or a rollup in the windows. Answers how many customers it recomputed.
CREATE FUNCTION refresh_customer_overview() RETURNS integer LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  refreshed_at timestamptz := now();
  month_begins timestamptz := date_trunc('month', now(), 'UTC');
  today_begins timestamptz := date_trunc('day', now(), 'UTC');
  previous_at timestamptz;
  ids text[];
BEGIN
  SELECT r.as_of INTO previous_at FROM customer_overview_refreshes r;
  IF previous_at IS NULL OR previous_at > refreshed_at OR date_trunc('month', previous_at, 'UTC') <> month_begins
     OR refreshed_at - previous_at > interval '7 days' THEN
    ids := ARRAY(
      SELECT t.customer_id FROM customer_overview_totals t
      UNION SELECT d.customer_id FROM customer_overview_dirty d
      UNION SELECT r.customer_id FROM customer_daily_rollups r
            WHERE r.day >= (least(month_begins, refreshed_at - interval '14 days') AT TIME ZONE 'UTC')::date
    );
  ELSE
    ids := ARRAY(
      SELECT d.customer_id FROM customer_overview_dirty d
      UNION SELECT c.customer_id
            FROM (VALUES (previous_at - interval '14 days', refreshed_at - interval '14 days'),
                         (previous_at - interval '7 days', refreshed_at - interval '7 days'),
                         (previous_at, refreshed_at)) s (slid_from, slid_to)
            JOIN calls c ON c.ended_at >= s.slid_from AND c.ended_at < s.slid_to
      UNION SELECT f.customer_id
            FROM (VALUES (previous_at - interval '14 days', refreshed_at - interval '14 days'),
                         (previous_at - interval '7 days', refreshed_at - interval '7 days'),
                         (previous_at, refreshed_at)) s (slid_from, slid_to)
            JOIN call_feedback f ON f.ts >= s.slid_from AND f.ts < s.slid_to
      UNION SELECT r.customer_id
            FROM (VALUES ((previous_at AT TIME ZONE 'UTC')::date - 7, (refreshed_at AT TIME ZONE 'UTC')::date - 7),
                         ((previous_at AT TIME ZONE 'UTC')::date, (refreshed_at AT TIME ZONE 'UTC')::date)) s (slid_from, slid_to)
            JOIN customer_daily_rollups r ON r.day >= s.slid_from AND r.day < s.slid_to
    );
  END IF;

  DELETE FROM customer_overview_totals t WHERE t.customer_id = ANY (ids);
  INSERT INTO customer_overview_totals (customer_id, month_totals, last7_totals, prev7_totals, full7_billed_micros)
  SELECT c.id, to_jsonb(m) - 'customer_id', to_jsonb(l) - 'customer_id', to_jsonb(p) - 'customer_id', coalesce(f.billed_micros, 0)
  FROM unnest(ids) c (id)
  LEFT JOIN customer_window_totals_of(ids, month_begins, month_begins + interval '1 month') m ON m.customer_id = c.id
  LEFT JOIN customer_window_totals_of(ids, refreshed_at - interval '7 days', refreshed_at) l ON l.customer_id = c.id
  LEFT JOIN customer_window_totals_of(ids, refreshed_at - interval '14 days', refreshed_at - interval '7 days') p ON p.customer_id = c.id
  LEFT JOIN customer_window_totals_of(ids, today_begins - interval '7 days', today_begins) f ON f.customer_id = c.id
  WHERE m.customer_id IS NOT NULL OR l.customer_id IS NOT NULL OR p.customer_id IS NOT NULL OR f.customer_id IS NOT NULL;

  DELETE FROM customer_overview_dirty;
  INSERT INTO customer_overview_refreshes (singleton, as_of) VALUES (true, refreshed_at)
  ON CONFLICT (singleton) DO UPDATE SET as_of = EXCLUDED.as_of;
  RETURN cardinality(ids);
END
$$;

-- --- what every customer's overview shares: one row, refreshed concurrently --------------------
CREATE MATERIALIZED VIEW mv_platform_overview_v1 AS
WITH bounds AS (
  SELECT now() AS as_of,
         date_trunc('month', now(), 'UTC') AS month_start,
         date_trunc('day', now(), 'UTC') AS today_start
),
uptime AS (
  SELECT count(*) FILTER (WHERE p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes,
         floor(extract(epoch FROM (bounds.as_of - bounds.month_start)) / 60)::integer AS elapsed_minutes,
         count(*) FILTER (WHERE p.minute >= bounds.as_of - interval '7 days' AND p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes_last7,
         count(*) FILTER (WHERE p.minute >= bounds.as_of - interval '14 days' AND p.minute < bounds.as_of - interval '7 days' AND p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes_prev7
  FROM bounds LEFT JOIN platform_minute_rollups p ON p.minute >= least(bounds.month_start, bounds.as_of - interval '14 days') AND p.minute < date_trunc('minute', bounds.as_of, 'UTC')
  GROUP BY bounds.as_of, bounds.month_start
)
SELECT true AS singleton,
       bounds.as_of,
       to_char(bounds.month_start AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
       (extract(day FROM (bounds.month_start + interval '1 month') - bounds.today_start))::integer - 1 AS days_left_after_today,
       any_day_estimated((bounds.month_start AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS month_estimated,
       any_day_estimated(((bounds.as_of - interval '7 days') AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS last7_estimated,
       any_day_estimated(((bounds.as_of - interval '14 days') AT TIME ZONE 'UTC')::date, ((bounds.as_of - interval '7 days') AT TIME ZONE 'UTC')::date) AS prev7_estimated,
       any_day_estimated(((bounds.today_start - interval '7 days') AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS projection_estimated,
       u.incident_minutes, u.elapsed_minutes, u.incident_minutes_last7, u.incident_minutes_prev7
FROM bounds CROSS JOIN uptime u;
CREATE UNIQUE INDEX mv_platform_overview_v1_key ON mv_platform_overview_v1 (singleton);

SELECT refresh_customer_overview();

-- --- row-level security on the new tables, and the customer-facing views ------------------------
DO $$
DECLARE
  guarded text;
BEGIN
  FOREACH guarded IN ARRAY ARRAY['customer_daily_rollups', 'customer_overview_totals'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', guarded);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', guarded);
    EXECUTE format('CREATE POLICY customer_reads_own_rows ON %I FOR SELECT TO switchboard_customer_reader USING (customer_id = current_customer_id())', guarded);
    EXECUTE format('CREATE POLICY service_role_full_access ON %I TO %I USING (true) WITH CHECK (true)', guarded, current_user);
  END LOOP;
END
$$;

-- The usage series: the last 90 days and today, read as the invoker so the table's policies apply.
CREATE VIEW customer_daily_v2 WITH (security_invoker = true, security_barrier = true) AS
SELECT customer_id, day, calls, billed_micros
FROM customer_daily_rollups
WHERE customer_id = current_customer_id() AND day >= (now() AT TIME ZONE 'UTC')::date - 90;

-- The overview: the shared row beside the caller's own windows (none yet: no calls, null
-- totals). It reads the materialized view, which carries no policies, so it runs with the
-- owner's rights and filters on the setting itself; a missing or empty setting matches no customer.
CREATE VIEW customer_overview_v3 WITH (security_barrier = true) AS
SELECT cu.id AS customer_id, p.as_of, p.month, p.days_left_after_today,
       t.month_totals, t.last7_totals, t.prev7_totals, coalesce(t.full7_billed_micros, 0) AS full7_billed_micros,
       p.month_estimated, p.last7_estimated, p.prev7_estimated, p.projection_estimated,
       p.incident_minutes, p.elapsed_minutes, p.incident_minutes_last7, p.incident_minutes_prev7
FROM customers cu
CROSS JOIN mv_platform_overview_v1 p
LEFT JOIN customer_overview_totals t ON t.customer_id = cu.id
WHERE cu.id = current_customer_id();

GRANT SELECT ON customer_daily_rollups, customer_overview_totals TO switchboard_customer_reader;
GRANT SELECT ON customer_daily_v2, customer_overview_v3 TO switchboard_customer_reader;
