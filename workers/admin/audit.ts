// The audit log of operator actions that change data. appendAudit writes inside the caller's
// transaction, so an action and its record commit together or not at all; rows are never
// changed afterwards (a trigger refuses UPDATE, DELETE and TRUNCATE, migrations/0001).
// GET /api/ops/audit reads it newest first.
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';
import { timestampToJson } from '../http/json-values.ts';
import { decodeIdCursor, encodeIdCursor, pageFields } from './page-cursor.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}

const timestampParam = z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).transform((text) => new Date(text));
const textFilter = z.string().min(1).max(256);

export const auditQuery = z
  .strictObject({
    actor: textFilter.optional(),
    action: textFilter.optional(),
    subject_type: textFilter.optional(),
    subject_id: textFilter.optional(),
    from: timestampParam.optional(),
    to: timestampParam.optional(),
    ...pageFields,
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { path: ['to'], message: 'must be after from' });
export type AuditQuery = z.output<typeof auditQuery>;

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: unknown;
  after: unknown;
}

export interface AuditPage {
  data: AuditRecord[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Entries matching every given filter, newest first; `from` inclusive, `to` exclusive. */
export async function listAudit({ db, query }: { db: Queryable; query: AuditQuery }): Promise<AuditPage> {
  const where: SQL[] = [];
  if (query.actor !== undefined) where.push(eq(auditLog.actor, query.actor));
  if (query.action !== undefined) where.push(eq(auditLog.action, query.action));
  if (query.subject_type !== undefined) where.push(eq(auditLog.subjectType, query.subject_type));
  if (query.subject_id !== undefined) where.push(eq(auditLog.subjectId, query.subject_id));
  if (query.from !== undefined) where.push(gte(auditLog.at, query.from));
  if (query.to !== undefined) where.push(lt(auditLog.at, query.to));
  if (query.cursor !== undefined) where.push(lt(auditLog.id, Number(decodeIdCursor(query.cursor))));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > query.limit && last !== undefined;
  return {
    data: page.map((row) => ({
      id: row.id,
      at: timestampToJson(row.at),
      actor: row.actor,
      action: row.action,
      subject_type: row.subjectType,
      subject_id: row.subjectId,
      before: row.before,
      after: row.after,
    })),
    has_more: hasMore,
    next_cursor: hasMore ? encodeIdCursor(last.id) : null,
  };
}
