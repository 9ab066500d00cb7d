-- The incremental customer refresh, made cheap in practice as well as in principle (measured by
-- `npm run bench -- customer` at 10,000 customers and 1M calls):
-- - refresh_rollups reads each dirty hour (and minute, and touched day) as one index range
--   (LATERAL), never a scan of calls or rollups the planner picked for a misjudged join, and
--   without JIT compilation;
-- - the customers to recompute go into a work table, and each one's windows are read as index
--   ranges of that customer (LATERAL), never a scan of every customer's rollups;
-- - a customer touched only because the sliding 7-day windows crossed its calls (its data did not
--   change) has those two windows moved: what they entered added, what they left taken away, read
--   from the slices of calls and feedback by time; its month and last full days did not move.
-- docs/decisions/0005-customer-metrics.md explains the design.

CREATE OR REPLACE FUNCTION refresh_rollups(max_items integer) RETURNS TABLE (hours integer, minutes integer) LANGUAGE plpgsql
-- The statements are cheap; compiling them (JIT, on large row estimates) would cost more.
SET jit = off AS $$
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

  -- By row address: a join on the key reads the whole table whenever its statistics still count
  -- a backlog that is gone (rows are only inserted and deleted, so the addresses are stable).
  WITH taken AS (
    DELETE FROM rollup_dirty_hours d
    WHERE d.ctid = ANY (ARRAY(SELECT ctid FROM rollup_dirty_hours ORDER BY hour, customer_id LIMIT max_items))
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
  -- LATERAL: one index range per hour, whatever the planner guesses of a calls join.
  LEFT JOIN LATERAL (
    SELECT count(*) AS calls,
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
    FROM calls c
    WHERE c.customer_id = h.customer_id AND c.ended_at >= h.hour AND c.ended_at < h.hour + interval '1 hour'
  ) c ON true
  LEFT JOIN LATERAL (
    SELECT sum(f.csat) AS csat_sum, count(*) AS csat_count
    FROM call_feedback f
    WHERE f.customer_id = h.customer_id AND f.ts >= h.hour AND f.ts < h.hour + interval '1 hour'
  ) f ON true
  WHERE coalesce(c.calls, 0) > 0 OR coalesce(f.csat_count, 0) > 0;

  INSERT INTO refreshing_days SELECT DISTINCT customer_id, (hour AT TIME ZONE 'UTC')::date FROM refreshing_hours;
  ANALYZE refreshing_days;
  DELETE FROM customer_daily_rollups d USING refreshing_days r WHERE d.customer_id = r.customer_id AND d.day = r.day;
  INSERT INTO customer_daily_rollups
  SELECT r.customer_id, r.day, h.*
  FROM refreshing_days r
  CROSS JOIN LATERAL (
    SELECT sum(h.calls), sum(h.completed), sum(h.failed), sum(h.abandoned), sum(h.with_error), sum(h.escalated),
           sum(h.task_success), sum(h.task_known), sum(h.duration_ms_sum), sum(h.billed_micros), sum(h.csat_sum), sum(h.csat_count)
    FROM customer_hourly_rollups h
    WHERE h.customer_id = r.customer_id AND h.hour >= (r.day::timestamp AT TIME ZONE 'UTC') AND h.hour < ((r.day + 1)::timestamp AT TIME ZONE 'UTC')
    HAVING count(*) > 0
  ) h;
  INSERT INTO customer_overview_dirty SELECT DISTINCT customer_id FROM refreshing_hours ON CONFLICT DO NOTHING;

  WITH taken AS (
    DELETE FROM rollup_dirty_minutes d
    WHERE d.minute IN (SELECT minute FROM rollup_dirty_minutes ORDER BY minute LIMIT max_items)
    RETURNING d.minute
  )
  INSERT INTO refreshing_minutes SELECT minute FROM taken;
  GET DIAGNOSTICS minute_count = ROW_COUNT;
  ANALYZE refreshing_minutes;

  DELETE FROM platform_minute_rollups p USING refreshing_minutes m WHERE p.minute = m.minute;
  INSERT INTO platform_minute_rollups
  SELECT m.minute, c.ended, c.failed
  FROM refreshing_minutes m
  CROSS JOIN LATERAL (
    SELECT count(*) AS ended, count(*) FILTER (WHERE calls.status = 'failed') AS failed
    FROM calls WHERE calls.ended_at >= m.minute AND calls.ended_at < m.minute + interval '1 minute'
  ) c
  WHERE c.ended > 0;

  RETURN QUERY SELECT hour_count, minute_count;
END
$$;

-- Customers the running refresh recomputes: every window (their rollups changed, or a new day or
-- month began), or only the two sliding 7-day windows. Filled and emptied within the refresh.
CREATE TABLE customer_overview_recompute (
  customer_id text PRIMARY KEY,
  all_windows boolean NOT NULL
);
ALTER TABLE customer_overview_recompute ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_overview_recompute FORCE ROW LEVEL SECURITY;
DO $$ BEGIN
  EXECUTE format('CREATE POLICY service_role_full_access ON customer_overview_recompute TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

DROP FUNCTION customer_window_totals_of(text[], timestamptz, timestamptz);

-- Totals over [from_ts, to_ts) for the customers in customer_overview_recompute that recompute
-- every window (a customer with nothing in the window has no row). Per customer (LATERAL,
-- so each part is one index range of that customer whatever the planner estimates): whole UTC
-- days from the daily rollups, the whole hours either side from the hourly rollups, the partial
-- hours at either edge straight from calls and feedback; exact to the instant, and at most two
-- days of hours per customer.
CREATE FUNCTION recomputed_window_totals(from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (
  customer_id text, calls bigint, completed bigint, failed bigint, abandoned bigint, with_error bigint, escalated bigint,
  task_success bigint, task_known bigint, duration_ms_sum numeric, billed_micros numeric, csat_sum bigint, csat_count bigint
) LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
  -- Materialized: computed once, not again inside every customer's index probes.
  WITH hours AS MATERIALIZED (
    SELECT least(to_ts, utc_ceil('hour', from_ts)) AS first_hour,
           greatest(least(to_ts, utc_ceil('hour', from_ts)), date_trunc('hour', to_ts, 'UTC')) AS end_hour
  ),
  bounds AS MATERIALIZED (
    SELECT first_hour, end_hour,
           least(end_hour, utc_ceil('day', first_hour)) AS first_day,
           greatest(least(end_hour, utc_ceil('day', first_hour)), date_trunc('day', end_hour, 'UTC')) AS end_day,
           (least(end_hour, utc_ceil('day', first_hour)) AT TIME ZONE 'UTC')::date AS first_date,
           (greatest(least(end_hour, utc_ceil('day', first_hour)), date_trunc('day', end_hour, 'UTC')) AT TIME ZONE 'UTC')::date AS end_date
    FROM hours
  )
  SELECT k.customer_id, t.*
  FROM customer_overview_recompute k
  CROSS JOIN bounds b
  CROSS JOIN LATERAL (
    SELECT sum(p.calls)::bigint AS calls, sum(p.completed)::bigint AS completed, sum(p.failed)::bigint AS failed, sum(p.abandoned)::bigint AS abandoned,
           sum(p.with_error)::bigint AS with_error, sum(p.escalated)::bigint AS escalated, sum(p.task_success)::bigint AS task_success,
           sum(p.task_known)::bigint AS task_known, sum(p.duration_ms_sum) AS duration_ms_sum, sum(p.billed_micros) AS billed_micros,
           sum(p.csat_sum)::bigint AS csat_sum, sum(p.csat_count)::bigint AS csat_count
    FROM (
      SELECT d.calls::bigint AS calls, d.completed::bigint AS completed, d.failed::bigint AS failed, d.abandoned::bigint AS abandoned,
             d.with_error::bigint AS with_error, d.escalated::bigint AS escalated, d.task_success::bigint AS task_success,
             d.task_known::bigint AS task_known, d.duration_ms_sum, d.billed_micros, d.csat_sum::bigint AS csat_sum, d.csat_count::bigint AS csat_count
      FROM customer_daily_rollups d
      WHERE d.customer_id = k.customer_id AND d.day >= b.first_date AND d.day < b.end_date
      UNION ALL
      SELECT h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known,
             h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count
      FROM customer_hourly_rollups h
      WHERE h.customer_id = k.customer_id
        AND ((h.hour >= b.first_hour AND h.hour < b.first_day) OR (h.hour >= b.end_day AND h.hour < b.end_hour))
      UNION ALL
      SELECT 1, (c.status = 'completed')::int, (c.status = 'failed')::int, (c.status = 'abandoned')::int,
             (c.status = 'failed' OR c.error_count > 0)::int, coalesce(c.escalated, false)::int, coalesce(c.task_success, false)::int,
             (c.task_success IS NOT NULL)::int, coalesce(c.duration_ms, 0), c.billed_micros, 0, 0
      FROM calls c
      WHERE c.customer_id = k.customer_id
        AND ((c.ended_at >= from_ts AND c.ended_at < b.first_hour) OR (c.ended_at >= b.end_hour AND c.ended_at < to_ts))
      UNION ALL
      SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
      FROM call_feedback f
      WHERE f.customer_id = k.customer_id
        AND ((f.ts >= from_ts AND f.ts < b.first_hour) OR (f.ts >= b.end_hour AND f.ts < to_ts))
    ) p
  ) t
  WHERE k.all_windows AND (t.calls > 0 OR t.csat_count > 0)
$$;

-- A change to one window's totals, keyed as the stored totals are.
CREATE FUNCTION window_totals_change(calls numeric, completed numeric, failed numeric, abandoned numeric, with_error numeric, escalated numeric,
  task_success numeric, task_known numeric, duration_ms_sum numeric, billed_micros numeric, csat_sum numeric, csat_count numeric)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('calls', calls, 'completed', completed, 'failed', failed, 'abandoned', abandoned, 'with_error', with_error,
    'escalated', escalated, 'task_success', task_success, 'task_known', task_known, 'duration_ms_sum', duration_ms_sum,
    'billed_micros', billed_micros, 'csat_sum', csat_sum, 'csat_count', csat_count)
$$;

-- Stored totals plus a change, in exact numeric; a window left with no call and no feedback is
-- null again, as if computed afresh.
CREATE FUNCTION add_window_totals(totals jsonb, change jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN (summed ->> 'calls')::numeric = 0 AND (summed ->> 'csat_count')::numeric = 0 THEN NULL ELSE summed END
  FROM (
    SELECT jsonb_object_agg(c.key, coalesce((totals ->> c.key)::numeric, 0) + c.value::numeric) AS summed
    FROM jsonb_each_text(change) c
  ) s
$$;

-- As of refresh_at (now() unless given: tests and the benchmark set up a past refresh with it),
-- recomputes the windows of every customer whose figures can differ from the last
-- refresh: every window of those whose rollups changed (customer_overview_dirty); the two sliding
-- 7-day windows of those with calls or feedback in a span those windows entered or left since
-- then, moved by what entered and left (read from calls and feedback by time, exactly). A new UTC day also recomputes every
-- window of those with calls in a day the last-7-full-days window entered or left; a new month, a
-- first run or a gap over 7 days, everyone with a row or a rollup in the windows. Answers how many
-- customers it recomputed.
DROP FUNCTION refresh_customer_overview();
CREATE FUNCTION refresh_customer_overview(refresh_at timestamptz DEFAULT now()) RETURNS integer LANGUAGE plpgsql
SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
  refreshed_at timestamptz := refresh_at;
  month_begins timestamptz := date_trunc('month', refresh_at, 'UTC');
  today_begins timestamptz := date_trunc('day', refresh_at, 'UTC');
  previous_at timestamptz;
  recomputed integer;
BEGIN
  DELETE FROM customer_overview_recompute;
  SELECT r.as_of INTO previous_at FROM customer_overview_refreshes r;
  IF previous_at IS NULL OR previous_at > refreshed_at OR date_trunc('month', previous_at, 'UTC') <> month_begins
     OR refreshed_at - previous_at > interval '7 days' THEN
    INSERT INTO customer_overview_recompute (customer_id, all_windows)
    SELECT t.customer_id, true FROM customer_overview_totals t
    UNION SELECT d.customer_id, true FROM customer_overview_dirty d
    UNION SELECT r.customer_id, true FROM customer_daily_rollups r
          WHERE r.day >= (least(month_begins, refreshed_at - interval '14 days') AT TIME ZONE 'UTC')::date;
  ELSE
    INSERT INTO customer_overview_recompute (customer_id, all_windows)
    SELECT d.customer_id, true FROM customer_overview_dirty d
    UNION SELECT r.customer_id, true
          FROM (VALUES ((previous_at AT TIME ZONE 'UTC')::date - 7, (refreshed_at AT TIME ZONE 'UTC')::date - 7),
                       ((previous_at AT TIME ZONE 'UTC')::date, (refreshed_at AT TIME ZONE 'UTC')::date)) s (slid_from, slid_to)
          JOIN customer_daily_rollups r ON r.day >= s.slid_from AND r.day < s.slid_to;
    INSERT INTO customer_overview_recompute (customer_id, all_windows)
    SELECT c.customer_id, false
    FROM (VALUES (previous_at - interval '14 days', refreshed_at - interval '14 days'),
                 (previous_at - interval '7 days', refreshed_at - interval '7 days'),
                 (previous_at, refreshed_at)) s (slid_from, slid_to)
    JOIN calls c ON c.ended_at >= s.slid_from AND c.ended_at < s.slid_to
    UNION SELECT f.customer_id, false
    FROM (VALUES (previous_at - interval '14 days', refreshed_at - interval '14 days'),
                 (previous_at - interval '7 days', refreshed_at - interval '7 days'),
                 (previous_at, refreshed_at)) s (slid_from, slid_to)
    JOIN call_feedback f ON f.ts >= s.slid_from AND f.ts < s.slid_to
    ON CONFLICT (customer_id) DO NOTHING;
    -- Without a row yet there is no month to keep: compute every window.
    UPDATE customer_overview_recompute k SET all_windows = true
    WHERE NOT k.all_windows AND NOT EXISTS (SELECT 1 FROM customer_overview_totals t WHERE t.customer_id = k.customer_id);
  END IF;
  ANALYZE customer_overview_recompute;

  DELETE FROM customer_overview_totals t USING customer_overview_recompute k WHERE t.customer_id = k.customer_id AND k.all_windows;
  INSERT INTO customer_overview_totals (customer_id, month_totals, last7_totals, prev7_totals, full7_billed_micros)
  SELECT k.customer_id, to_jsonb(m) - 'customer_id', to_jsonb(l) - 'customer_id', to_jsonb(p) - 'customer_id', coalesce(f.billed_micros, 0)
  FROM customer_overview_recompute k
  LEFT JOIN recomputed_window_totals(month_begins, month_begins + interval '1 month') m ON m.customer_id = k.customer_id
  LEFT JOIN recomputed_window_totals(refreshed_at - interval '7 days', refreshed_at) l ON l.customer_id = k.customer_id
  LEFT JOIN recomputed_window_totals(refreshed_at - interval '14 days', refreshed_at - interval '7 days') p ON p.customer_id = k.customer_id
  LEFT JOIN recomputed_window_totals(today_begins - interval '7 days', today_begins) f ON f.customer_id = k.customer_id
  WHERE k.all_windows AND (m.customer_id IS NOT NULL OR l.customer_id IS NOT NULL OR p.customer_id IS NOT NULL OR f.customer_id IS NOT NULL);

  -- The sliding windows of the others: + what entered last7, - what left it (and entered prev7),
  -- - what left prev7. Exact while their data is unchanged, which is why they are not dirty.
  WITH slid AS (
    SELECT c.customer_id, s.last7_sign, s.prev7_sign, 1 AS calls, (c.status = 'completed')::int AS completed,
           (c.status = 'failed')::int AS failed, (c.status = 'abandoned')::int AS abandoned,
           (c.status = 'failed' OR c.error_count > 0)::int AS with_error, coalesce(c.escalated, false)::int AS escalated,
           coalesce(c.task_success, false)::int AS task_success, (c.task_success IS NOT NULL)::int AS task_known,
           coalesce(c.duration_ms, 0)::numeric AS duration_ms_sum, c.billed_micros::numeric AS billed_micros, 0 AS csat_sum, 0 AS csat_count
    FROM (VALUES (previous_at, refreshed_at, 1, 0),
                 (previous_at - interval '7 days', refreshed_at - interval '7 days', -1, 1),
                 (previous_at - interval '14 days', refreshed_at - interval '14 days', 0, -1)) s (slid_from, slid_to, last7_sign, prev7_sign)
    JOIN calls c ON c.ended_at >= s.slid_from AND c.ended_at < s.slid_to
    UNION ALL
    SELECT f.customer_id, s.last7_sign, s.prev7_sign, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM (VALUES (previous_at, refreshed_at, 1, 0),
                 (previous_at - interval '7 days', refreshed_at - interval '7 days', -1, 1),
                 (previous_at - interval '14 days', refreshed_at - interval '14 days', 0, -1)) s (slid_from, slid_to, last7_sign, prev7_sign)
    JOIN call_feedback f ON f.ts >= s.slid_from AND f.ts < s.slid_to
  ),
  moved AS (
    SELECT slid.customer_id,
           window_totals_change(sum(calls * last7_sign), sum(completed * last7_sign), sum(failed * last7_sign), sum(abandoned * last7_sign),
             sum(with_error * last7_sign), sum(escalated * last7_sign), sum(task_success * last7_sign), sum(task_known * last7_sign),
             sum(duration_ms_sum * last7_sign), sum(billed_micros * last7_sign), sum(csat_sum * last7_sign), sum(csat_count * last7_sign)) AS last7_change,
           window_totals_change(sum(calls * prev7_sign), sum(completed * prev7_sign), sum(failed * prev7_sign), sum(abandoned * prev7_sign),
             sum(with_error * prev7_sign), sum(escalated * prev7_sign), sum(task_success * prev7_sign), sum(task_known * prev7_sign),
             sum(duration_ms_sum * prev7_sign), sum(billed_micros * prev7_sign), sum(csat_sum * prev7_sign), sum(csat_count * prev7_sign)) AS prev7_change
    FROM slid JOIN customer_overview_recompute k ON k.customer_id = slid.customer_id AND NOT k.all_windows
    GROUP BY slid.customer_id
  )
  UPDATE customer_overview_totals t
  SET last7_totals = add_window_totals(t.last7_totals, m.last7_change), prev7_totals = add_window_totals(t.prev7_totals, m.prev7_change)
  FROM moved m
  WHERE t.customer_id = m.customer_id;

  SELECT count(*) INTO recomputed FROM customer_overview_recompute;
  DELETE FROM customer_overview_recompute;
  DELETE FROM customer_overview_dirty;
  INSERT INTO customer_overview_refreshes (singleton, as_of) VALUES (true, refreshed_at)
  ON CONFLICT (singleton) DO UPDATE SET as_of = EXCLUDED.as_of;
  RETURN recomputed;
END
$$;
