// Logins operators issue and revoke (CONTRACT section 5, "Tokens"). A login is an HS256 JWT
// shown once; Postgres keeps what was issued (never the token), and a revocation is recorded
// there and in the AccessRegistry, which every authenticated route consults through a 5 s
// per-isolate memo: a revoked token is refused everywhere within 10 s.
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import type { Role } from '../auth/principal.ts';
import { rememberRevokedToken } from '../auth/revocations.ts';
import { signToken } from '../auth/tokens.ts';
import type { Database, Queryable } from '../db/client.ts';
import { customers, loginTokens } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { timestampToJson } from '../http/json-values.ts';
import { appendAudit } from './audit.ts';
import { customerIdPattern } from './customers.ts';
import { decodePageCursor, encodePageCursor, pageQuery } from './page-cursor.ts';

export const defaultLoginTtlSeconds = 7 * 24 * 3600;
export const maxLoginTtlSeconds = 90 * 24 * 3600;
const minLoginTtlSeconds = 60;
/** A revoked token Switchboard did not issue has an unknown expiry: its id is kept for good. */
const unknownExpiryMs = Number.MAX_SAFE_INTEGER;

export const tokenIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

export const issueLoginInput = z
  .strictObject({
    role: z.enum(['operator', 'customer'], { error: 'must be operator or customer' }),
    customer_id: z.string().regex(customerIdPattern, 'must be a customer id').optional(),
    ttl_s: z
      .number()
      .int('must be a whole number of seconds')
      .min(minLoginTtlSeconds, `must be at least ${minLoginTtlSeconds}`)
      .max(maxLoginTtlSeconds, `must be at most ${maxLoginTtlSeconds} (90 days)`)
      .default(defaultLoginTtlSeconds),
    /** Who the login is for (the token's `sub`, and the actor its audit entries name). */
    subject: z.string().min(1).max(200).optional(),
  })
  .refine((v) => v.role !== 'customer' || v.customer_id !== undefined, { path: ['customer_id'], message: 'is required for a customer login' })
  .refine((v) => v.role !== 'operator' || v.customer_id === undefined, { path: ['customer_id'], message: 'only applies to a customer login' });
export type IssueLoginInput = z.output<typeof issueLoginInput>;

export const listLoginsQuery = pageQuery;
export type ListLoginsQuery = z.output<typeof listLoginsQuery>;

export interface IssuedLogin {
  id: string;
  token: string;
  role: Role;
  customer_id: string | null;
  subject: string;
  expires_at: string;
}

export interface LoginView {
  id: string;
  /** `api`: issued by POST /api/ops/tokens; `view_session`: an operator's view of a customer; `external`: a revoked id of a token issued elsewhere. */
  source: 'api' | 'view_session' | 'external';
  role: Role | null;
  customer_id: string | null;
  subject: string | null;
  created_at: string | null;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface LoginPage {
  data: LoginView[];
  has_more: boolean;
  next_cursor: string | null;
}

type LoginRow = typeof loginTokens.$inferSelect;
const optionalTimestamp = (value: Date | null): string | null => (value === null ? null : timestampToJson(value));

function toView(row: LoginRow): LoginView {
  return {
    id: row.id,
    source: row.source,
    role: row.role,
    customer_id: row.customerId,
    subject: row.subject,
    created_at: optionalTimestamp(row.createdAt),
    created_by: row.createdBy,
    expires_at: optionalTimestamp(row.expiresAt),
    revoked_at: optionalTimestamp(row.revokedAt),
    revoked_by: row.revokedBy,
  };
}

export async function issueLogin({ db, env, actor, input, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  input: IssueLoginInput;
  now?: Date;
}): Promise<IssuedLogin> {
  const customerId = input.role === 'customer' ? (input.customer_id ?? null) : null;
  if (customerId !== null) {
    const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
    if (!customer) throw new ApiError('validation_failed', `No customer "${customerId}".`, [{ path: 'customer_id', message: 'no such customer' }]);
  }
  const tokenId = crypto.randomUUID();
  const subject = input.subject ?? `login:${tokenId}`;
  const signed = await signToken(
    env.JWT_SECRET,
    { role: input.role, subject, ttlSeconds: input.ttl_s, tokenId, ...(customerId !== null && { customerId }) },
    now,
  );
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(loginTokens)
      .values({ id: tokenId, source: 'api', role: input.role, customerId, subject, createdAt: now, createdBy: actor, expiresAt: signed.expiresAt })
      .returning();
    if (!row) throw new Error(`login ${tokenId} was not stored`);
    await appendAudit(tx, { actor, action: 'token.issue', subjectType: 'token', subjectId: tokenId, after: toView(row) });
  });
  return { id: tokenId, token: signed.token, role: input.role, customer_id: customerId, subject, expires_at: timestampToJson(signed.expiresAt) };
}

/** Records a view-session token (already signed by the caller) so it is listed and revocable like any login. */
export async function recordViewSessionLogin(db: Queryable, login: { tokenId: string; operator: string; subject: string; customerId: string; expiresAt: Date; now: Date }): Promise<void> {
  await db.insert(loginTokens).values({
    id: login.tokenId,
    source: 'view_session',
    role: 'customer',
    customerId: login.customerId,
    subject: login.subject,
    createdAt: login.now,
    createdBy: login.operator,
    expiresAt: login.expiresAt,
  });
}

export async function listLogins({ db, query }: { db: Queryable; query: ListLoginsQuery }): Promise<LoginPage> {
  const listedAt = sql<Date>`coalesce(${loginTokens.createdAt}, ${loginTokens.revokedAt})`;
  const after = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
  const rows = await db
    .select()
    .from(loginTokens)
    .where(after ? or(lt(listedAt, after.at), and(eq(listedAt, after.at), lt(loginTokens.id, after.id))) : undefined)
    .orderBy(desc(listedAt), desc(loginTokens.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > query.limit && last !== undefined;
  return {
    data: page.map(toView),
    has_more: hasMore,
    next_cursor: hasMore ? encodePageCursor({ at: last.createdAt ?? last.revokedAt ?? new Date(0), id: last.id }) : null,
  };
}

/**
 * Revokes a login. An id Switchboard did not issue (a token from `npm run token`, whose jti the
 * operator read from the token) is refused with 404 unless `external` says the operator means
 * it: then it is recorded and refused like any other.
 */
export async function revokeLogin({ db, env, actor, tokenId, external = false, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  tokenId: string;
  external?: boolean;
  now?: Date;
}): Promise<void> {
  if (!tokenIdPattern.test(tokenId)) throw new ApiError('not_found', `No login "${tokenId}".`);
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(loginTokens).where(eq(loginTokens.id, tokenId)).for('update');
    if (row?.revokedAt) return;
    if (!row && !external) {
      throw new ApiError(
        'not_found',
        `No login "${tokenId}" was issued here. To revoke a token minted by \`npm run token\`, send its jti with ?external=true.`,
      );
    }
    const [revoked] = row
      ? await tx.update(loginTokens).set({ revokedAt: now, revokedBy: actor }).where(eq(loginTokens.id, tokenId)).returning()
      : await tx.insert(loginTokens).values({ id: tokenId, source: 'external', revokedAt: now, revokedBy: actor }).returning();
    if (!revoked) throw new Error(`login ${tokenId} was not revoked`);
    await appendAudit(tx, { actor, action: 'token.revoke', subjectType: 'token', subjectId: tokenId, before: row ? toView(row) : null, after: toView(revoked) });
    // Inside the transaction: if the edge cannot learn the revocation, nothing commits.
    await accessRegistry(env).revokeToken(tokenId, revoked.expiresAt?.getTime() ?? unknownExpiryMs, now.getTime());
  });
  rememberRevokedToken(tokenId);
}
