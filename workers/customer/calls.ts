// GET /api/customer/calls (+ .csv): the customer's own calls, newest first, with a plain-words
// reason for failures and the billed cost: enough to answer "why did this call fail?" and to
// check an invoice line. No providers, numbers, transcripts or internals.
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { openCursor, signCursor } from '../calls/list-cursor.ts';
import type { Database } from '../db/client.ts';
import { csvOptions, numberCell, textCell } from '../http/csv-cells.ts';
import { ApiError } from '../http/errors.ts';
import { withCustomerScope } from './customer-scope.ts';

export const customerCallsQuery = z.strictObject({
  from: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).optional(),
  to: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).optional(),
  status: z.enum(['completed', 'failed', 'abandoned', 'in_progress']).optional(),
  q: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(1024).optional(),
});
export type CustomerCallsQuery = z.output<typeof customerCallsQuery>;

export interface CustomerCallRow {
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  status: 'completed' | 'failed' | 'abandoned' | 'in_progress';
  failure_reason: string | null;
  cost_micros: number;
}

const failureReasons: Record<string, string> = {
  stt: "The caller's speech could not be recognised.",
  llm: 'The agent could not come up with a reply.',
  tts: "The agent's voice could not be produced.",
  telephony: 'The phone connection failed.',
  tool: 'An action the agent needed, such as a lookup or a booking, failed.',
  platform: 'A service error interrupted the call.',
};

export function failureReason(status: string | null, firstErrorComponent: string | null): string | null {
  if (status === 'abandoned') return 'The caller hung up before the call finished.';
  if (status !== 'failed') return null;
  return (firstErrorComponent && failureReasons[firstErrorComponent]) ?? 'The call failed.';
}

type Row = {
  call_id: string;
  started_at: string | Date | null;
  ended_at: string | Date | null;
  placed_at_us: string;
  duration_ms: string | null;
  status: string | null;
  billed_micros: string;
  first_error_component: string | null;
};

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());
const cursorSort = 'customer:-started_at';

async function readPage(db: Database, customerId: string, query: CustomerCallsQuery, limit: number, after: { key: string; callId: string } | null): Promise<Row[]> {
  return withCustomerScope(db, customerId, async (tx) => {
    const placed = sql`coalesce(started_at, ended_at)`;
    const conditions = [sql`${placed} IS NOT NULL`];
    if (query.from) conditions.push(sql`${placed} >= ${query.from}`);
    if (query.to) conditions.push(sql`${placed} < ${query.to}`);
    if (query.status === 'in_progress') conditions.push(sql`status IS NULL`);
    else if (query.status) conditions.push(sql`status = ${query.status}`);
    if (query.q) conditions.push(sql`call_id ILIKE ${`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
    if (after) conditions.push(sql`(${placed}, call_id) < (to_timestamp(${after.key}::numeric / 1000000), ${after.callId})`);
    const result = await tx.execute<Row>(sql`
      SELECT call_id, started_at, ended_at, (extract(epoch FROM ${placed}) * 1000000)::bigint::text AS placed_at_us,
             duration_ms::text AS duration_ms, status, billed_micros::text AS billed_micros, first_error_component
      FROM customer_calls_v1
      WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY ${placed} DESC, call_id DESC
      LIMIT ${limit}`);
    return result.rows;
  });
}

function toCallRow(row: Row): CustomerCallRow {
  const status = (row.status ?? 'in_progress') as CustomerCallRow['status'];
  return {
    call_id: row.call_id,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    status,
    failure_reason: failureReason(row.status, row.first_error_component),
    cost_micros: Number(row.billed_micros),
  };
}

export async function listCustomerCalls({ db, customerId, query, cursorSecret }: { db: Database; customerId: string; query: CustomerCallsQuery; cursorSecret: string }): Promise<{ data: CustomerCallRow[]; has_more: boolean; next_cursor: string | null }> {
  const position = query.cursor ? await openCursor(query.cursor, cursorSort, cursorSecret) : null;
  // The cursor carries its tenant: another customer's cursor is refused, not reinterpreted.
  if (position && position.customerId !== customerId) {
    throw new ApiError('validation_failed', 'The cursor is not valid: pass `next_cursor` from the previous page unchanged.', [{ path: 'cursor', message: 'belongs to another list' }]);
  }
  const after = position && position.key !== null ? { key: position.key, callId: position.callId } : null;
  const rows = await readPage(db, customerId, query, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > query.limit && last !== undefined;
  return {
    data: page.map(toCallRow),
    has_more: hasMore,
    next_cursor: hasMore && last ? await signCursor({ sort: cursorSort, key: last.placed_at_us, customerId, callId: last.call_id, asOf: new Date() }, cursorSecret) : null,
  };
}

export const maxCustomerCsvRows = 10_000;
const csvHeader = ['call_id', 'started_at', 'ended_at', 'duration_ms', 'status', 'failure_reason', 'cost_micros'] as const;

export async function customerCallsCsv({ db, customerId, query }: { db: Database; customerId: string; query: CustomerCallsQuery }): Promise<{ body: string; truncated: boolean }> {
  const rows = await readPage(db, customerId, query, maxCustomerCsvRows + 1, null);
  const records = rows.slice(0, maxCustomerCsvRows).map(toCallRow).map((call) => [
    textCell(call.call_id),
    textCell(call.started_at),
    textCell(call.ended_at),
    numberCell(call.duration_ms),
    textCell(call.status),
    textCell(call.failure_reason),
    numberCell(call.cost_micros),
  ]);
  return { body: stringify([[...csvHeader], ...records], csvOptions), truncated: rows.length > maxCustomerCsvRows };
}
