// Ingest keys (CONTRACT section 5): shown once at creation, stored as hashes, optionally limited
// to one customer, revoked through the edge registry so ingestion refuses them within seconds.
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { generateIngestKey, hashIngestKey } from '../auth/ingest-key-hash.ts';
import type { Database } from '../db/client.ts';
import { customers, ingestKeys } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { timestampToJson } from '../http/json-values.ts';
import { appendAudit } from './audit.ts';
import { customerIdPattern } from './customers.ts';

export const createIngestKeyInput = z.strictObject({
  customer_id: z.string().regex(customerIdPattern, 'must be a customer id').nullable().optional(),
});
export type CreateIngestKeyInput = z.output<typeof createIngestKeyInput>;

export interface CreatedIngestKey {
  id: string;
  key: string;
  customer_id: string | null;
  created_at: string;
}

export interface IngestKeyView {
  id: string;
  prefix: string;
  customer_id: string | null;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const shownPrefixLength = 12;

export async function createIngestKey({ db, env, actor, input, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  input: CreateIngestKeyInput;
  now?: Date;
}): Promise<CreatedIngestKey> {
  const customerId = input.customer_id ?? null;
  if (customerId) {
    const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
    if (!customer) throw new ApiError('validation_failed', `No customer "${customerId}".`, [{ path: 'customer_id', message: 'no such customer' }]);
  }
  const key = generateIngestKey();
  const keyHash = await hashIngestKey(key);
  const id = `key_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const prefix = key.slice(0, shownPrefixLength);
  await db.transaction(async (tx) => {
    await tx.insert(ingestKeys).values({ id, prefix, keyHash, customerId, createdAt: now, createdBy: actor });
    await appendAudit(tx, { actor, action: 'ingest_key.create', subjectType: 'ingest_key', subjectId: id, after: { prefix, customer_id: customerId } });
    await accessRegistry(env).registerIngestKey(keyHash, { keyId: id, customerId });
  });
  return { id, key, customer_id: customerId, created_at: timestampToJson(now) };
}

export async function listIngestKeys({ db, env }: { db: Database; env: Env }): Promise<IngestKeyView[]> {
  const rows = await db.select().from(ingestKeys).orderBy(asc(ingestKeys.createdAt), asc(ingestKeys.id));
  const lastUsed = await accessRegistry(env).lastUsed(rows.map((row) => row.id));
  return rows.map((row) => {
    const usedMs = lastUsed[row.id] ?? null;
    return {
      id: row.id,
      prefix: row.prefix,
      customer_id: row.customerId,
      created_at: timestampToJson(row.createdAt),
      created_by: row.createdBy,
      last_used_at: usedMs === null ? null : timestampToJson(new Date(usedMs)),
      revoked_at: row.revokedAt ? timestampToJson(row.revokedAt) : null,
    };
  });
}

export async function revokeIngestKey({ db, env, actor, keyId, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  keyId: string;
  now?: Date;
}): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(ingestKeys).where(eq(ingestKeys.id, keyId));
    if (!row) throw new ApiError('not_found', `No ingest key "${keyId}".`);
    if (row.revokedAt) return;
    await tx.update(ingestKeys).set({ revokedAt: now }).where(eq(ingestKeys.id, keyId));
    await appendAudit(tx, { actor, action: 'ingest_key.revoke', subjectType: 'ingest_key', subjectId: keyId, before: { revoked_at: null }, after: { revoked_at: timestampToJson(now) } });
    await accessRegistry(env).revokeIngestKey(keyId);
  });
}
