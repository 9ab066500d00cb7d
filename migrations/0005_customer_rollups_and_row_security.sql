-- Customer metrics (CONTRACT sections 2 and 3): hourly rollups kept up to date incrementally
-- (only the hours whose calls changed are recomputed), materialized views over bounded windows
-- that serve the customer overview and usage, and row-level security as the tenant boundary.
-- docs/decisions/0005-customer-metrics.md explains the design.

-- --- what changed since the last refresh ------------------------------------------------------
CREATE TABLE rollup_dirty_hours (customer_id text NOT NULL, hour timestamptz NOT NULL, PRIMARY KEY (customer_id, hour));
CREATE TABLE rollup_dirty_minutes (minute timestamptz PRIMARY KEY);

CREATE FUNCTION mark_call_rollups_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_dirty_hours (customer_id, hour)
    SELECT DISTINCT customer_id, date_trunc('hour', ended_at, 'UTC') FROM changed_calls WHERE ended_at IS NOT NULL
    ON CONFLICT DO NOTHING;
  INSERT INTO rollup_dirty_minutes (minute)
    SELECT DISTINCT date_trunc('minute', ended_at, 'UTC') FROM changed_calls WHERE ended_at IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER calls_inserted_mark_rollups AFTER INSERT ON calls
  REFERENCING NEW TABLE AS changed_calls FOR EACH STATEMENT EXECUTE FUNCTION mark_call_rollups_dirty();
CREATE TRIGGER calls_updated_mark_rollups AFTER UPDATE ON calls
  REFERENCING NEW TABLE AS changed_calls FOR EACH STATEMENT EXECUTE FUNCTION mark_call_rollups_dirty();

CREATE FUNCTION mark_feedback_rollups_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_dirty_hours (customer_id, hour)
    SELECT DISTINCT customer_id, date_trunc('hour', ts, 'UTC') FROM new_feedback
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER call_feedback_mark_rollups AFTER INSERT ON call_feedback
  REFERENCING NEW TABLE AS new_feedback FOR EACH STATEMENT EXECUTE FUNCTION mark_feedback_rollups_dirty();

-- --- reconciliation state a day's "estimated" flag depends on ---------------------------------
-- Which (component, provider) pairs each UTC day's ended calls used.
CREATE TABLE daily_cost_pairs (day date NOT NULL, component text NOT NULL, provider text NOT NULL, PRIMARY KEY (day, component, provider));
CREATE FUNCTION record_daily_cost_pairs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_cost_pairs (day, component, provider)
    SELECT DISTINCT (c.ended_at AT TIME ZONE 'UTC')::date, l.component, l.provider
    FROM new_lines l JOIN calls c USING (customer_id, call_id)
    WHERE c.ended_at IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER call_cost_lines_record_pairs AFTER INSERT ON call_cost_lines
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION record_daily_cost_pairs();

-- A provider's invoiced total for one UTC day and (component, provider); the allocation over
-- calls is written into call_cost_lines.reconciled_micros (POST /api/ops/reconciliations).
CREATE TABLE reconciliations (
  day date NOT NULL,
  component text NOT NULL,
  provider text NOT NULL,
  actual_cost_micros bigint NOT NULL CHECK (actual_cost_micros >= 0),
  estimated_cost_micros bigint NOT NULL CHECK (estimated_cost_micros >= 0),
  calls integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (day, component, provider)
);

-- A day is estimated while any pair its calls used has no reconciliation.
-- Functions a materialized view calls name their search_path: Postgres 17 and later refresh
-- materialized views with a search_path of pg_catalog only.
CREATE FUNCTION day_is_estimated(d date) RETURNS boolean LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM daily_cost_pairs p
    WHERE p.day = d
      AND NOT EXISTS (SELECT 1 FROM reconciliations r WHERE r.day = p.day AND r.component = p.component AND r.provider = p.provider)
  )
$$;
CREATE FUNCTION any_day_estimated(first_day date, last_day date) RETURNS boolean LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM daily_cost_pairs p
    WHERE p.day BETWEEN first_day AND last_day
      AND NOT EXISTS (SELECT 1 FROM reconciliations r WHERE r.day = p.day AND r.component = p.component AND r.provider = p.provider)
  )
$$;

-- --- the rollups ------------------------------------------------------------------------------
-- Calls by the hour of their call.ended, and CSAT by the hour of the feedback.
CREATE TABLE customer_hourly_rollups (
  customer_id text NOT NULL,
  hour timestamptz NOT NULL,
  calls integer NOT NULL,
  completed integer NOT NULL,
  failed integer NOT NULL,
  abandoned integer NOT NULL,
  with_error integer NOT NULL,
  escalated integer NOT NULL,
  task_success integer NOT NULL,
  task_known integer NOT NULL,
  duration_ms_sum bigint NOT NULL,
  provider_cost_micros bigint NOT NULL,
  billed_micros bigint NOT NULL,
  csat_sum integer NOT NULL,
  csat_count integer NOT NULL,
  PRIMARY KEY (customer_id, hour)
);

CREATE TABLE platform_minute_rollups (
  minute timestamptz PRIMARY KEY,
  ended integer NOT NULL,
  failed integer NOT NULL
);

-- Window totals per customer over [from_ts, to_ts): whole hours from the rollups, the partial
-- hours at either edge straight from calls and feedback, so any window is exact.
CREATE FUNCTION customer_window_totals(from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (
  customer_id text, calls bigint, completed bigint, failed bigint, abandoned bigint, with_error bigint, escalated bigint,
  task_success bigint, task_known bigint, duration_ms_sum numeric, provider_cost_micros numeric, billed_micros numeric,
  csat_sum bigint, csat_count bigint
) LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  WITH edges AS (
    SELECT least(to_ts, date_trunc('hour', from_ts, 'UTC') + CASE WHEN date_trunc('hour', from_ts, 'UTC') = from_ts THEN interval '0' ELSE interval '1 hour' END) AS whole_from,
           greatest(from_ts, date_trunc('hour', to_ts, 'UTC')) AS whole_to
  ),
  parts AS (
    SELECT r.customer_id, r.calls, r.completed, r.failed, r.abandoned, r.with_error, r.escalated, r.task_success, r.task_known,
           r.duration_ms_sum, r.provider_cost_micros, r.billed_micros, r.csat_sum, r.csat_count
    FROM customer_hourly_rollups r, edges
    WHERE r.hour >= edges.whole_from AND r.hour < edges.whole_to
    UNION ALL
    SELECT c.customer_id, 1, (c.status = 'completed')::int, (c.status = 'failed')::int, (c.status = 'abandoned')::int,
           (c.status = 'failed' OR c.error_count > 0)::int, coalesce(c.escalated, false)::int, coalesce(c.task_success, false)::int,
           (c.task_success IS NOT NULL)::int, coalesce(c.duration_ms, 0), c.provider_cost_micros, c.billed_micros, 0, 0
    FROM calls c, edges
    WHERE c.ended_at IS NOT NULL
      AND ((c.ended_at >= from_ts AND c.ended_at < least(edges.whole_from, to_ts))
        OR (c.ended_at >= greatest(edges.whole_to, edges.whole_from) AND c.ended_at < to_ts))
    UNION ALL
    SELECT f.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, f.csat, 1
    FROM call_feedback f, edges
    WHERE (f.ts >= from_ts AND f.ts < least(edges.whole_from, to_ts))
       OR (f.ts >= greatest(edges.whole_to, edges.whole_from) AND f.ts < to_ts)
  )
  SELECT customer_id, sum(calls), sum(completed), sum(failed), sum(abandoned), sum(with_error), sum(escalated), sum(task_success),
         sum(task_known), sum(duration_ms_sum), sum(provider_cost_micros), sum(billed_micros), sum(csat_sum), sum(csat_count)
  FROM parts GROUP BY customer_id
$$;

-- Recomputes the dirty hours and minutes (at most max_items of each per call, oldest first) and
-- answers how many it did; the refresh calls it until nothing is left.
CREATE FUNCTION refresh_rollups(max_items integer) RETURNS TABLE (hours integer, minutes integer) LANGUAGE plpgsql AS $$
DECLARE
  hour_count integer;
  minute_count integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS refreshing_hours (customer_id text, hour timestamptz) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS refreshing_minutes (minute timestamptz) ON COMMIT DELETE ROWS;
  DELETE FROM refreshing_hours;
  DELETE FROM refreshing_minutes;

  WITH taken AS (
    DELETE FROM rollup_dirty_hours d
    WHERE (d.customer_id, d.hour) IN (SELECT customer_id, hour FROM rollup_dirty_hours ORDER BY hour, customer_id LIMIT max_items)
    RETURNING d.customer_id, d.hour
  )
  INSERT INTO refreshing_hours SELECT customer_id, hour FROM taken;
  GET DIAGNOSTICS hour_count = ROW_COUNT;

  DELETE FROM customer_hourly_rollups r USING refreshing_hours h WHERE r.customer_id = h.customer_id AND r.hour = h.hour;
  INSERT INTO customer_hourly_rollups
  SELECT h.customer_id, h.hour,
         coalesce(c.calls, 0), coalesce(c.completed, 0), coalesce(c.failed, 0), coalesce(c.abandoned, 0), coalesce(c.with_error, 0),
         coalesce(c.escalated, 0), coalesce(c.task_success, 0), coalesce(c.task_known, 0), coalesce(c.duration_ms_sum, 0),
         coalesce(c.provider_cost_micros, 0), coalesce(c.billed_micros, 0), coalesce(f.csat_sum, 0), coalesce(f.csat_count, 0)
  FROM refreshing_hours h
  LEFT JOIN LATERAL (
    SELECT count(*) AS calls,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
           count(*) FILTER (WHERE status = 'failed' OR error_count > 0) AS with_error,
           count(*) FILTER (WHERE escalated) AS escalated,
           count(*) FILTER (WHERE task_success) AS task_success,
           count(task_success) AS task_known,
           sum(coalesce(duration_ms, 0)) AS duration_ms_sum,
           sum(provider_cost_micros) AS provider_cost_micros,
           sum(billed_micros) AS billed_micros
    FROM calls
    WHERE calls.customer_id = h.customer_id AND calls.ended_at >= h.hour AND calls.ended_at < h.hour + interval '1 hour'
  ) c ON true
  LEFT JOIN LATERAL (
    SELECT sum(csat) AS csat_sum, count(*) AS csat_count
    FROM call_feedback
    WHERE call_feedback.customer_id = h.customer_id AND call_feedback.ts >= h.hour AND call_feedback.ts < h.hour + interval '1 hour'
  ) f ON true
  WHERE coalesce(c.calls, 0) > 0 OR coalesce(f.csat_count, 0) > 0;

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

-- --- materialized views over bounded windows (versioned: a new version replaces, never edits) --
-- Calls and billed amount per customer per UTC day over the last 90 days and today.
CREATE MATERIALIZED VIEW mv_customer_daily_v1 AS
SELECT r.customer_id, (r.hour AT TIME ZONE 'UTC')::date AS day, sum(r.calls)::integer AS calls, sum(r.billed_micros)::bigint AS billed_micros
FROM customer_hourly_rollups r
WHERE r.hour >= date_trunc('day', now(), 'UTC') - interval '90 days'
GROUP BY r.customer_id, (r.hour AT TIME ZONE 'UTC')::date;
CREATE UNIQUE INDEX mv_customer_daily_v1_key ON mv_customer_daily_v1 (customer_id, day);

-- Every figure of the customer overview, per customer, as of the moment of the refresh:
-- month to date, the 7 days ending then, the 7 days before, and the last 7 full days (for the
-- projection). Windows relative to now() are evaluated when the view is refreshed.
CREATE MATERIALIZED VIEW mv_customer_overview_v1 AS
WITH bounds AS (
  SELECT now() AS as_of,
         date_trunc('month', now(), 'UTC') AS month_start,
         date_trunc('day', now(), 'UTC') AS today_start
),
month AS (SELECT t.* FROM bounds, customer_window_totals(bounds.month_start, bounds.as_of) t),
last7 AS (SELECT t.* FROM bounds, customer_window_totals(bounds.as_of - interval '7 days', bounds.as_of) t),
prev7 AS (SELECT t.* FROM bounds, customer_window_totals(bounds.as_of - interval '14 days', bounds.as_of - interval '7 days') t),
full7 AS (SELECT t.* FROM bounds, customer_window_totals(bounds.today_start - interval '7 days', bounds.today_start) t),
uptime AS (
  SELECT count(*) FILTER (WHERE p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes,
         floor(extract(epoch FROM (bounds.as_of - bounds.month_start)) / 60)::integer AS elapsed_minutes,
         count(*) FILTER (WHERE p.minute >= bounds.as_of - interval '7 days' AND p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes_last7,
         count(*) FILTER (WHERE p.minute >= bounds.as_of - interval '14 days' AND p.minute < bounds.as_of - interval '7 days' AND p.ended >= 5 AND (p.ended - p.failed)::numeric / p.ended < 0.9)::integer AS incident_minutes_prev7
  FROM bounds LEFT JOIN platform_minute_rollups p ON p.minute >= least(bounds.month_start, bounds.as_of - interval '14 days') AND p.minute < date_trunc('minute', bounds.as_of, 'UTC')
  GROUP BY bounds.as_of, bounds.month_start
)
SELECT cu.id AS customer_id,
       bounds.as_of,
       to_char(bounds.month_start AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
       (extract(day FROM (bounds.month_start + interval '1 month') - bounds.today_start))::integer - 1 AS days_left_after_today,
       -- Provider cost stays out: beside the billed amount it would reveal the markup.
       to_jsonb(m) - 'customer_id' - 'provider_cost_micros' AS month_totals,
       to_jsonb(l) - 'customer_id' - 'provider_cost_micros' AS last7_totals,
       to_jsonb(p) - 'customer_id' - 'provider_cost_micros' AS prev7_totals,
       coalesce(f.billed_micros, 0)::bigint AS full7_billed_micros,
       any_day_estimated((bounds.month_start AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS month_estimated,
       any_day_estimated(((bounds.as_of - interval '7 days') AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS last7_estimated,
       any_day_estimated(((bounds.as_of - interval '14 days') AT TIME ZONE 'UTC')::date, ((bounds.as_of - interval '7 days') AT TIME ZONE 'UTC')::date) AS prev7_estimated,
       any_day_estimated(((bounds.today_start - interval '7 days') AT TIME ZONE 'UTC')::date, (bounds.as_of AT TIME ZONE 'UTC')::date) AS projection_estimated,
       u.incident_minutes, u.elapsed_minutes, u.incident_minutes_last7, u.incident_minutes_prev7
FROM customers cu
CROSS JOIN bounds
CROSS JOIN uptime u
LEFT JOIN month m ON m.customer_id = cu.id
LEFT JOIN last7 l ON l.customer_id = cu.id
LEFT JOIN prev7 p ON p.customer_id = cu.id
LEFT JOIN full7 f ON f.customer_id = cu.id;
CREATE UNIQUE INDEX mv_customer_overview_v1_key ON mv_customer_overview_v1 (customer_id);

-- --- row-level security: the tenant boundary -------------------------------------------------
-- Customer reads run as switchboard_customer_reader inside a transaction that sets
-- app.current_customer_id locally; a missing or empty setting matches nothing.
CREATE FUNCTION current_customer_id() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.current_customer_id', true), '')
$$;

DO $$
DECLARE
  guarded text;
BEGIN
  FOREACH guarded IN ARRAY ARRAY['calls', 'call_errors', 'customer_hourly_rollups'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', guarded);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', guarded);
    EXECUTE format('CREATE POLICY customer_reads_own_rows ON %I FOR SELECT TO switchboard_customer_reader USING (customer_id = current_customer_id())', guarded);
    -- The application's own role (the one running this migration) keeps full access.
    EXECUTE format('CREATE POLICY service_role_full_access ON %I TO %I USING (true) WITH CHECK (true)', guarded, current_user);
  END LOOP;
END
$$;

-- Customer-facing views: only customer-safe columns, filtered by the setting. Views over
-- tables run as the invoker (so the tables' policies apply to the reader); views over
-- materialized views (which cannot carry policies) filter by the setting themselves.
CREATE VIEW customer_calls_v1 WITH (security_invoker = true, security_barrier = true) AS
SELECT c.customer_id, c.call_id, c.started_at, c.ended_at, c.status, c.duration_ms, c.billed_micros, c.direction,
       c.error_count, (
         SELECT e.component FROM call_errors e
         WHERE e.customer_id = c.customer_id AND e.call_id = c.call_id
         ORDER BY e.ts, e.event_id LIMIT 1
       ) AS first_error_component
FROM calls c
WHERE c.customer_id = current_customer_id();

CREATE VIEW customer_daily_v1 WITH (security_barrier = true) AS
SELECT customer_id, day, calls, billed_micros FROM mv_customer_daily_v1 WHERE customer_id = current_customer_id();

CREATE VIEW customer_overview_v1 WITH (security_barrier = true) AS
SELECT * FROM mv_customer_overview_v1 WHERE customer_id = current_customer_id();

-- Whether each day is still estimated: a yes/no per day for customers, computed with the owner's
-- rights, so the reader never sees reconciliations (provider names and invoiced totals).
CREATE FUNCTION customer_day_estimated(first_day date, last_day date) RETURNS TABLE (day date, estimated boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT d::date, day_is_estimated(d::date) FROM generate_series(first_day, last_day, interval '1 day') d
$$;
REVOKE ALL ON FUNCTION customer_day_estimated(date, date) FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO switchboard_customer_reader;
GRANT SELECT (customer_id, call_id, started_at, ended_at, status, duration_ms, billed_micros, direction, error_count) ON calls TO switchboard_customer_reader;
GRANT SELECT (customer_id, call_id, component, ts, event_id) ON call_errors TO switchboard_customer_reader;
GRANT SELECT (customer_id, hour, calls, completed, failed, abandoned, with_error, escalated, task_success, task_known, duration_ms_sum, billed_micros, csat_sum, csat_count)
  ON customer_hourly_rollups TO switchboard_customer_reader;
GRANT SELECT ON customer_calls_v1, customer_daily_v1, customer_overview_v1 TO switchboard_customer_reader;
GRANT EXECUTE ON FUNCTION current_customer_id(), customer_day_estimated(date, date) TO switchboard_customer_reader;
-- The application role switches to the reader for customer reads (SET LOCAL ROLE).
GRANT switchboard_customer_reader TO CURRENT_USER;
