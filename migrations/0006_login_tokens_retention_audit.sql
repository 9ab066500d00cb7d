-- Running it for real (CONTRACT section 5, "Tokens" and "Data lifecycle"): the logins operators
-- issue and revoke, the erasure of a call's content (by retention or on request) that keeps
-- every billed figure, and guards so content arriving late for an erased call is erased too.
-- docs/decisions/0006-data-lifecycle.md explains the choices.

-- --- logins ---------------------------------------------------------------------------------
-- Every JWT the API issued (POST /api/ops/tokens, view-sessions), and revocations of tokens it
-- did not issue (`npm run token` ones, known only by their jti). The token itself is never
-- stored: it is shown once. The AccessRegistry Durable Object holds the revoked ids the edge
-- checks on every request; this table is the record operators list and audit.
CREATE TABLE login_tokens (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
  source text NOT NULL CHECK (source IN ('api', 'view_session', 'external')),
  role text CHECK (role IN ('operator', 'customer')),
  customer_id text REFERENCES customers (id),
  subject text,
  created_at timestamptz,
  created_by text,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by text,
  -- What was issued here is fully known; an external token is only a revoked id.
  CHECK ((source = 'external') = (role IS NULL)),
  CHECK (source = 'external' OR (subject IS NOT NULL AND created_at IS NOT NULL AND created_by IS NOT NULL AND expires_at IS NOT NULL)),
  CHECK (source <> 'external' OR revoked_at IS NOT NULL),
  CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
CREATE INDEX login_tokens_listed ON login_tokens ((coalesce(created_at, revoked_at)) DESC, id DESC);

-- --- audit ------------------------------------------------------------------------------------
-- GET /api/ops/audit filters by who or by what was done, newest first, without scanning the log.
CREATE INDEX audit_log_actor ON audit_log (actor, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);

-- --- erasure ----------------------------------------------------------------------------------
-- The calls whose content retention still has to erase, by customer and age. A call's age runs
-- from its call.ended, else its call.started (a call that never ended), else its last event.
CREATE INDEX calls_content_kept ON calls (customer_id, (coalesce(ended_at, started_at, updated_at)))
  WHERE content_erased_at IS NULL;

-- The marker an erased error message reads (the column is NOT NULL: the error's component and
-- code still count in error rates, its words do not survive).
CREATE FUNCTION erased_text() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '[erased]'::text $$;

-- Erases what was said and sent in the given calls: transcript text, tool arguments, results
-- and error text, error messages and stacks, and their raw events. Latencies, statuses, counts
-- and cost lines stay. Idempotent.
CREATE FUNCTION erase_call_details(customer_ids text[], call_ids text[])
RETURNS TABLE (turns integer, tool_calls integer, errors integer, events integer) LANGUAGE sql AS $$
WITH targets AS (
  SELECT DISTINCT customer_id, call_id FROM unnest(customer_ids, call_ids) AS t(customer_id, call_id)
),
turns AS (
  UPDATE call_turns d SET user_text = NULL, agent_text = NULL
  FROM targets t
  WHERE d.customer_id = t.customer_id AND d.call_id = t.call_id AND (d.user_text IS NOT NULL OR d.agent_text IS NOT NULL)
  RETURNING 1
),
tools AS (
  UPDATE tool_calls d SET arguments = NULL, result = NULL, error = CASE WHEN d.error IS NOT NULL THEN erased_text() END
  FROM targets t
  WHERE d.customer_id = t.customer_id AND d.call_id = t.call_id
    AND (d.arguments IS NOT NULL OR d.result IS NOT NULL OR d.error <> erased_text())
  RETURNING 1
),
errors AS (
  UPDATE call_errors d SET message = erased_text(), stack = NULL
  FROM targets t
  WHERE d.customer_id = t.customer_id AND d.call_id = t.call_id AND (d.message <> erased_text() OR d.stack IS NOT NULL)
  RETURNING 1
),
raw AS (
  DELETE FROM events d USING targets t
  WHERE d.customer_id = t.customer_id AND d.call_id = t.call_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM turns)::integer, (SELECT count(*) FROM tools)::integer,
       (SELECT count(*) FROM errors)::integer, (SELECT count(*) FROM raw)::integer
$$;

-- Erases the given calls' content (the details above, their phone numbers and the recording's
-- key; the caller deletes the recording object first) and marks them erased at `erased_at`.
-- Billed amounts, durations, statuses and cost lines are not touched, so no rollup, total or
-- invoice moves. Answers the calls newly marked and the detail rows changed.
CREATE FUNCTION erase_call_content(customer_ids text[], call_ids text[], erased_at timestamptz)
RETURNS TABLE (calls integer, turns integer, tool_calls integer, errors integer, events integer) LANGUAGE plpgsql AS $$
DECLARE
  marked integer;
BEGIN
  UPDATE calls c SET from_number = NULL, to_number = NULL, audio_key = NULL, content_erased_at = erased_at, updated_at = now()
  FROM unnest(customer_ids, call_ids) AS t(customer_id, call_id)
  WHERE c.customer_id = t.customer_id AND c.call_id = t.call_id AND c.content_erased_at IS NULL;
  GET DIAGNOSTICS marked = ROW_COUNT;
  RETURN QUERY SELECT marked, d.turns, d.tool_calls, d.errors, d.events FROM erase_call_details(customer_ids, call_ids) d;
END
$$;

-- Events may still arrive for an erased call (a late turn, a flush of events buffered before
-- the erasure). ingest_events() folds every event into its call's row, so these two triggers,
-- which fire only for calls already erased, keep that call erased: its numbers stay empty, and
-- once the whole statement has stored its rows, the new details and raw events are erased.
CREATE FUNCTION keep_erased_call_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.from_number := NULL;
  NEW.to_number := NULL;
  NEW.audio_key := NULL;
  NEW.content_erased_at := OLD.content_erased_at;
  RETURN NEW;
END
$$;
CREATE TRIGGER calls_keep_erased_fields BEFORE UPDATE ON calls
  FOR EACH ROW WHEN (OLD.content_erased_at IS NOT NULL) EXECUTE FUNCTION keep_erased_call_fields();

CREATE FUNCTION erase_late_call_details() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM erase_call_details(ARRAY[NEW.customer_id], ARRAY[NEW.call_id]);
  RETURN NULL;
END
$$;
CREATE TRIGGER calls_erase_late_details AFTER UPDATE ON calls
  FOR EACH ROW WHEN (OLD.content_erased_at IS NOT NULL) EXECUTE FUNCTION erase_late_call_details();
