-- The hourly customer refresh, cheaper where its time went (issue "Customer metrics",
-- `npm run bench -- customer`: 1.1 s at 1M calls against a 1 s target). Timed statement by
-- statement on a seeded 1M-call database, refresh_customer_overview spent most of its time summing
-- again, for every customer it moved, the stored sums of all four windows beside what moved them
-- (four rows per customer, more than the moves themselves), in a hash aggregate that spilled to
-- disk in 25 batches at the default work_mem, after a first statement that read the same hours and
-- calls once more only to list the customers. Now:
-- - only what moved is summed (the changes, the hours entered and left, the partial edge hours),
--   once, and each window's sum is added to the stored one in place: a window that did not move
--   (the month of a customer touched only by the 7-day slide) is left as it was;
-- - the customers moved are the ones those sums name, so nothing is read twice;
-- - the function sums in memory (work_mem 64MB for its own statements);
-- - customer_overview_totals leaves room on its pages for the next version of each row;
-- - refresh_rollups writes new hourly and daily rows in time order, so that a backlog (a first
--   refresh) leaves each hour's and each day's rows on few pages rather than one page per row.
-- docs/decisions/0005-customer-metrics.md explains the design.

-- Most rows are rewritten by every refresh: with room left on each page the new version stays on
-- its page (a HOT update), so the primary key gains no entry and the page no other. Pages written
-- from now on (every row, at the next whole recompute) keep that room.
ALTER TABLE customer_overview_totals SET (fillfactor = 50);

-- Two windows' sums added position by position; null is nothing. Not made null when the sum counts
-- no call: a change may move a duration or an amount without a call (one call left, another came).
CREATE FUNCTION sums_plus(a numeric[], b numeric[]) RETURNS numeric[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE ARRAY[a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5], a[6] + b[6], a[7] + b[7], a[8] + b[8], a[9] + b[9], a[10] + b[10], a[11] + b[11], a[12] + b[12]] END
$$;

-- A window's sums as the overview stores them: null with no call and no feedback (as window_sums()).
CREATE FUNCTION stored_window_sums(sums numeric[]) RETURNS numeric[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN sums IS NULL OR (sums[1] = 0 AND sums[12] = 0) THEN NULL ELSE sums END
$$;

-- As in 0010, except that new rollup rows are written in the order of their hours and days.
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
    -- Written hour by hour, so that the rows of one hour share pages: the overview reads whole
    -- hours of every customer (the hours its windows enter and leave), and a backlog written in
    -- the order its hours were marked would spread each hour over as many pages as it has rows.
    ORDER BY h.hour, h.customer_id
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
  -- Day by day, for the same reason: each refresh moves today's row of every customer with calls.
  ORDER BY 2, 1
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


-- As in 0010, but the windows are moved by what moved only (see above); a first run, a new month, a
-- gap over 7 days or an earlier instant still recomputes everyone from the rollups first.
CREATE OR REPLACE FUNCTION refresh_customer_overview(refresh_at timestamptz DEFAULT now()) RETURNS integer LANGUAGE plpgsql
SET search_path = public, pg_temp SET jit = off
-- The moves of ~10,000 customers are summed in memory, not in batches spilled to disk.
SET work_mem = '64MB' AS $$
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
  emptied text[];
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

  -- What moved each window since the last refresh, per customer, summed in one pass and added to
  -- the stored sums (never re-read): kind 1 the month, 2 the last 7 full days, 3 and 4 the whole
  -- hours of the last and previous 7 days, 5 and 6 their partial edge hours now (read from calls
  -- and feedback by time, added to the whole hours). A customer is moved only if something of its
  -- own moved (a change in an hour a window covered, an hour a window entered or left, a call or
  -- feedback where the windows' edges slid) or its windows were recomputed whole above. Time
  -- ranges are written out (not joined from a list) so each is planned as the short index range
  -- it is.
  WITH moves (customer_id, kind, calls, completed, failed, abandoned, with_error, escalated, task_success, task_known, duration_ms_sum, billed_micros, csat_sum, csat_count) AS (
    SELECT ch.customer_id, s.kind, ch.calls, ch.completed, ch.failed, ch.abandoned, ch.with_error, ch.escalated, ch.task_success, ch.task_known, ch.duration_ms_sum, ch.billed_micros, ch.csat_sum, ch.csat_count
    FROM customer_rollup_changes ch
    CROSS JOIN LATERAL (VALUES (1, month_begins, month_ends), (2, was_full7_from, was_full7_to),
                               (3, was_last7_from, was_last7_to), (4, was_prev7_from, was_prev7_to)) s (kind, from_hour, to_hour)
    WHERE ch.hour >= s.from_hour AND ch.hour < s.to_hour
    UNION ALL
    SELECT h.customer_id, 2, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_full7_to AND h.hour < now_full7_to
    UNION ALL
    SELECT h.customer_id, 2, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_full7_from AND h.hour < now_full7_from
    UNION ALL
    SELECT h.customer_id, 3, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_last7_to AND h.hour < now_last7_to
    UNION ALL
    SELECT h.customer_id, 3, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_last7_from AND h.hour < now_last7_from
    UNION ALL
    SELECT h.customer_id, 4, h.calls, h.completed, h.failed, h.abandoned, h.with_error, h.escalated, h.task_success, h.task_known, h.duration_ms_sum, h.billed_micros, h.csat_sum, h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_prev7_to AND h.hour < now_prev7_to
    UNION ALL
    SELECT h.customer_id, 4, -h.calls, -h.completed, -h.failed, -h.abandoned, -h.with_error, -h.escalated, -h.task_success, -h.task_known, -h.duration_ms_sum, -h.billed_micros, -h.csat_sum, -h.csat_count FROM customer_hourly_rollups h WHERE h.hour >= was_prev7_from AND h.hour < now_prev7_from
  ),
  -- The calls and feedback where the windows' edges slid since the last refresh (whoever they
  -- belong to moves) and in the partial edge hours now, read in one pass over the pages they lie on.
  edge_calls AS MATERIALIZED (
    SELECT c.customer_id, c.ended_at, c.status, c.error_count, c.escalated, c.task_success, c.duration_ms, c.billed_micros
    FROM calls c
    WHERE (c.ended_at >= previous_at AND c.ended_at < refreshed_at)
       OR (c.ended_at >= previous_at - interval '7 days' AND c.ended_at < refreshed_at - interval '7 days')
       OR (c.ended_at >= previous_at - interval '14 days' AND c.ended_at < refreshed_at - interval '14 days')
       OR (c.ended_at >= refreshed_at - interval '7 days' AND c.ended_at < now_last7_from) OR (c.ended_at >= now_last7_to AND c.ended_at < refreshed_at)
       OR (c.ended_at >= refreshed_at - interval '14 days' AND c.ended_at < now_prev7_from)
       OR (c.ended_at >= now_prev7_to AND c.ended_at < refreshed_at - interval '7 days')
  ),
  edge_feedback AS MATERIALIZED (
    SELECT f.customer_id, f.ts, f.csat
    FROM call_feedback f
    WHERE (f.ts >= previous_at AND f.ts < refreshed_at)
       OR (f.ts >= previous_at - interval '7 days' AND f.ts < refreshed_at - interval '7 days')
       OR (f.ts >= previous_at - interval '14 days' AND f.ts < refreshed_at - interval '14 days')
       OR (f.ts >= refreshed_at - interval '7 days' AND f.ts < now_last7_from) OR (f.ts >= now_last7_to AND f.ts < refreshed_at)
       OR (f.ts >= refreshed_at - interval '14 days' AND f.ts < now_prev7_from)
       OR (f.ts >= now_prev7_to AND f.ts < refreshed_at - interval '7 days')
  ),
  edges AS (
    SELECT c.customer_id, CASE WHEN c.ended_at < refreshed_at - interval '7 days' THEN 6 ELSE 5 END AS kind,
           1 AS calls, (c.status = 'completed')::int AS completed, (c.status = 'failed')::int AS failed, (c.status = 'abandoned')::int AS abandoned,
           (c.status = 'failed' OR c.error_count > 0)::int AS with_error, coalesce(c.escalated, false)::int AS escalated,
           coalesce(c.task_success, false)::int AS task_success, (c.task_success IS NOT NULL)::int AS task_known,
           coalesce(c.duration_ms, 0)::numeric AS duration_ms_sum, coalesce(c.billed_micros, 0)::numeric AS billed_micros, 0 AS csat_sum, 0 AS csat_count
    FROM edge_calls c
    WHERE (c.ended_at >= refreshed_at - interval '7 days' AND c.ended_at < now_last7_from) OR (c.ended_at >= now_last7_to AND c.ended_at < refreshed_at)
       OR (c.ended_at >= refreshed_at - interval '14 days' AND c.ended_at < now_prev7_from)
       OR (c.ended_at >= now_prev7_to AND c.ended_at < refreshed_at - interval '7 days')
    UNION ALL
    SELECT f.customer_id, CASE WHEN f.ts < refreshed_at - interval '7 days' THEN 6 ELSE 5 END, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM edge_feedback f
    WHERE (f.ts >= refreshed_at - interval '7 days' AND f.ts < now_last7_from) OR (f.ts >= now_last7_to AND f.ts < refreshed_at)
       OR (f.ts >= refreshed_at - interval '14 days' AND f.ts < now_prev7_from)
       OR (f.ts >= now_prev7_to AND f.ts < refreshed_at - interval '7 days')
  ),
  movers AS (
    SELECT m.customer_id FROM moves m
    UNION SELECT c.customer_id FROM edge_calls c
    WHERE (c.ended_at >= previous_at AND c.ended_at < refreshed_at)
       OR (c.ended_at >= previous_at - interval '7 days' AND c.ended_at < refreshed_at - interval '7 days')
       OR (c.ended_at >= previous_at - interval '14 days' AND c.ended_at < refreshed_at - interval '14 days')
    UNION SELECT f.customer_id FROM edge_feedback f
    WHERE (f.ts >= previous_at AND f.ts < refreshed_at)
       OR (f.ts >= previous_at - interval '7 days' AND f.ts < refreshed_at - interval '7 days')
       OR (f.ts >= previous_at - interval '14 days' AND f.ts < refreshed_at - interval '14 days')
    UNION SELECT k.customer_id FROM customer_overview_recompute k
  ),
  by_kind AS (
    SELECT m.customer_id, m.kind, ARRAY[sum(m.calls), sum(m.completed), sum(m.failed), sum(m.abandoned), sum(m.with_error), sum(m.escalated), sum(m.task_success), sum(m.task_known), sum(m.duration_ms_sum), sum(m.billed_micros), sum(m.csat_sum), sum(m.csat_count)] AS sums
    FROM (SELECT * FROM moves UNION ALL SELECT e.* FROM edges e WHERE e.customer_id IN (SELECT customer_id FROM movers)) m
    GROUP BY m.customer_id, m.kind
  ),
  moved AS MATERIALIZED (
    SELECT v.customer_id,
           min(b.sums) FILTER (WHERE b.kind = 1) AS month,
           coalesce((min(b.sums) FILTER (WHERE b.kind = 2))[10], 0) AS full7_billed,
           min(b.sums) FILTER (WHERE b.kind = 3) AS last7_whole,
           min(b.sums) FILTER (WHERE b.kind = 4) AS prev7_whole,
           min(b.sums) FILTER (WHERE b.kind = 5) AS last7_edges,
           min(b.sums) FILTER (WHERE b.kind = 6) AS prev7_edges
    FROM movers v LEFT JOIN by_kind b ON b.customer_id = v.customer_id
    GROUP BY v.customer_id
  ),
  -- Each window's new sums, as stored: the stored ones plus what moved them (a customer without a
  -- row had nothing in any window: what moved is all it has), and the sliding windows' whole hours
  -- plus their edges. Added in steps (OFFSET 0 keeps each step apart), so that every addition is
  -- inlined into the query rather than called as a function per row.
  added AS MATERIALIZED (
    SELECT d.customer_id, t.customer_id IS NOT NULL AS stored, stored_window_sums(w.month) AS month_sums, stored_window_sums(e.last7) AS last7_sums,
           stored_window_sums(e.prev7) AS prev7_sums, stored_window_sums(w.last7_whole) AS last7_whole_hour_sums,
           stored_window_sums(w.prev7_whole) AS prev7_whole_hour_sums, coalesce(t.full7_billed_micros, 0) + d.full7_billed AS full7_billed_micros
    FROM moved d
    LEFT JOIN customer_overview_totals t ON t.customer_id = d.customer_id
    CROSS JOIN LATERAL (
      SELECT sums_plus(t.month_sums, d.month) AS month, sums_plus(t.last7_whole_hour_sums, d.last7_whole) AS last7_whole,
             sums_plus(t.prev7_whole_hour_sums, d.prev7_whole) AS prev7_whole
      OFFSET 0
    ) w
    CROSS JOIN LATERAL (SELECT sums_plus(w.last7_whole, d.last7_edges) AS last7, sums_plus(w.prev7_whole, d.prev7_edges) AS prev7 OFFSET 0) e
  ),
  updated AS (
    UPDATE customer_overview_totals t SET
      month_sums = a.month_sums, last7_sums = a.last7_sums, prev7_sums = a.prev7_sums, last7_whole_hour_sums = a.last7_whole_hour_sums,
      prev7_whole_hour_sums = a.prev7_whole_hour_sums, full7_billed_micros = a.full7_billed_micros
    FROM added a WHERE a.stored AND t.customer_id = a.customer_id
  ),
  inserted AS (
    INSERT INTO customer_overview_totals (customer_id, month_sums, last7_sums, prev7_sums, last7_whole_hour_sums, prev7_whole_hour_sums, full7_billed_micros)
    SELECT a.customer_id, a.month_sums, a.last7_sums, a.prev7_sums, a.last7_whole_hour_sums, a.prev7_whole_hour_sums, a.full7_billed_micros
    FROM added a WHERE NOT a.stored
  )
  SELECT array_agg(a.customer_id) FILTER (WHERE a.month_sums IS NULL AND a.last7_sums IS NULL AND a.prev7_sums IS NULL
                                            AND a.last7_whole_hour_sums IS NULL AND a.prev7_whole_hour_sums IS NULL AND a.full7_billed_micros = 0),
         count(*)
  INTO emptied, touched
  FROM added a;
  -- Taken into the windows above.
  DELETE FROM customer_rollup_changes;

  -- A customer with nothing left in any window has no row, as if computed afresh.
  DELETE FROM customer_overview_totals t WHERE t.customer_id = ANY (emptied);

  DELETE FROM customer_overview_recompute;
  INSERT INTO customer_overview_refreshes (singleton, as_of) VALUES (true, refreshed_at)
  ON CONFLICT (singleton) DO UPDATE SET as_of = EXCLUDED.as_of;
  RETURN touched;
END
$$;
