-- The event spine: raw events kept as received (partitioned by month), their idempotency keys,
-- and the per-call projection the operator's call list, call detail and later the rollups read.
-- ingest_events(batch) is the only writer: the TenantMeter flush and the demo backfill both call
-- it, so a call looks the same however its events arrived. See docs/decisions/0002-event-storage.md.

-- Idempotency lives in a table of its own because a partitioned table's unique key must include
-- its partition column (ts), and a re-sent event may carry another ts.
CREATE TABLE event_keys (
  customer_id text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id)
);

CREATE TABLE events (
  customer_id text NOT NULL,
  id text NOT NULL,
  ts timestamptz NOT NULL,
  type text NOT NULL,
  call_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  body jsonb NOT NULL,
  PRIMARY KEY (customer_id, ts, id)
) PARTITION BY RANGE (ts);
-- Catches anything outside the prepared months so no event is ever refused for want of a partition.
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_call ON events (customer_id, call_id, ts);

CREATE FUNCTION ensure_event_partitions(first_month date, month_count integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  month_start date;
  created integer := 0;
  partition_name text;
BEGIN
  FOR i IN 0 .. month_count - 1 LOOP
    month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
    partition_name := format('events_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
        partition_name, month_start::timestamptz AT TIME ZONE 'UTC', (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;
SELECT ensure_event_partitions((now() AT TIME ZONE 'UTC' - interval '2 months')::date, 5);

CREATE TABLE calls (
  customer_id text NOT NULL REFERENCES customers (id),
  call_id text NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  -- completed / failed / abandoned once ended; NULL while in progress.
  status text CHECK (status IN ('completed', 'failed', 'abandoned')),
  direction text,
  from_number text,
  to_number text,
  agent_id text,
  agent_version text,
  region text,
  stt_provider text,
  llm_provider text,
  tts_provider text,
  telephony_provider text,
  trace_id text,
  duration_ms bigint,
  ttfa_ms bigint,
  escalated boolean,
  task_success boolean,
  ended_event_id text,
  turn_count integer NOT NULL DEFAULT 0,
  max_e2e_ms bigint,
  interrupted boolean NOT NULL DEFAULT false,
  error_count integer NOT NULL DEFAULT 0,
  tool_call_count integer NOT NULL DEFAULT 0,
  tool_failure_count integer NOT NULL DEFAULT 0,
  csat_sum integer NOT NULL DEFAULT 0,
  csat_count integer NOT NULL DEFAULT 0,
  -- Estimated until reconciled; billed follows the rate card in force at ended_at.
  provider_cost_micros bigint NOT NULL DEFAULT 0,
  billed_micros bigint NOT NULL DEFAULT 0,
  markup_bps integer,
  fee_per_minute_micros bigint,
  audio_content_type text,
  audio_sha256 text,
  audio_key text,
  content_erased_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, call_id)
);
CREATE INDEX calls_started ON calls (started_at DESC, customer_id, call_id);
CREATE INDEX calls_customer_started ON calls (customer_id, started_at DESC);
CREATE INDEX calls_ended ON calls (ended_at);
CREATE INDEX calls_from_number ON calls (from_number);
CREATE INDEX calls_to_number ON calls (to_number);
CREATE INDEX calls_in_progress ON calls (started_at) WHERE ended_at IS NULL;

CREATE TABLE call_turns (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  turn integer NOT NULL,
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  user_text text,
  agent_text text,
  stt_ms bigint NOT NULL,
  llm_ms bigint NOT NULL,
  tts_ms bigint NOT NULL,
  e2e_ms bigint NOT NULL,
  interrupted boolean NOT NULL,
  PRIMARY KEY (customer_id, call_id, turn)
);
CREATE INDEX call_turns_ts ON call_turns (ts);

CREATE TABLE provider_requests (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  kind text NOT NULL,
  provider text NOT NULL,
  ok boolean NOT NULL,
  latency_ms bigint NOT NULL,
  error_code text,
  PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX provider_requests_call ON provider_requests (customer_id, call_id);
CREATE INDEX provider_requests_ts ON provider_requests (ts, kind, provider);

CREATE TABLE tool_calls (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  name text NOT NULL,
  ok boolean NOT NULL,
  latency_ms bigint NOT NULL,
  arguments jsonb,
  result jsonb,
  error text,
  PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX tool_calls_call ON tool_calls (customer_id, call_id);

CREATE TABLE call_errors (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  component text NOT NULL,
  code text NOT NULL,
  message text NOT NULL,
  stack text,
  PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX call_errors_call ON call_errors (customer_id, call_id);

CREATE TABLE call_feedback (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  csat integer NOT NULL CHECK (csat BETWEEN 1 AND 5),
  PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX call_feedback_ts ON call_feedback (ts);

CREATE TABLE call_cost_lines (
  customer_id text NOT NULL,
  call_id text NOT NULL,
  line_no integer NOT NULL,
  component text NOT NULL,
  provider text NOT NULL,
  quantity numeric NOT NULL,
  unit text NOT NULL,
  estimated_micros bigint NOT NULL CHECK (estimated_micros >= 0),
  -- Set by a reconciliation of this line's (day, component, provider); replaces the estimate.
  reconciled_micros bigint CHECK (reconciled_micros >= 0),
  PRIMARY KEY (customer_id, call_id, line_no)
);
CREATE INDEX call_cost_lines_pair ON call_cost_lines (component, provider);

-- The contract's billed amount of one call, in integer arithmetic (analytics/money.ts holds the
-- same definition; an integration test compares the two on random inputs).
CREATE FUNCTION billed_amount_micros(provider_cost bigint, duration_ms bigint, markup_bps integer, fee_per_minute bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
  -- div() is exact integer division; numeric '/' rounds its quotient, which floor() then trusts.
  SELECT (div(provider_cost::numeric * (10000 + markup_bps) + 5000, 10000)
          + div(duration_ms::numeric + 59999, 60000) * fee_per_minute)::bigint
$$;

-- Stores a batch of events exactly once per (customer_id, id) and folds the new ones into calls
-- and their detail tables. Each element is {"event": <validated, canonical ts>, "raw": <as
-- received, unknown fields included>}. One statement, so a flush is all or nothing and a retried
-- flush changes nothing already stored. Answers the number of events that were new.
CREATE FUNCTION ingest_events(batch jsonb) RETURNS integer LANGUAGE sql AS $$
WITH input AS (
  SELECT e.value->'event' AS body, e.value->'raw' AS raw, e.ordinality AS ord,
         e.value->'event'->>'customer_id' AS customer_id, e.value->'event'->>'id' AS id,
         e.value->'event'->>'type' AS type, e.value->'event'->>'call_id' AS call_id,
         (e.value->'event'->>'ts')::timestamptz AS ts
  FROM jsonb_array_elements(batch) WITH ORDINALITY AS e
),
fresh_keys AS (
  INSERT INTO event_keys (customer_id, id)
  SELECT DISTINCT customer_id, id FROM input
  ON CONFLICT DO NOTHING
  RETURNING customer_id, id
),
fresh AS (
  SELECT DISTINCT ON (i.customer_id, i.id) i.*
  FROM input i JOIN fresh_keys k USING (customer_id, id)
  ORDER BY i.customer_id, i.id, i.ord
),
raw AS (
  INSERT INTO events (customer_id, id, ts, type, call_id, body)
  SELECT customer_id, id, ts, type, call_id, raw FROM fresh
  RETURNING 1
),
turns AS (
  INSERT INTO call_turns (customer_id, call_id, turn, event_id, ts, user_text, agent_text, stt_ms, llm_ms, tts_ms, e2e_ms, interrupted)
  SELECT customer_id, call_id, (body->>'turn')::integer, id, ts, body->>'user_text', body->>'agent_text',
         (body->>'stt_ms')::bigint, (body->>'llm_ms')::bigint, (body->>'tts_ms')::bigint, (body->>'e2e_ms')::bigint,
         (body->>'interrupted')::boolean
  FROM fresh WHERE type = 'call.turn'
  ON CONFLICT DO NOTHING
  RETURNING customer_id, call_id, e2e_ms, interrupted
),
provider_rows AS (
  INSERT INTO provider_requests (customer_id, call_id, event_id, ts, kind, provider, ok, latency_ms, error_code)
  SELECT customer_id, call_id, id, ts, body->>'kind', body->>'provider', (body->>'ok')::boolean,
         (body->>'latency_ms')::bigint, body->>'error_code'
  FROM fresh WHERE type = 'provider.request'
  RETURNING 1
),
tools AS (
  INSERT INTO tool_calls (customer_id, call_id, event_id, ts, name, ok, latency_ms, arguments, result, error)
  SELECT customer_id, call_id, id, ts, body->>'name', (body->>'ok')::boolean, (body->>'latency_ms')::bigint,
         body->'arguments', body->'result', body->>'error'
  FROM fresh WHERE type = 'tool.call'
  RETURNING customer_id, call_id, ok
),
errors AS (
  INSERT INTO call_errors (customer_id, call_id, event_id, ts, component, code, message, stack)
  SELECT customer_id, call_id, id, ts, body->>'component', body->>'code', body->>'message', body->>'stack'
  FROM fresh WHERE type = 'call.error'
  RETURNING customer_id, call_id
),
feedback AS (
  INSERT INTO call_feedback (customer_id, call_id, event_id, ts, csat)
  SELECT customer_id, call_id, id, ts, (body->>'csat')::integer
  FROM fresh WHERE type = 'call.feedback'
  RETURNING customer_id, call_id, csat
),
started AS (
  SELECT DISTINCT ON (customer_id, call_id) * FROM fresh WHERE type = 'call.started' ORDER BY customer_id, call_id, ord
),
-- The first call.ended of a call is authoritative; later ones are kept as raw events only.
ended AS (
  SELECT DISTINCT ON (f.customer_id, f.call_id) f.*,
         (SELECT coalesce(sum((line->>'cost_micros')::bigint), 0)::bigint FROM jsonb_array_elements(f.body->'cost') line) AS cost_micros
  FROM fresh f WHERE f.type = 'call.ended' ORDER BY f.customer_id, f.call_id, f.ord
),
first_ended AS (
  SELECT en.*, card.markup_bps, card.fee_per_minute_micros
  FROM ended en
  LEFT JOIN LATERAL (
    SELECT markup_bps, fee_per_minute_micros FROM rate_cards
    WHERE rate_cards.customer_id = en.customer_id AND rate_cards.effective_from <= en.ts
    ORDER BY effective_from DESC LIMIT 1
  ) card ON true
  WHERE NOT EXISTS (
    SELECT 1 FROM calls c WHERE c.customer_id = en.customer_id AND c.call_id = en.call_id AND c.ended_event_id IS NOT NULL
  )
),
touched AS (
  SELECT customer_id, call_id, (array_agg(body->>'trace_id' ORDER BY ord) FILTER (WHERE body ? 'trace_id'))[1] AS trace_id
  FROM fresh GROUP BY customer_id, call_id
),
per_call AS (
  SELECT t.customer_id, t.call_id, t.trace_id,
         s.ts AS started_at, s.body AS started,
         en.ts AS ended_at, en.body AS ended, en.id AS ended_event_id, en.cost_micros,
         en.markup_bps, en.fee_per_minute_micros,
         (SELECT count(*) FROM turns x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS turn_count,
         (SELECT max(e2e_ms) FROM turns x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS max_e2e_ms,
         coalesce((SELECT bool_or(interrupted) FROM turns x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id), false) AS interrupted,
         (SELECT count(*) FROM errors x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS error_count,
         (SELECT count(*) FROM tools x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS tool_call_count,
         (SELECT count(*) FILTER (WHERE NOT ok) FROM tools x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS tool_failure_count,
         (SELECT coalesce(sum(csat), 0) FROM feedback x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS csat_sum,
         (SELECT count(*) FROM feedback x WHERE x.customer_id = t.customer_id AND x.call_id = t.call_id) AS csat_count
  FROM touched t
  LEFT JOIN started s USING (customer_id, call_id)
  LEFT JOIN first_ended en USING (customer_id, call_id)
),
upserted AS (
  INSERT INTO calls AS c (
    customer_id, call_id, trace_id, started_at, direction, from_number, to_number, agent_id, agent_version, region,
    stt_provider, llm_provider, tts_provider, telephony_provider,
    ended_at, status, duration_ms, ttfa_ms, escalated, task_success, ended_event_id,
    provider_cost_micros, billed_micros, markup_bps, fee_per_minute_micros, audio_content_type, audio_sha256,
    turn_count, max_e2e_ms, interrupted, error_count, tool_call_count, tool_failure_count, csat_sum, csat_count, updated_at)
  SELECT customer_id, call_id, trace_id, started_at, started->>'direction', started->>'from', started->>'to',
         started->>'agent_id', started->>'agent_version', started->>'region',
         started->'providers'->>'stt', started->'providers'->>'llm', started->'providers'->>'tts', started->'providers'->>'telephony',
         ended_at, ended->>'status', (ended->>'duration_ms')::bigint, (ended->>'ttfa_ms')::bigint,
         (ended->>'escalated')::boolean, (ended->>'task_success')::boolean, ended_event_id,
         coalesce(cost_micros, 0),
         coalesce(billed_amount_micros(cost_micros, (ended->>'duration_ms')::bigint, markup_bps, fee_per_minute_micros), 0),
         markup_bps, fee_per_minute_micros, ended->'audio'->>'content_type', ended->'audio'->>'sha256',
         turn_count, max_e2e_ms, interrupted, error_count, tool_call_count, tool_failure_count, csat_sum, csat_count, now()
  FROM per_call
  ON CONFLICT (customer_id, call_id) DO UPDATE SET
    trace_id = coalesce(c.trace_id, excluded.trace_id),
    started_at = coalesce(c.started_at, excluded.started_at),
    direction = coalesce(c.direction, excluded.direction),
    from_number = coalesce(c.from_number, excluded.from_number),
    to_number = coalesce(c.to_number, excluded.to_number),
    agent_id = coalesce(c.agent_id, excluded.agent_id),
    agent_version = coalesce(c.agent_version, excluded.agent_version),
    region = coalesce(c.region, excluded.region),
    stt_provider = coalesce(c.stt_provider, excluded.stt_provider),
    llm_provider = coalesce(c.llm_provider, excluded.llm_provider),
    tts_provider = coalesce(c.tts_provider, excluded.tts_provider),
    telephony_provider = coalesce(c.telephony_provider, excluded.telephony_provider),
    ended_at = coalesce(c.ended_at, excluded.ended_at),
    status = coalesce(c.status, excluded.status),
    duration_ms = coalesce(c.duration_ms, excluded.duration_ms),
    ttfa_ms = coalesce(c.ttfa_ms, excluded.ttfa_ms),
    escalated = coalesce(c.escalated, excluded.escalated),
    task_success = CASE WHEN c.ended_event_id IS NULL THEN excluded.task_success ELSE c.task_success END,
    ended_event_id = coalesce(c.ended_event_id, excluded.ended_event_id),
    provider_cost_micros = CASE WHEN c.ended_event_id IS NULL THEN excluded.provider_cost_micros ELSE c.provider_cost_micros END,
    billed_micros = CASE WHEN c.ended_event_id IS NULL THEN excluded.billed_micros ELSE c.billed_micros END,
    markup_bps = coalesce(c.markup_bps, excluded.markup_bps),
    fee_per_minute_micros = coalesce(c.fee_per_minute_micros, excluded.fee_per_minute_micros),
    audio_content_type = coalesce(c.audio_content_type, excluded.audio_content_type),
    audio_sha256 = coalesce(c.audio_sha256, excluded.audio_sha256),
    turn_count = c.turn_count + excluded.turn_count,
    max_e2e_ms = greatest(c.max_e2e_ms, excluded.max_e2e_ms),
    interrupted = c.interrupted OR excluded.interrupted,
    error_count = c.error_count + excluded.error_count,
    tool_call_count = c.tool_call_count + excluded.tool_call_count,
    tool_failure_count = c.tool_failure_count + excluded.tool_failure_count,
    csat_sum = c.csat_sum + excluded.csat_sum,
    csat_count = c.csat_count + excluded.csat_count,
    updated_at = now()
  RETURNING 1
),
cost_lines AS (
  INSERT INTO call_cost_lines (customer_id, call_id, line_no, component, provider, quantity, unit, estimated_micros)
  SELECT en.customer_id, en.call_id, line.ordinality::integer - 1, line.value->>'component', line.value->>'provider',
         (line.value->>'quantity')::numeric, line.value->>'unit', (line.value->>'cost_micros')::bigint
  FROM first_ended en CROSS JOIN jsonb_array_elements(en.body->'cost') WITH ORDINALITY AS line
  ON CONFLICT DO NOTHING
  RETURNING 1
)
-- Postgres runs every data-modifying CTE whether or not it is read.
SELECT count(*)::integer FROM fresh
$$;
