-- The hourly customer refresh, with a cost that does not grow with the calls already stored
-- (issue "Customer metrics", `npm run bench -- customer`: at 10,000 customers it grew from 0.8 s
-- at 100k calls to 1.7 s at 1M). Until now a customer whose rollups changed had all four overview
-- windows recomputed from its daily rollups (about 22 days of rows for the month alone at 1M
-- calls), so each refresh read more the more history there was. Now every window is moved, never
-- re-read:
-- - refresh_rollups appends each hour it recomputes to customer_rollup_changes, the old values
--   negated and the new ones, so their sum is what changed in that hour;
-- - refresh_customer_overview moves each window over whole hours: plus what changed in the hours
--   it covered, plus the hours it entered, minus the hours it left. The two sliding 7-day windows
--   keep their whole hours apart and add the partial hours at their edges straight from calls
--   and feedback, so they stay exact to the instant;
-- - a customer is read only if something changed in its rollups, or a window entered or left one
--   of its hours, or its calls or feedback lie where the windows slid: what the last hour brought;
-- - the windows are stored as arrays of numeric sums, which Postgres adds cheaply, instead of
--   jsonb (building a jsonb number goes through text); customer_overview_v4 shows them as the
--   jsonb objects customer_overview_v3 showed.
-- docs/decisions/0005-customer-metrics.md explains the design.

-- Hourly rollup changes not yet taken into the overview windows. Rows are only appended (by
-- refresh_rollups) and consumed whole (by refresh_customer_overview).
CREATE TABLE customer_rollup_changes (
  customer_id text NOT NULL,
  hour timestamptz NOT NULL,
  calls bigint NOT NULL,
  completed bigint NOT NULL,
  failed bigint NOT NULL,
  abandoned bigint NOT NULL,
  with_error bigint NOT NULL,
  escalated bigint NOT NULL,
  task_success bigint NOT NULL,
  task_known bigint NOT NULL,
  duration_ms_sum numeric NOT NULL,
  billed_micros numeric NOT NULL,
  csat_sum bigint NOT NULL,
  csat_count bigint NOT NULL
);
ALTER TABLE customer_rollup_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_rollup_changes FORCE ROW LEVEL SECURITY;
DO $$ BEGIN
  EXECUTE format('CREATE POLICY service_role_full_access ON customer_rollup_changes TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

-- Each window's sums in the order window_sums() gives them (null: no call and no feedback); the
-- sliding windows' whole hours ([the first whole hour after the start, the hour the end falls
-- in)) as of the last refresh beside them. Every row is recomputed at the end of this migration.
DROP VIEW customer_overview_v3;
ALTER TABLE customer_overview_totals
  DROP COLUMN month_totals,
  DROP COLUMN last7_totals,
  DROP COLUMN prev7_totals,
  ADD COLUMN month_sums numeric[],
  ADD COLUMN last7_sums numeric[],
  ADD COLUMN prev7_sums numeric[],
  ADD COLUMN last7_whole_hour_sums numeric[],
  ADD COLUMN prev7_whole_hour_sums numeric[];

-- As in 0009, except that each recomputed hour's change (its old values negated, its new values) is
-- appended to customer_rollup_changes, and the daily rollups are moved by the same changes
-- instead of summed again from the hours of every day touched.
CREATE OR REPLACE FUNCTION refresh_rollups(max_items integer) RETURNS TABLE (hours integer, minutes integer) LANGUAGE plpgsql
-- The statements are cheap; compiling them (JIT, on large row estimates) would cost more.
SET jit = off AS $$
DECLARE
  hour_count integer;
  minute_count integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS refreshing_hours (customer_id text, hour timestamptz) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS refreshing_minutes (minute timestamptz) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS refreshed_hour_changes (LIKE customer_rollup_changes) ON COMMIT DELETE ROWS;
  DELETE FROM refreshing_hours;
  DELETE FROM refreshing_minutes;
  DELETE FROM refreshed_hour_changes;

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

  WITH replaced AS (
    DELETE FROM customer_hourly_rollups r USING refreshing_hours h WHERE r.customer_id = h.customer_id AND r.hour = h.hour
    RETURNING r.*
  )
  INSERT INTO refreshed_hour_changes
  SELECT customer_id, hour, -calls, -completed, -failed, -abandoned, -with_error, -escalated, -task_success, -task_known,
         -duration_ms_sum, -billed_micros, -csat_sum, -csat_count
  FROM replaced;

  WITH recomputed AS (
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
    WHERE coalesce(c.calls, 0) > 0 OR coalesce(f.csat_count, 0) > 0
    RETURNING *
  )
  INSERT INTO refreshed_hour_changes
  SELECT customer_id, hour, calls, completed, failed, abandoned, with_error, escalated, task_success, task_known,
         duration_ms_sum, billed_micros, csat_sum, csat_count
  FROM recomputed;
  INSERT INTO customer_rollup_changes SELECT * FROM refreshed_hour_changes;
  ANALYZE refreshed_hour_changes;

  -- A day's rollup is the sum of its hours: moved by what changed in them. A day left with no call
  -- and no feedback has no row, as if summed afresh.
  INSERT INTO customer_daily_rollups AS d
  SELECT customer_id, (hour AT TIME ZONE 'UTC')::date, sum(calls), sum(completed), sum(failed), sum(abandoned), sum(with_error), sum(escalated), sum(task_success), sum(task_known), sum(duration_ms_sum), sum(billed_micros), sum(csat_sum), sum(csat_count)
  FROM refreshed_hour_changes GROUP BY 1, 2
  ON CONFLICT (customer_id, day) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    completed = d.completed + EXCLUDED.completed,
    failed = d.failed + EXCLUDED.failed,
    abandoned = d.abandoned + EXCLUDED.abandoned,
    with_error = d.with_error + EXCLUDED.with_error,
    escalated = d.escalated + EXCLUDED.escalated,
    task_success = d.task_success + EXCLUDED.task_success,
    task_known = d.task_known + EXCLUDED.task_known,
    duration_ms_sum = d.duration_ms_sum + EXCLUDED.duration_ms_sum,
    billed_micros = d.billed_micros + EXCLUDED.billed_micros,
    csat_sum = d.csat_sum + EXCLUDED.csat_sum,
    csat_count = d.csat_count + EXCLUDED.csat_count;
  DELETE FROM customer_daily_rollups d
  USING (SELECT DISTINCT customer_id, (hour AT TIME ZONE 'UTC')::date AS day FROM refreshed_hour_changes) r
  WHERE d.customer_id = r.customer_id AND d.day = r.day AND d.calls = 0 AND d.csat_count = 0;

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

-- One window's sums as the overview stores them; a window with no call and no feedback (or no
-- sums at all) is null.
CREATE FUNCTION window_sums(calls numeric, completed numeric, failed numeric, abandoned numeric, with_error numeric, escalated numeric, task_success numeric, task_known numeric, duration_ms_sum numeric, billed_micros numeric, csat_sum numeric, csat_count numeric)
RETURNS numeric[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN calls IS NULL OR (calls = 0 AND csat_count = 0) THEN NULL ELSE ARRAY[calls, completed, failed, abandoned, with_error, escalated, task_success, task_known, duration_ms_sum, billed_micros, csat_sum, csat_count] END
$$;

-- The same sums as the jsonb object the overview answers with.
CREATE FUNCTION window_totals_json(sums numeric[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN sums IS NOT NULL THEN jsonb_build_object('calls', sums[1], 'completed', sums[2], 'failed', sums[3], 'abandoned', sums[4], 'with_error', sums[5], 'escalated', sums[6], 'task_success', sums[7], 'task_known', sums[8], 'duration_ms_sum', sums[9], 'billed_micros', sums[10], 'csat_sum', sums[11], 'csat_count', sums[12]) END
$$;

-- As of refresh_at (now() unless given: tests and the benchmark set up a past refresh with it).
-- Within the month of the last refresh, at most 7 days after it, every window is moved over whole
-- hours: plus what changed in the hours it covered, plus the hours it entered, minus the hours it
-- left, for the customers where any of that happened or whose calls or feedback lie where the
-- windows' edges slid. Anything else (a first run, a new month, a longer gap, an earlier instant)
-- recomputes from the rollups every customer with a row or a rollup in the windows. Either way
-- the sliding windows are then their whole hours plus the partial hours at their edges, read from
-- calls and feedback by time. Every sum is set-based: a customer costs a few rows, not queries.
-- Answers how many customers it touched.
CREATE OR REPLACE FUNCTION refresh_customer_overview(refresh_at timestamptz DEFAULT now()) RETURNS integer LANGUAGE plpgsql
SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
  refreshed_at timestamptz := refresh_at;
  month_begins timestamptz := date_trunc('month', refresh_at, 'UTC');
  month_ends timestamptz := date_trunc('month', refresh_at, 'UTC') + interval '1 month';
  today_begins timestamptz := date_trunc('day', refresh_at, 'UTC');
  previous_at timestamptz;
  -- Each moving window over whole hours, as of the last refresh (was_) and now (now_).
  was_full7_from timestamptz;
  was_full7_to timestamptz;
  was_last7_from timestamptz;
  was_last7_to timestamptz;
  was_prev7_from timestamptz;
  was_prev7_to timestamptz;
  now_full7_from timestamptz := date_trunc('day', refresh_at, 'UTC') - interval '7 days';
  now_full7_to timestamptz := date_trunc('day', refresh_at, 'UTC');
  now_last7_from timestamptz := utc_ceil('hour', refresh_at - interval '7 days');
  now_last7_to timestamptz := date_trunc('hour', refresh_at, 'UTC');
  now_prev7_from timestamptz := utc_ceil('hour', refresh_at - interval '14 days');
  now_prev7_to timestamptz := date_trunc('hour', refresh_at - interval '7 days', 'UTC');
  touched integer;
BEGIN
  DELETE FROM customer_overview_recompute;
  SELECT r.as_of INTO previous_at FROM customer_overview_refreshes r;
  IF previous_at IS NULL OR previous_at > refreshed_at OR date_trunc('month', previous_at, 'UTC') <> month_begins
     OR refreshed_at - previous_at > interval '7 days' THEN
    INSERT INTO customer_overview_recompute (customer_id, all_windows)
    SELECT t.customer_id, true FROM customer_overview_totals t
    UNION SELECT r.customer_id, true FROM customer_daily_rollups r
          WHERE r.day >= (least(month_begins, refreshed_at - interval '14 days') AT TIME ZONE 'UTC')::date;
    ANALYZE customer_overview_recompute;
    DELETE FROM customer_overview_totals t USING customer_overview_recompute k WHERE t.customer_id = k.customer_id;
    INSERT INTO customer_overview_totals (customer_id, month_sums, last7_whole_hour_sums, prev7_whole_hour_sums, full7_billed_micros)
    SELECT k.customer_id, window_sums(m.calls, m.completed, m.failed, m.abandoned, m.with_error, m.escalated, m.task_success, m.task_known, m.duration_ms_sum, m.billed_micros, m.csat_sum, m.csat_count), window_sums(l.calls, l.completed, l.failed, l.abandoned, l.with_error, l.escalated, l.task_success, l.task_known, l.duration_ms_sum, l.billed_micros, l.csat_sum, l.csat_count), window_sums(p.calls, p.completed, p.failed, p.abandoned, p.with_error, p.escalated, p.task_success, p.task_known, p.duration_ms_sum, p.billed_micros, p.csat_sum, p.csat_count), coalesce(f.billed_micros, 0)
    FROM customer_overview_recompute k
    LEFT JOIN recomputed_window_totals(month_begins, month_ends) m ON m.customer_id = k.customer_id
    LEFT JOIN recomputed_window_totals(now_last7_from, now_last7_to) l ON l.customer_id = k.customer_id
    LEFT JOIN recomputed_window_totals(now_prev7_from, now_prev7_to) p ON p.customer_id = k.customer_id
    LEFT JOIN recomputed_window_totals(now_full7_from, now_full7_to) f ON f.customer_id = k.customer_id;
    -- Computed as of now: nothing to move below but the partial edge hours.
    DELETE FROM customer_rollup_changes;
    previous_at := refreshed_at;
  END IF;
  was_full7_from := date_trunc('day', previous_at, 'UTC') - interval '7 days';
  was_full7_to := date_trunc('day', previous_at, 'UTC');
  was_last7_from := utc_ceil('hour', previous_at - interval '7 days');
  was_last7_to := date_trunc('hour', previous_at, 'UTC');
  was_prev7_from := utc_ceil('hour', previous_at - interval '14 days');
  was_prev7_to := date_trunc('hour', previous_at - interval '7 days', 'UTC');

  IF previous_at < refreshed_at OR EXISTS (SELECT 1 FROM customer_rollup_changes) THEN
    -- The customers whose figures can have moved. The ranges are written out (not joined from a
    -- list) so that each is planned as the short index range it is.
    INSERT INTO customer_overview_recompute (customer_id, all_windows)
    SELECT ch.customer_id, false FROM customer_rollup_changes ch
    WHERE (ch.hour >= month_begins AND ch.hour < month_ends) OR (ch.hour >= was_full7_from AND ch.hour < was_full7_to)
       OR (ch.hour >= was_last7_from AND ch.hour < was_last7_to) OR (ch.hour >= was_prev7_from AND ch.hour < was_prev7_to)
    UNION SELECT h.customer_id, false FROM customer_hourly_rollups h
    WHERE (h.hour >= was_full7_to AND h.hour < now_full7_to) OR (h.hour >= was_full7_from AND h.hour < now_full7_from)
       OR (h.hour >= was_last7_to AND h.hour < now_last7_to) OR (h.hour >= was_last7_from AND h.hour < now_last7_from)
       OR (h.hour >= was_prev7_to AND h.hour < now_prev7_to) OR (h.hour >= was_prev7_from AND h.hour < now_prev7_from)
    -- Where the sliding windows' edges slid: their partial edge hours changed.
    UNION SELECT c.customer_id, false FROM calls c
    WHERE (c.ended_at >= previous_at AND c.ended_at < refreshed_at)
       OR (c.ended_at >= previous_at - interval '7 days' AND c.ended_at < refreshed_at - interval '7 days')
       OR (c.ended_at >= previous_at - interval '14 days' AND c.ended_at < refreshed_at - interval '14 days')
    UNION SELECT f.customer_id, false FROM call_feedback f
    WHERE (f.ts >= previous_at AND f.ts < refreshed_at)
       OR (f.ts >= previous_at - interval '7 days' AND f.ts < refreshed_at - interval '7 days')
       OR (f.ts >= previous_at - interval '14 days' AND f.ts < refreshed_at - interval '14 days')
    ON CONFLICT (customer_id) DO NOTHING;
    ANALYZE customer_overview_recompute;
  END IF;

  -- Each window's new totals, summed in one pass: its stored whole-hour totals, what changed in
  -- the hours it covered, the hours it entered (+) and left (-); the sliding windows add their
  -- partial edge hours (edge = true), which their whole hours leave out.
  WITH parts (customer_id, name, edge, calls, completed, failed, abandoned, with_error, escalated, task_success, task_known, duration_ms_sum, billed_micros, csat_sum, csat_count) AS (
    -- Counts as bigint, which Postgres sums much faster than numeric; durations and money numeric.
    SELECT t.customer_id, s.name, false, s.sums[1]::bigint, s.sums[2]::bigint, s.sums[3]::bigint, s.sums[4]::bigint, s.sums[5]::bigint,
           s.sums[6]::bigint, s.sums[7]::bigint, s.sums[8]::bigint, s.sums[9], s.sums[10], s.sums[11]::bigint, s.sums[12]::bigint
    FROM customer_overview_recompute k
    JOIN customer_overview_totals t ON t.customer_id = k.customer_id
    CROSS JOIN LATERAL (VALUES ('month', t.month_sums), ('last7', t.last7_whole_hour_sums), ('prev7', t.prev7_whole_hour_sums),
                               ('full7', ARRAY[0, 0, 0, 0, 0, 0, 0, 0, 0, t.full7_billed_micros, 0, 0])) s (name, sums)
    WHERE s.sums IS NOT NULL
    UNION ALL
    SELECT ch.customer_id, s.name, false, ch.calls, ch.completed, ch.failed, ch.abandoned, ch.with_error, ch.escalated, ch.task_success, ch.task_known, ch.duration_ms_sum, ch.billed_micros, ch.csat_sum, ch.csat_count
    FROM customer_rollup_changes ch
    CROSS JOIN LATERAL (VALUES ('month', month_begins, month_ends), ('full7', was_full7_from, was_full7_to),
                               ('last7', was_last7_from, was_last7_to), ('prev7', was_prev7_from, was_prev7_to)) s (name, from_hour, to_hour)
    WHERE ch.hour >= s.from_hour AND ch.hour < s.to_hour
    UNION ALL
    SELECT h.customer_id, 'full7', false, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_full7_to AND h.hour < now_full7_to
    UNION ALL
    SELECT h.customer_id, 'full7', false, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_full7_from AND h.hour < now_full7_from
    UNION ALL
    SELECT h.customer_id, 'last7', false, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_last7_to AND h.hour < now_last7_to
    UNION ALL
    SELECT h.customer_id, 'last7', false, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_last7_from AND h.hour < now_last7_from
    UNION ALL
    SELECT h.customer_id, 'prev7', false, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_prev7_to AND h.hour < now_prev7_to
    UNION ALL
    SELECT h.customer_id, 'prev7', false, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_prev7_from AND h.hour < now_prev7_from
    UNION ALL
    SELECT c.customer_id, CASE WHEN c.ended_at < refreshed_at - interval '7 days' THEN 'prev7' ELSE 'last7' END, true,
           1, (c.status = 'completed')::int, (c.status = 'failed')::int, (c.status = 'abandoned')::int,
           (c.status = 'failed' OR c.error_count > 0)::int, coalesce(c.escalated, false)::int, coalesce(c.task_success, false)::int,
           (c.task_success IS NOT NULL)::int, coalesce(c.duration_ms, 0), coalesce(c.billed_micros, 0), 0, 0
    FROM calls c
    WHERE (c.ended_at >= refreshed_at - interval '7 days' AND c.ended_at < now_last7_from) OR (c.ended_at >= now_last7_to AND c.ended_at < refreshed_at)
       OR (c.ended_at >= refreshed_at - interval '14 days' AND c.ended_at < now_prev7_from)
       OR (c.ended_at >= now_prev7_to AND c.ended_at < refreshed_at - interval '7 days')
    UNION ALL
    SELECT f.customer_id, CASE WHEN f.ts < refreshed_at - interval '7 days' THEN 'prev7' ELSE 'last7' END, true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM call_feedback f
    WHERE (f.ts >= refreshed_at - interval '7 days' AND f.ts < now_last7_from) OR (f.ts >= now_last7_to AND f.ts < refreshed_at)
       OR (f.ts >= refreshed_at - interval '14 days' AND f.ts < now_prev7_from)
       OR (f.ts >= now_prev7_to AND f.ts < refreshed_at - interval '7 days')
  ),
  sums AS (
    SELECT p.customer_id, p.name,
           sum(p.calls) AS calls, coalesce(sum(p.calls) FILTER (WHERE NOT p.edge), 0) AS whole_calls,
           sum(p.completed) AS completed, coalesce(sum(p.completed) FILTER (WHERE NOT p.edge), 0) AS whole_completed,
           sum(p.failed) AS failed, coalesce(sum(p.failed) FILTER (WHERE NOT p.edge), 0) AS whole_failed,
           sum(p.abandoned) AS abandoned, coalesce(sum(p.abandoned) FILTER (WHERE NOT p.edge), 0) AS whole_abandoned,
           sum(p.with_error) AS with_error, coalesce(sum(p.with_error) FILTER (WHERE NOT p.edge), 0) AS whole_with_error,
           sum(p.escalated) AS escalated, coalesce(sum(p.escalated) FILTER (WHERE NOT p.edge), 0) AS whole_escalated,
           sum(p.task_success) AS task_success, coalesce(sum(p.task_success) FILTER (WHERE NOT p.edge), 0) AS whole_task_success,
           sum(p.task_known) AS task_known, coalesce(sum(p.task_known) FILTER (WHERE NOT p.edge), 0) AS whole_task_known,
           sum(p.duration_ms_sum) AS duration_ms_sum, coalesce(sum(p.duration_ms_sum) FILTER (WHERE NOT p.edge), 0) AS whole_duration_ms_sum,
           sum(p.billed_micros) AS billed_micros, coalesce(sum(p.billed_micros) FILTER (WHERE NOT p.edge), 0) AS whole_billed_micros,
           sum(p.csat_sum) AS csat_sum, coalesce(sum(p.csat_sum) FILTER (WHERE NOT p.edge), 0) AS whole_csat_sum,
           sum(p.csat_count) AS csat_count, coalesce(sum(p.csat_count) FILTER (WHERE NOT p.edge), 0) AS whole_csat_count
    FROM parts p JOIN customer_overview_recompute k ON k.customer_id = p.customer_id
    GROUP BY p.customer_id, p.name
  ),
  summed AS (
    SELECT customer_id, name,
           -- The last 7 full days keep only their billed amount (a change alone may count no call).
           billed_micros,
           CASE WHEN name <> 'full7' THEN window_sums(calls, completed, failed, abandoned, with_error, escalated, task_success, task_known, duration_ms_sum, billed_micros, csat_sum, csat_count) END AS totals,
           CASE WHEN name IN ('last7', 'prev7') THEN window_sums(whole_calls, whole_completed, whole_failed, whole_abandoned, whole_with_error, whole_escalated, whole_task_success, whole_task_known, whole_duration_ms_sum, whole_billed_micros, whole_csat_sum, whole_csat_count) END AS whole_hours
    FROM sums
  ),
  per_customer AS (
    SELECT customer_id,
           min(totals) FILTER (WHERE name = 'month') AS month_sums,
           min(totals) FILTER (WHERE name = 'last7') AS last7_sums,
           min(totals) FILTER (WHERE name = 'prev7') AS prev7_sums,
           min(whole_hours) FILTER (WHERE name = 'last7') AS last7_whole_hour_sums,
           min(whole_hours) FILTER (WHERE name = 'prev7') AS prev7_whole_hour_sums,
           coalesce(min(billed_micros) FILTER (WHERE name = 'full7'), 0) AS full7_billed_micros
    FROM summed GROUP BY customer_id
  )
  INSERT INTO customer_overview_totals (customer_id, month_sums, last7_sums, prev7_sums, last7_whole_hour_sums, prev7_whole_hour_sums, full7_billed_micros)
  SELECT customer_id, month_sums, last7_sums, prev7_sums, last7_whole_hour_sums, prev7_whole_hour_sums, full7_billed_micros FROM per_customer
  ON CONFLICT (customer_id) DO UPDATE SET
    month_sums = EXCLUDED.month_sums, last7_sums = EXCLUDED.last7_sums, prev7_sums = EXCLUDED.prev7_sums,
    last7_whole_hour_sums = EXCLUDED.last7_whole_hour_sums, prev7_whole_hour_sums = EXCLUDED.prev7_whole_hour_sums,
    full7_billed_micros = EXCLUDED.full7_billed_micros;
  -- Taken into the windows above.
  DELETE FROM customer_rollup_changes;

  -- A customer with nothing in any window has no row, as if computed afresh.
  DELETE FROM customer_overview_totals t USING customer_overview_recompute k
  WHERE t.customer_id = k.customer_id AND t.month_sums IS NULL AND t.last7_sums IS NULL AND t.prev7_sums IS NULL
    AND t.last7_whole_hour_sums IS NULL AND t.prev7_whole_hour_sums IS NULL AND t.full7_billed_micros = 0;

  SELECT count(*) INTO touched FROM customer_overview_recompute;
  DELETE FROM customer_overview_recompute;
  INSERT INTO customer_overview_refreshes (singleton, as_of) VALUES (true, refreshed_at)
  ON CONFLICT (singleton) DO UPDATE SET as_of = EXCLUDED.as_of;
  RETURN touched;
END
$$;

-- Windows are no longer added up as jsonb.
DROP FUNCTION add_window_totals(jsonb, jsonb);
DROP FUNCTION window_totals_change(numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric);

-- The overview: as customer_overview_v3, the windows shown as jsonb objects. It reads the
-- materialized view, which carries no policies, so it runs with the owner's rights and filters on
-- the setting itself; a missing or empty setting matches no customer.
CREATE VIEW customer_overview_v4 WITH (security_barrier = true) AS
SELECT cu.id AS customer_id, p.as_of, p.month, p.days_left_after_today,
       window_totals_json(t.month_sums) AS month_totals, window_totals_json(t.last7_sums) AS last7_totals,
       window_totals_json(t.prev7_sums) AS prev7_totals, coalesce(t.full7_billed_micros, 0) AS full7_billed_micros,
       p.month_estimated, p.last7_estimated, p.prev7_estimated, p.projection_estimated,
       p.incident_minutes, p.elapsed_minutes, p.incident_minutes_last7, p.incident_minutes_prev7
FROM customers cu
CROSS JOIN mv_platform_overview_v1 p
LEFT JOIN customer_overview_totals t ON t.customer_id = cu.id
WHERE cu.id = current_customer_id();
GRANT SELECT ON customer_overview_v4 TO switchboard_customer_reader;

-- Nothing marks customers for a whole recompute any more: changes are moved in.
DROP TABLE customer_overview_dirty;

-- Every row gets its whole hours, computed afresh at the last refresh's instant (the one the
-- shared view shows).
DO $$
DECLARE
  last_at timestamptz;
BEGIN
  SELECT as_of INTO last_at FROM customer_overview_refreshes;
  DELETE FROM customer_overview_refreshes;
  DELETE FROM customer_rollup_changes;
  PERFORM refresh_customer_overview(coalesce(last_at, now()));
END
$$;
