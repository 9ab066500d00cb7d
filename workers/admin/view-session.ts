// POST /api/ops/customers/{id}/view-session: a 15-minute, read-only customer session for support
// to see exactly what the customer sees. The token's `act.sub` names the operator; the act is
// audited, and the token is recorded as a login so it is listed and can be revoked.
import { signToken } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import { sessionView, type SessionView } from '../auth/session-view.ts';
import { appendAudit } from './audit.ts';
import { getCustomer } from './customers.ts';
import { recordViewSessionLogin } from './login-tokens.ts';

export const viewSessionTtlSeconds = 15 * 60;

export async function openViewSession({ db, env, operator, customerId, now = new Date() }: {
  db: Database;
  env: Env;
  operator: string;
  customerId: string;
  now?: Date;
}): Promise<{ token: string; tokenId: string; expiresAt: Date; view: SessionView }> {
  await getCustomer({ db, customerId, now });
  const subject = `view-session:${operator}`;
  const signed = await signToken(env.JWT_SECRET, { role: 'customer', subject, customerId, actingOperator: operator, ttlSeconds: viewSessionTtlSeconds }, now);
  await db.transaction(async (tx) => {
    await recordViewSessionLogin(tx, { tokenId: signed.tokenId, operator, subject, customerId, expiresAt: signed.expiresAt, now });
    await appendAudit(tx, { actor: operator, action: 'customer.view_session', subjectType: 'customer', subjectId: customerId, after: { token_id: signed.tokenId, expires_at: signed.expiresAt.toISOString() } });
  });
  const view = sessionView({ role: 'customer', subject, tokenId: signed.tokenId, expiresAt: signed.expiresAt, customerId, actingOperator: operator });
  return { token: signed.token, tokenId: signed.tokenId, expiresAt: signed.expiresAt, view };
}
