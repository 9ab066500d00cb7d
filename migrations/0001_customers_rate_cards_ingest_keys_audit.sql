-- Foundation: tenants, their rate cards, ingest keys (hashes only) and an append-only audit log.
-- Everything later (events, calls, rollups, invoices) hangs off customers.id.

-- The role customer-facing reads drop to (SET LOCAL ROLE) inside a transaction that also sets
-- app.current_customer_id; it owns nothing, so row-level security always applies to it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchboard_customer_reader') THEN
    CREATE ROLE switchboard_customer_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END
$$;

CREATE TABLE customers (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  hourly_spend_limit_micros bigint NOT NULL DEFAULT 100000000 CHECK (hourly_spend_limit_micros >= 0),
  -- NULL: learned from the customer's own traffic.
  normal_calls_per_hour integer CHECK (normal_calls_per_hour > 0),
  retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A rate card applies to calls ended at or after effective_from until the next card.
CREATE TABLE rate_cards (
  customer_id text NOT NULL REFERENCES customers (id),
  effective_from timestamptz NOT NULL,
  markup_bps integer NOT NULL CHECK (markup_bps BETWEEN 0 AND 1000000),
  fee_per_minute_micros bigint NOT NULL CHECK (fee_per_minute_micros >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (customer_id, effective_from)
);

CREATE TABLE ingest_keys (
  id text PRIMARY KEY,
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  customer_id text REFERENCES customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
