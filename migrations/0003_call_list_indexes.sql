-- Indexes behind the operator's call list (GET /api/ops/calls and its CSV export): each sort
-- order reads a page as the first rows of one index range instead of sorting every matching
-- call, and the from/to window finds calls that started before it and still ran inside it
-- without scanning everything older. The list's queries use these exact expressions
-- (workers/calls/list-calls.ts); docs/api.md "Operator calls" describes the orders.

-- A call's place in time: its call.started, else its call.ended; a call known only from
-- mid-call events has no place and sorts as the oldest.
CREATE INDEX calls_list_start ON calls ((coalesce(started_at, ended_at, '-infinity'::timestamptz)) DESC, customer_id, call_id);
CREATE INDEX calls_list_customer_start ON calls (customer_id, (coalesce(started_at, ended_at, '-infinity'::timestamptz)) DESC, call_id);

-- Worst first; a call without turns (no latency) or not ended (no duration) sorts last.
CREATE INDEX calls_list_latency ON calls ((coalesce(max_e2e_ms, -1)) DESC, customer_id, call_id);
CREATE INDEX calls_list_cost ON calls (billed_micros DESC, customer_id, call_id);
CREATE INDEX calls_list_duration ON calls ((coalesce(duration_ms, -1)) DESC, customer_id, call_id);

-- The span a call was active, open-ended while it has no call.ended. least() keeps the range
-- valid when a late-clocked call.started carries a ts after its call.ended.
CREATE INDEX calls_list_active_span ON calls USING gist (
  tstzrange(least(coalesce(started_at, ended_at), ended_at), coalesce(ended_at, 'infinity'::timestamptz), '[]')
) WHERE started_at IS NOT NULL OR ended_at IS NOT NULL;
