-- The customer refresh's overview windows computed set-based (measured by `npm run bench --
-- customer`): 0009 computed each recomputed customer's four windows with sixteen small queries of
-- that customer (LATERAL index ranges), about half a millisecond of CPU each, most of the
-- refresh. Now one statement computes every recomputed customer's month, last 7 days, previous 7
-- days and last 7 full days together: each rollup row, call or feedback is read once and counted
-- into every window it falls in, grouped by customer and window. The figures are the same: whole
-- UTC days from the daily rollups, the whole hours either side from the hourly ones, the partial
-- hours at the edges straight from calls and feedback. docs/decisions/0005-customer-metrics.md.

-- Every window of the customers in customer_overview_recompute that recompute every window, as
-- of refreshed_at: a row per customer with anything in one of the windows (a window with no call
-- and no feedback is null).
CREATE FUNCTION recomputed_overview_windows(refreshed_at timestamptz)
RETURNS TABLE (customer_id text, month_totals jsonb, last7_totals jsonb, prev7_totals jsonb, full7_billed_micros numeric)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET jit = off AS $$
  WITH windows AS MATERIALIZED (
    SELECT w.name, w.from_ts, w.to_ts, h.first_hour, h.end_hour, d.first_day, d.end_day,
           (d.first_day AT TIME ZONE 'UTC')::date AS first_date, (d.end_day AT TIME ZONE 'UTC')::date AS end_date
    FROM (VALUES ('month', date_trunc('month', refreshed_at, 'UTC'), date_trunc('month', refreshed_at, 'UTC') + interval '1 month'),
                 ('last7', refreshed_at - interval '7 days', refreshed_at),
                 ('prev7', refreshed_at - interval '14 days', refreshed_at - interval '7 days'),
                 ('full7', date_trunc('day', refreshed_at, 'UTC') - interval '7 days', date_trunc('day', refreshed_at, 'UTC'))
         ) w (name, from_ts, to_ts)
    CROSS JOIN LATERAL (
      SELECT least(w.to_ts, utc_ceil('hour', w.from_ts)) AS first_hour,
             greatest(least(w.to_ts, utc_ceil('hour', w.from_ts)), date_trunc('hour', w.to_ts, 'UTC')) AS end_hour
    ) h
    CROSS JOIN LATERAL (
      SELECT least(h.end_hour, utc_ceil('day', h.first_hour)) AS first_day,
             greatest(least(h.end_hour, utc_ceil('day', h.first_hour)), date_trunc('day', h.end_hour, 'UTC')) AS end_day
    ) d
  ),
  -- The whole hours before a window's first whole day and after its last, and the partial hours
  -- at its edges: each a short span of time, read by time and kept for the recomputed customers.
  hour_spans AS MATERIALIZED (
    SELECT name, first_hour AS span_from, first_day AS span_to FROM windows
    UNION ALL SELECT name, end_day, end_hour FROM windows
  ),
  instant_spans AS MATERIALIZED (
    SELECT name, from_ts AS span_from, first_hour AS span_to FROM windows
    UNION ALL SELECT name, end_hour, to_ts FROM windows
  ),
  day_range AS MATERIALIZED (SELECT min(first_date) AS first_date, max(end_date) AS end_date FROM windows),
  recomputed AS MATERIALIZED (SELECT k.customer_id FROM customer_overview_recompute k WHERE k.all_windows),
  parts AS (
    -- One range of each recomputed customer's daily rows covering every window, each row counted
    -- into the windows whose whole days hold it.
    SELECT w.name, d.customer_id, d.calls::bigint AS calls, d.completed::bigint AS completed, d.failed::bigint AS failed,
           d.abandoned::bigint AS abandoned, d.with_error::bigint AS with_error, d.escalated::bigint AS escalated,
           d.task_success::bigint AS task_success, d.task_known::bigint AS task_known, d.duration_ms_sum, d.billed_micros,
           d.csat_sum::bigint AS csat_sum, d.csat_count::bigint AS csat_count
    FROM recomputed k
    CROSS JOIN day_range r
    JOIN customer_daily_rollups d ON d.customer_id = k.customer_id AND d.day >= r.first_date AND d.day < r.end_date
    JOIN windows w ON d.day >= w.first_date AND d.day < w.end_date
    UNION ALL
    SELECT s.name, h.customer_id, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known,
           h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count
    FROM hour_spans s
    JOIN customer_hourly_rollups h ON h.hour >= s.span_from AND h.hour < s.span_to
    WHERE h.customer_id IN (SELECT customer_id FROM recomputed)
    UNION ALL
    SELECT s.name, c.customer_id, 1, (c.status = 'completed')::int, (c.status = 'failed')::int, (c.status = 'abandoned')::int,
           (c.status = 'failed' OR c.error_count > 0)::int, coalesce(c.escalated, false)::int, coalesce(c.task_success, false)::int,
           (c.task_success IS NOT NULL)::int, coalesce(c.duration_ms, 0), c.billed_micros, 0, 0
    FROM instant_spans s
    JOIN calls c ON c.ended_at >= s.span_from AND c.ended_at < s.span_to
    WHERE c.customer_id IN (SELECT customer_id FROM recomputed)
    UNION ALL
    SELECT s.name, f.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM instant_spans s
    JOIN call_feedback f ON f.ts >= s.span_from AND f.ts < s.span_to
    WHERE f.customer_id IN (SELECT customer_id FROM recomputed)
  ),
  totals AS (
    SELECT p.customer_id, p.name, sum(p.billed_micros) AS billed_micros,
           jsonb_build_object('calls', sum(p.calls)::bigint, 'completed', sum(p.completed)::bigint, 'failed', sum(p.failed)::bigint,
             'abandoned', sum(p.abandoned)::bigint, 'with_error', sum(p.with_error)::bigint, 'escalated', sum(p.escalated)::bigint,
             'task_success', sum(p.task_success)::bigint, 'task_known', sum(p.task_known)::bigint, 'duration_ms_sum', sum(p.duration_ms_sum),
             'billed_micros', sum(p.billed_micros), 'csat_sum', sum(p.csat_sum)::bigint, 'csat_count', sum(p.csat_count)::bigint) AS totals
    FROM parts p
    GROUP BY p.customer_id, p.name
    HAVING sum(p.calls) > 0 OR sum(p.csat_count) > 0
  )
  SELECT t.customer_id,
         (array_agg(t.totals) FILTER (WHERE t.name = 'month'))[1],
         (array_agg(t.totals) FILTER (WHERE t.name = 'last7'))[1],
         (array_agg(t.totals) FILTER (WHERE t.name = 'prev7'))[1],
         coalesce(sum(t.billed_micros) FILTER (WHERE t.name = 'full7'), 0)
  FROM totals t
  GROUP BY t.customer_id
$$;

-- As 0009, but every window of the customers recomputed whole comes from the one statement above.
CREATE OR REPLACE FUNCTION refresh_customer_overview(refresh_at timestamptz DEFAULT now()) RETURNS integer LANGUAGE plpgsql
SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
  refreshed_at timestamptz := refresh_at;
  month_begins timestamptz := date_trunc('month', refresh_at, 'UTC');
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
  SELECT w.customer_id, w.month_totals, w.last7_totals, w.prev7_totals, w.full7_billed_micros
  FROM recomputed_overview_windows(refreshed_at) w;

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

DROP FUNCTION recomputed_window_totals(timestamptz, timestamptz);
