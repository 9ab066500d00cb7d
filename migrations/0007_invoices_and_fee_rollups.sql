-- Money (CONTRACT sections 2 and 3): the hourly rollups learn how much of each billed amount is
-- per-minute fees (invoices show usage and fees as separate lines, from the same rollups as the
-- dashboard), and invoices: an issued invoice is frozen, rows the database itself refuses to
-- change. docs/decisions/0007-invoices.md explains adjustments for late changes.

ALTER TABLE customer_hourly_rollups
  ADD COLUMN billed_minutes bigint NOT NULL DEFAULT 0,
  ADD COLUMN fee_micros bigint NOT NULL DEFAULT 0;
GRANT SELECT (billed_minutes, fee_micros) ON customer_hourly_rollups TO switchboard_customer_reader;

-- The refresh now also sums each hour's billed minutes and per-minute fees.
CREATE OR REPLACE FUNCTION refresh_rollups(max_items integer) RETURNS TABLE (hours integer, minutes integer) LANGUAGE plpgsql AS $$
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
  INSERT INTO customer_hourly_rollups (customer_id, hour, calls, completed, failed, abandoned, with_error, escalated, task_success,
    task_known, duration_ms_sum, provider_cost_micros, billed_micros, csat_sum, csat_count, billed_minutes, fee_micros)
  SELECT h.customer_id, h.hour,
         coalesce(c.calls, 0), coalesce(c.completed, 0), coalesce(c.failed, 0), coalesce(c.abandoned, 0), coalesce(c.with_error, 0),
         coalesce(c.escalated, 0), coalesce(c.task_success, 0), coalesce(c.task_known, 0), coalesce(c.duration_ms_sum, 0),
         coalesce(c.provider_cost_micros, 0), coalesce(c.billed_micros, 0), coalesce(f.csat_sum, 0), coalesce(f.csat_count, 0),
         coalesce(c.billed_minutes, 0), coalesce(c.fee_micros, 0)
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
           sum(billed_micros) AS billed_micros,
           sum((coalesce(duration_ms, 0) + 59999) / 60000) AS billed_minutes,
           sum((coalesce(duration_ms, 0) + 59999) / 60000 * coalesce(fee_per_minute_micros, 0)) AS fee_micros
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

-- Existing hours learn their fees on the next refresh.
INSERT INTO rollup_dirty_hours (customer_id, hour) SELECT customer_id, hour FROM customer_hourly_rollups ON CONFLICT DO NOTHING;

-- v2 of the overview: the month's figures are the whole month's rollups (what its invoice
-- shows), not only calls ended before the refresh instant; the 7-day windows are unchanged.
DROP VIEW customer_overview_v1;
DROP MATERIALIZED VIEW mv_customer_overview_v1;
-- Every figure of the customer overview, per customer, as of the moment of the refresh:
-- the month (every call of it stored by then: the invoice's subtotal, from the same rollups), the 7 days ending then, the 7 days before, and the last 7 full days (for the
-- projection). Windows relative to now() are evaluated when the view is refreshed.
CREATE MATERIALIZED VIEW mv_customer_overview_v2 AS
WITH bounds AS (
  SELECT now() AS as_of,
         date_trunc('month', now(), 'UTC') AS month_start,
         date_trunc('day', now(), 'UTC') AS today_start
),
month AS (SELECT t.* FROM bounds, customer_window_totals(bounds.month_start, bounds.month_start + interval '1 month') t),
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
CREATE UNIQUE INDEX mv_customer_overview_v2_key ON mv_customer_overview_v2 (customer_id);

CREATE VIEW customer_overview_v2 WITH (security_barrier = true) AS
SELECT * FROM mv_customer_overview_v2 WHERE customer_id = current_customer_id();
GRANT SELECT ON customer_overview_v2 TO switchboard_customer_reader;

CREATE TABLE invoices (
  customer_id text NOT NULL REFERENCES customers (id),
  month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  status text NOT NULL CHECK (status = 'issued'),
  final boolean NOT NULL,
  calls integer NOT NULL,
  subtotal_micros bigint NOT NULL,
  adjustments_micros bigint NOT NULL,
  total_micros bigint NOT NULL,
  amount_due_cents bigint NOT NULL,
  -- The rate cards in force during the month, for operators; never shown to customers.
  rate_cards jsonb NOT NULL,
  issued_at timestamptz NOT NULL,
  issued_by text NOT NULL,
  PRIMARY KEY (customer_id, month)
);

CREATE TABLE invoice_lines (
  customer_id text NOT NULL,
  month text NOT NULL,
  line_no integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('usage', 'minutes', 'adjustment')),
  description text NOT NULL,
  quantity bigint NOT NULL,
  unit text NOT NULL,
  amount_micros bigint NOT NULL,
  -- For an adjustment: the issued month whose amounts changed after it was issued.
  adjusts_month text,
  PRIMARY KEY (customer_id, month, line_no),
  FOREIGN KEY (customer_id, month) REFERENCES invoices (customer_id, month)
);
CREATE INDEX invoice_lines_adjusts ON invoice_lines (customer_id, adjusts_month) WHERE adjusts_month IS NOT NULL;

CREATE FUNCTION issued_invoices_are_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'issued invoices never change: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER invoices_frozen BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION issued_invoices_are_frozen();
CREATE TRIGGER invoices_not_truncated BEFORE TRUNCATE ON invoices FOR EACH STATEMENT EXECUTE FUNCTION issued_invoices_are_frozen();
CREATE TRIGGER invoice_lines_frozen BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION issued_invoices_are_frozen();
CREATE TRIGGER invoice_lines_not_truncated BEFORE TRUNCATE ON invoice_lines FOR EACH STATEMENT EXECUTE FUNCTION issued_invoices_are_frozen();

DO $$
DECLARE
  guarded text;
BEGIN
  FOREACH guarded IN ARRAY ARRAY['invoices', 'invoice_lines'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', guarded);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', guarded);
    EXECUTE format('CREATE POLICY customer_reads_own_rows ON %I FOR SELECT TO switchboard_customer_reader USING (customer_id = current_customer_id())', guarded);
    EXECUTE format('CREATE POLICY service_role_full_access ON %I TO %I USING (true) WITH CHECK (true)', guarded, current_user);
  END LOOP;
END
$$;
GRANT SELECT (customer_id, month, status, final, calls, subtotal_micros, adjustments_micros, total_micros, amount_due_cents, issued_at) ON invoices TO switchboard_customer_reader;
GRANT SELECT ON invoice_lines TO switchboard_customer_reader;
