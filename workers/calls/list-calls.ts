// The operator's call list (CONTRACT section 3, GET /api/ops/calls): its query parameters, filters,
// sort orders and keyset paging over `calls`. Each sort order is an index of migrations/0003 read
// from the cursor on, so the thousandth page costs what the first does and calls inserted while
// someone pages never shift what the next page holds. docs/api.md "Operator calls" is the
// client's view of the same rules.
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { calls } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { bigintToJson } from '../http/json-values.ts';
import { parseWith } from '../http/validation.ts';
import { callStartedSchema, providerRequestSchema } from '../ingest/event-schema.ts';
import { callStatuses, callStatusInSql, callStatusSql, type CallStatus } from './call-status.ts';
import { openCursor, signCursor, type ListPosition } from './list-cursor.ts';

export const providerKinds = providerRequestSchema.shape.kind.options;
export type ProviderKind = (typeof providerKinds)[number];

/**
 * `started_at` is oldest first and `-started_at` newest first. The contract names latency, cost
 * and duration unsigned, and "sorted by latency" means worst first, so those sort largest first
 * with or without a leading `-`.
 */
export const callSorts = ['-started_at', 'started_at', 'latency_ms', '-latency_ms', 'cost_micros', '-cost_micros', 'duration_ms', '-duration_ms'] as const;
export type CallSort = (typeof callSorts)[number];

export const defaultPageSize = 50;
export const maxPageSize = 500;

// The event schema's own field rules, so a filter accepts exactly what ingestion stored.
const eventFields = callStartedSchema.shape;

export function isE164(text: string): boolean {
  return eventFields.from.safeParse(text).success;
}

const timestampParam = eventFields.ts.transform((text) => new Date(text));

const statusListParam = z.string().transform((text, ctx) => {
  const statuses: CallStatus[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const status = callStatuses.find((known) => known === part);
    if (!status) {
      ctx.issues.push({ code: 'custom', message: `"${part}" is not a status; use a comma list of ${callStatuses.join(', ')}`, input: text });
      return z.NEVER;
    }
    if (!statuses.includes(status)) statuses.push(status);
  }
  return statuses;
});

// A `+` typed into a URL reaches the Worker as a space; "+14155550123" is what was meant.
const phoneParam = z
  .string()
  .transform((text) => text.replace(/^ (?=[1-9])/, '+'))
  .pipe(eventFields.from);

const integerParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const filterShape = {
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  customer_id: eventFields.customer_id.optional(),
  status: statusListParam.optional(),
  phone: phoneParam.optional(),
  min_latency_ms: integerParam(0, Number.MAX_SAFE_INTEGER).optional(),
  region: eventFields.region.optional(),
  provider: eventFields.providers.shape.stt.optional(),
  kind: z.enum(providerKinds, { error: `must be one of ${providerKinds.join(', ')}` }).optional(),
  has_error: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true').optional(),
  sort: z.enum(callSorts, { error: `must be one of ${callSorts.join(', ')}` }).default('-started_at'),
};

function checkCombination(value: { from?: Date | undefined; to?: Date | undefined; kind?: string | undefined; provider?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.from && value.to && value.to.getTime() <= value.from.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
  if (value.kind !== undefined && value.provider === undefined) {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: 'only applies together with provider (kind=tts&provider=cartesia)' });
  }
}

const callFilterQuery = z.object(filterShape).superRefine(checkCombination);
const listShape = {
  ...filterShape,
  limit: integerParam(1, maxPageSize).default(defaultPageSize),
  cursor: z.string().min(1).max(4096).optional(),
};
const callListQuery = z.object(listShape).superRefine(checkCombination);
export type CallFilters = z.output<typeof callFilterQuery>;
export type CallListInput = z.output<typeof callListQuery>;

/** Statuses may be repeated (`status=failed&status=stale`); any other parameter only once. */
const repeatable = new Set(['status']);

/** A query string as hono's `c.req.queries()` gives it, checked against the parameter names. */
function flattenQuery(params: Record<string, string[]>, known: readonly string[]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, values] of Object.entries(params)) {
    if (!known.includes(name)) {
      throw new ApiError('validation_failed', 'The query is not valid.', [{ path: name, message: `is not a parameter here; use ${known.join(', ')}` }]);
    }
    if (values.length > 1 && !repeatable.has(name)) {
      throw new ApiError('validation_failed', 'The query is not valid.', [{ path: name, message: 'is given more than once' }]);
    }
    flat[name] = values.join(',');
  }
  return flat;
}

export function readCallFilters(params: Record<string, string[]>): CallFilters {
  return parseWith(callFilterQuery, flattenQuery(params, Object.keys(filterShape)), 'query');
}

export function readCallListInput(params: Record<string, string[]>): CallListInput {
  return parseWith(callListQuery, flattenQuery(params, Object.keys(listShape)), 'query');
}

export interface CallListRow {
  customer_id: string;
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  status: CallStatus;
  duration_ms: number | null;
  /** The worst turn's e2e_ms; null before the first turn. */
  latency_ms: number | null;
  /** Billed amount. */
  cost_micros: number;
  provider_cost_micros: number;
  region: string | null;
  from: string | null;
  to: string | null;
  agent_id: string | null;
  agent_version: string | null;
  providers: Record<ProviderKind, string | null>;
  has_error: boolean;
  error_count: number;
  turn_count: number;
}

export interface CallListPage {
  data: CallListRow[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Where a call sits in time: its call.started, else its call.ended; unknown sorts as the oldest. */
const startKey = sql`coalesce(${calls.startedAt}, ${calls.endedAt}, '-infinity'::timestamptz)`;
/** The span a call was active (migrations/0003 calls_list_active_span), open-ended until it ends. */
const activeSpan = sql`tstzrange(least(coalesce(${calls.startedAt}, ${calls.endedAt}), ${calls.endedAt}), coalesce(${calls.endedAt}, 'infinity'::timestamptz), '[]')`;
const placedInTime = sql`(${calls.startedAt} IS NOT NULL OR ${calls.endedAt} IS NOT NULL)`;

interface SortOrder {
  key: SQL;
  keyIsTime: boolean;
  descending: boolean;
}

const largestFirst = (key: SQL): SortOrder => ({ key, keyIsTime: false, descending: true });
const latencyOrder = largestFirst(sql`coalesce(${calls.maxE2eMs}, -1)`);
const costOrder = largestFirst(sql`${calls.billedMicros}`);
const durationOrder = largestFirst(sql`coalesce(${calls.durationMs}, -1)`);

const sortOrders: Record<CallSort, SortOrder> = {
  '-started_at': { key: startKey, keyIsTime: true, descending: true },
  started_at: { key: startKey, keyIsTime: true, descending: false },
  latency_ms: latencyOrder,
  '-latency_ms': latencyOrder,
  cost_micros: costOrder,
  '-cost_micros': costOrder,
  duration_ms: durationOrder,
  '-duration_ms': durationOrder,
};

/** The sort key as the cursor carries it: exact to the microsecond, with no float in between. */
function keyText(order: SortOrder): SQL {
  return order.keyIsTime
    ? sql`(CASE WHEN isfinite(${order.key}) THEN (extract(epoch FROM ${order.key}) * 1000000)::bigint::text END)`
    : sql`(${order.key})::text`;
}

function keyValue(order: SortOrder, key: string | null): SQL {
  if (!order.keyIsTime) return sql`${key}::bigint`;
  return key === null ? sql`'-infinity'::timestamptz` : sql`('epoch'::timestamptz + ${key}::bigint * interval '1 microsecond')`;
}

/** Rows after `position`; ties go by customer_id then call_id, ascending in every order. */
function afterPosition(order: SortOrder, position: ListPosition): SQL {
  const key = keyValue(order, position.key);
  const tieAfter = sql`(${calls.customerId}, ${calls.callId}) > (${position.customerId}, ${position.callId})`;
  return order.descending
    ? sql`${order.key} <= ${key} AND (${order.key} < ${key} OR ${tieAfter})`
    : sql`${order.key} >= ${key} AND (${order.key} > ${key} OR ${tieAfter})`;
}

function timeParam(value: Date): SQL {
  return sql`${value.toISOString()}::timestamptz`;
}

function filterConditions(filters: CallFilters, asOf: Date): SQL[] {
  const where: SQL[] = [];
  if (filters.customer_id !== undefined) where.push(sql`${calls.customerId} = ${filters.customer_id}`);
  if (filters.status !== undefined) where.push(callStatusInSql(filters.status, asOf));
  if (filters.phone !== undefined) {
    // Erased calls keep no numbers, whatever the erasure left in the columns.
    where.push(sql`(${calls.fromNumber} = ${filters.phone} OR ${calls.toNumber} = ${filters.phone}) AND ${calls.contentErasedAt} IS NULL`);
  }
  if (filters.min_latency_ms !== undefined) where.push(sql`${calls.maxE2eMs} >= ${filters.min_latency_ms}`);
  if (filters.region !== undefined) where.push(sql`${calls.region} = ${filters.region}`);
  if (filters.provider !== undefined) {
    const byKind = { stt: calls.sttProvider, llm: calls.llmProvider, tts: calls.ttsProvider, telephony: calls.telephonyProvider };
    where.push(
      filters.kind !== undefined
        ? sql`${byKind[filters.kind]} = ${filters.provider}`
        : sql`${filters.provider} IN (${calls.sttProvider}, ${calls.llmProvider}, ${calls.ttsProvider}, ${calls.telephonyProvider})`,
    );
  }
  if (filters.has_error === true) where.push(sql`(${calls.status} = 'failed' OR ${calls.errorCount} > 0)`);
  if (filters.has_error === false) where.push(sql`(${calls.status} IS DISTINCT FROM 'failed' AND ${calls.errorCount} = 0)`);
  // Active at some time in [from, to): started before `to` and not ended before `from`. A call
  // with neither a start nor an end cannot be placed in a window.
  if (filters.from !== undefined || filters.to !== undefined) where.push(placedInTime);
  if (filters.to !== undefined) where.push(sql`${startKey} < ${timeParam(filters.to)}`);
  // Written so no index on ended_at applies: the start index, read in order, answers sooner.
  if (filters.from !== undefined) where.push(sql`coalesce(${calls.endedAt}, 'infinity'::timestamptz) >= ${timeParam(filters.from)}`);
  return where;
}

/**
 * The matching calls as disjoint parts, each an index range: with `from`, the calls that started
 * inside the window (the start index) and those that started earlier and were still active at
 * `from` (the span index), which keeps a window in the past from scanning all older history.
 */
function matchingParts(filters: CallFilters, asOf: Date): SQL[][] {
  const where = filterConditions(filters, asOf);
  if (filters.from === undefined) return [where];
  const from = timeParam(filters.from);
  return [
    [...where, sql`${startKey} >= ${from}`],
    [...where, sql`${startKey} < ${from}`, sql`${activeSpan} @> ${from}`],
  ];
}

interface CallSqlRow extends Record<string, unknown> {
  customer_id: string;
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  status: CallStatus;
  duration_ms: string | null;
  latency_ms: string | null;
  cost_micros: string;
  provider_cost_micros: string;
  region: string | null;
  from_number: string | null;
  to_number: string | null;
  agent_id: string | null;
  agent_version: string | null;
  stt_provider: string | null;
  llm_provider: string | null;
  tts_provider: string | null;
  telephony_provider: string | null;
  error_count: number;
  turn_count: number;
  sort_key: string | null;
}

function isoSql(column: typeof calls.startedAt): SQL {
  return sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

function selectPart(order: SortOrder, where: SQL[], limit: number, asOf: Date): SQL {
  const direction = order.descending ? sql.raw('DESC') : sql.raw('ASC');
  return sql`SELECT ${calls.customerId} AS customer_id, ${calls.callId} AS call_id,
      ${isoSql(calls.startedAt)} AS started_at, ${isoSql(calls.endedAt)} AS ended_at,
      ${callStatusSql(asOf)} AS status,
      ${calls.durationMs}::text AS duration_ms, ${calls.maxE2eMs}::text AS latency_ms,
      ${calls.billedMicros}::text AS cost_micros, ${calls.providerCostMicros}::text AS provider_cost_micros,
      ${calls.region} AS region,
      CASE WHEN ${calls.contentErasedAt} IS NULL THEN ${calls.fromNumber} END AS from_number,
      CASE WHEN ${calls.contentErasedAt} IS NULL THEN ${calls.toNumber} END AS to_number,
      ${calls.agentId} AS agent_id, ${calls.agentVersion} AS agent_version,
      ${calls.sttProvider} AS stt_provider, ${calls.llmProvider} AS llm_provider,
      ${calls.ttsProvider} AS tts_provider, ${calls.telephonyProvider} AS telephony_provider,
      ${calls.errorCount} AS error_count, ${calls.turnCount} AS turn_count,
      ${order.key} AS sort_value, ${keyText(order)} AS sort_key
    FROM ${calls}
    ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
    ORDER BY ${order.key} ${direction}, ${calls.customerId}, ${calls.callId}
    LIMIT ${limit}`;
}

function toNumber(text: string): number;
function toNumber(text: string | null): number | null;
function toNumber(text: string | null): number | null {
  return text === null ? null : bigintToJson(BigInt(text));
}

function toListRow(row: CallSqlRow): CallListRow {
  return {
    customer_id: row.customer_id,
    call_id: row.call_id,
    started_at: row.started_at,
    ended_at: row.ended_at,
    status: row.status,
    duration_ms: toNumber(row.duration_ms),
    latency_ms: toNumber(row.latency_ms),
    cost_micros: toNumber(row.cost_micros),
    provider_cost_micros: toNumber(row.provider_cost_micros),
    region: row.region,
    from: row.from_number,
    to: row.to_number,
    agent_id: row.agent_id,
    agent_version: row.agent_version,
    providers: { stt: row.stt_provider, llm: row.llm_provider, tts: row.tts_provider, telephony: row.telephony_provider },
    has_error: row.status === 'failed' || row.error_count > 0,
    error_count: row.error_count,
    turn_count: row.turn_count,
  };
}

export interface ListedCall {
  call: CallListRow;
  /** Where the call sits in the sort order, to continue after it. */
  position: ListPosition;
}

/** Up to `limit` calls matching `filters` in `filters.sort` order, after `after` when given. */
export async function readCallPage({ db, filters, after, limit, asOf }: {
  db: Queryable;
  filters: CallFilters;
  after: ListPosition | null;
  limit: number;
  asOf: Date;
}): Promise<ListedCall[]> {
  const order = sortOrders[filters.sort];
  const parts = matchingParts(filters, asOf).map((where) => selectPart(order, after ? [...where, afterPosition(order, after)] : where, limit, asOf));
  const query =
    parts.length === 1 && parts[0]
      ? parts[0]
      : sql`SELECT * FROM (${sql.join(parts.map((part) => sql`(${part})`), sql` UNION ALL `)}) AS page
          ORDER BY sort_value ${sql.raw(order.descending ? 'DESC' : 'ASC')}, customer_id, call_id LIMIT ${limit}`;
  const result = await db.execute<CallSqlRow>(query);
  return result.rows.map((row) => ({
    call: toListRow(row),
    position: { sort: filters.sort, key: row.sort_key, customerId: row.customer_id, callId: row.call_id, asOf },
  }));
}

/** How many calls match `filters`, counted part by part on the same indexes the pages use. */
export async function countCalls({ db, filters, asOf }: { db: Queryable; filters: CallFilters; asOf: Date }): Promise<number> {
  const counts = matchingParts(filters, asOf).map(
    (where) => sql`(SELECT count(*) FROM ${calls} ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``})`,
  );
  const result = await db.execute<{ total: string }>(sql`SELECT (${sql.join(counts, sql` + `)})::text AS total`);
  return toNumber(result.rows[0]?.total ?? '0');
}

export async function listCalls({ db, input, cursorSecret, now = new Date() }: {
  db: Queryable;
  input: CallListInput;
  /** Signs and checks cursors (the Worker passes JWT_SECRET). */
  cursorSecret: string;
  /** The clock for the 4 h stale rule on the first page; later pages keep the first page's. */
  now?: Date;
}): Promise<CallListPage> {
  const after = input.cursor === undefined ? null : await openCursor(input.cursor, input.sort, cursorSecret);
  const listed = await readCallPage({ db, filters: input, after, limit: input.limit + 1, asOf: after?.asOf ?? now });
  const page = listed.slice(0, input.limit);
  const last = page.at(-1);
  const hasMore = listed.length > input.limit;
  return {
    data: page.map((entry) => entry.call),
    has_more: hasMore,
    next_cursor: hasMore && last ? await signCursor(last.position, cursorSecret) : null,
  };
}
