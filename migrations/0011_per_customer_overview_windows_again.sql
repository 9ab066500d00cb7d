-- Back to 0009's per-customer overview windows. The set-based statement of 0010 gave the same
-- figures but no saving: on 10,000 customers and 1M calls (1,826 customers recomputed whole) it
-- read the same rows (each customer's daily rollups over the windows, the hours at their edges),
-- and its plan, blind to the spans of time computed inside it, scanned calls and the hourly
-- rollups whole, a cost that would grow with the calls stored. Read as index ranges it only
-- matched 0009's CPU, while reading every customer's hours at the edges, not just the
-- recomputed ones'. So 0009's functions are restored as they were.
-- docs/decisions/0005-customer-metrics.md.

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

CREATE OR REPLACE FUNCTION refresh_customer_overview(refresh_at timestamptz DEFAULT now()) RETURNS integer LANGUAGE plpgsql
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

DROP FUNCTION recomputed_overview_windows(timestamptz);
