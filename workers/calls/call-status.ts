// A call's status as the operator's list, its filter and the call detail show it (CONTRACT
// section 3): the status its call.ended gave, else `in_progress`, or `stale` once it started over
// 4 h ago without ending. Defined once, in SQL, so a row never shows a status its filter missed.
import { sql, type SQL } from 'drizzle-orm';
import { calls } from '../db/schema.ts';

export const callStatuses = ['completed', 'failed', 'abandoned', 'in_progress', 'stale'] as const;
export type CallStatus = (typeof callStatuses)[number];

export const staleAfterMs = 4 * 60 * 60 * 1000;

/** A call whose call.started has not arrived is aged by the last time any of its events did. */
const openedAt = sql`coalesce(${calls.startedAt}, ${calls.updatedAt})`;

function staleBefore(asOf: Date): SQL {
  return sql`${new Date(asOf.getTime() - staleAfterMs).toISOString()}::timestamptz`;
}

export function callStatusSql(asOf: Date): SQL<CallStatus> {
  return sql<CallStatus>`(CASE WHEN ${calls.endedAt} IS NOT NULL THEN ${calls.status}
    WHEN ${openedAt} >= ${staleBefore(asOf)} THEN 'in_progress' ELSE 'stale' END)`;
}

/** The filter twin of callStatusSql; unended calls are found through the calls_in_progress index. */
export function callStatusInSql(statuses: readonly CallStatus[], asOf: Date): SQL {
  const ended = statuses.filter((status) => status !== 'in_progress' && status !== 'stale');
  const alternatives: SQL[] = [];
  if (ended.length > 0) alternatives.push(sql`${calls.status} IN (${sql.join(ended.map((status) => sql`${status}`), sql`, `)})`);
  if (statuses.includes('in_progress')) alternatives.push(sql`(${calls.endedAt} IS NULL AND ${openedAt} >= ${staleBefore(asOf)})`);
  if (statuses.includes('stale')) alternatives.push(sql`(${calls.endedAt} IS NULL AND ${openedAt} < ${staleBefore(asOf)})`);
  return sql`(${sql.join(alternatives, sql` OR `)})`;
}
