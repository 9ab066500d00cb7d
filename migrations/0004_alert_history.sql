-- Alert history: every incident the AlertDesk Durable Object raised, copied here (best effort,
-- retried) so reports and audits outlive the object's own 7-day recent list.
CREATE TABLE alert_history (
  id text PRIMARY KEY,
  dedup_key text NOT NULL,
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('critical', 'warning')),
  status text NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
  customer_id text,
  subject jsonb NOT NULL,
  summary text NOT NULL,
  value double precision NOT NULL,
  threshold double precision NOT NULL,
  details jsonb NOT NULL,
  triggered_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz
);
CREATE INDEX alert_history_triggered ON alert_history (triggered_at DESC);
CREATE INDEX alert_history_customer ON alert_history (customer_id, triggered_at DESC);
