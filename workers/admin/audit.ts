// Appends to the audit log inside the caller's transaction, so an action and its record commit
// together or not at all.
import { auditLog } from '../db/schema.ts';
import type { Queryable } from '../db/client.ts';

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
