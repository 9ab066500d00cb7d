// Operator-issued logins (CONTRACT section 5, "Tokens"): issued once, listed without the secret,
// and once revoked refused by every kind of route. All of this runs in one isolate, where the
// revoking request also updates the isolate's memo; a token revoked elsewhere (straight in the
// AccessRegistry) and never seen here is refused at once too, and tests/unit/isolate-cache
// checks the 5 s TTL that bounds the wait of an isolate that had already accepted it.
import { env } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { call, operatorToken, queryRows, uniqueCustomerId, type ErrorBody } from './support.ts';

interface Issued {
  id: string;
  token: string;
  role: string;
  customer_id: string | null;
  subject: string;
  expires_at: string;
}

interface LoginView {
  id: string;
  source: string;
  role: string | null;
  customer_id: string | null;
  subject: string | null;
  created_at: string | null;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

interface AuditRow {
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: unknown;
  after: unknown;
}

function cookiePair(response: Response): string {
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function issue(operator: string, json: unknown): Promise<Issued> {
  const response = await call('/api/ops/tokens', { method: 'POST', token: operator, json });
  expect(response.status).toBe(201);
  return response.json<Issued>();
}

async function listAll(operator: string): Promise<LoginView[]> {
  const rows: LoginView[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: LoginView[]; next_cursor: string | null } = await (
      await call(`/api/ops/tokens?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: operator })
    ).json();
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

describe('issuing logins', () => {
  const customerId = uniqueCustomerId('logins');
  let operator: string;

  beforeAll(async () => {
    operator = await operatorToken('ops@logins.test');
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: customerId } })).status).toBe(201);
  });

  it('issues a customer login for 7 days by default whose id is its jti, and it signs in', async () => {
    const before = Date.now();
    const issued = await issue(operator, { role: 'customer', customer_id: customerId });
    const after = Date.now();
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ jti: issued.id, role: 'customer', customer_id: customerId, sub: issued.subject });
    // exp counts whole seconds from the moment of issue.
    expect(Date.parse(issued.expires_at)).toBeGreaterThan(before + 7 * 86_400_000 - 1_000);
    expect(Date.parse(issued.expires_at)).toBeLessThanOrEqual(after + 7 * 86_400_000);
    expect(claims.exp).toBe(Date.parse(issued.expires_at) / 1000);
    expect((await call('/api/customer/usage?days=1', { token: issued.token })).status).toBe(200);
  });

  it('issues an operator login with its ttl and subject', async () => {
    const issued = await issue(operator, { role: 'operator', ttl_s: 3_600, subject: 'oncall@example.test' });
    expect(issued).toMatchObject({ role: 'operator', customer_id: null, subject: 'oncall@example.test' });
    expect(decodeJwt(issued.token).exp! - decodeJwt(issued.token).iat!).toBe(3_600);
    expect((await call('/api/ops/customers', { token: issued.token })).status).toBe(200);
  });

  it.each([
    [{ role: 'customer' }, 'customer_id'],
    [{ role: 'customer', customer_id: 'nobody-here' }, 'customer_id'],
    [{ role: 'operator', customer_id: 'x' }, 'customer_id'],
    [{ role: 'admin' }, 'role'],
    [{ role: 'operator', ttl_s: 90 * 86_400 + 1 }, 'ttl_s'],
    [{ role: 'operator', ttl_s: 10 }, 'ttl_s'],
    [{ role: 'operator', ttl_s: 1.5 }, 'ttl_s'],
    [{ role: 'operator', token: 'x' }, ''],
  ])('answers 400 naming the field for %j', async (json, path) => {
    const response = await call('/api/ops/tokens', { method: 'POST', token: operator, json });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorBody>()).error.details.map((d) => d.path)).toContain(path);
  });

  it('lists logins newest first with who issued them, never the token', async () => {
    const a = await issue(operator, { role: 'operator', ttl_s: 600 });
    const b = await issue(operator, { role: 'customer', customer_id: customerId, ttl_s: 600 });
    const response = await call('/api/ops/tokens', { token: operator });
    const text = await response.text();
    expect(text).not.toContain(a.token.split('.')[2]);
    expect(text).not.toContain(b.token.split('.')[2]);
    const rows = await listAll(operator);
    const ids = rows.map((row) => row.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(rows.find((row) => row.id === b.id)).toEqual({
      id: b.id,
      source: 'api',
      role: 'customer',
      customer_id: customerId,
      subject: b.subject,
      created_at: expect.any(String),
      created_by: 'ops@logins.test',
      expires_at: b.expires_at,
      revoked_at: null,
      revoked_by: null,
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect((await call('/api/ops/tokens?cursor=not-a-cursor', { token: operator })).status).toBe(400);
  });

  it('is for operators only', async () => {
    const customer = await issue(operator, { role: 'customer', customer_id: customerId });
    expect((await call('/api/ops/tokens', { token: customer.token })).status).toBe(403);
    expect((await call('/api/ops/tokens', { method: 'POST', token: customer.token, json: { role: 'operator' } })).status).toBe(403);
  });
});

describe('revoking logins', () => {
  const customerId = uniqueCustomerId('revoke');
  let operator: string;

  beforeAll(async () => {
    operator = await operatorToken('ops@revoke.test');
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: customerId } })).status).toBe(201);
  });

  it('refuses a revoked operator login as a bearer token, as a session cookie and on page loads', async () => {
    const issued = await issue(operator, { role: 'operator', ttl_s: 3_600 });
    const session = await call('/api/session', { method: 'POST', json: { token: issued.token } });
    expect(session.status).toBe(201);
    const cookie = cookiePair(session);
    expect((await call('/api/ops/customers', { token: issued.token })).status).toBe(200);
    expect((await call('/api/ops/customers', { headers: { cookie } })).status).toBe(200);
    expect((await call('/ops', { headers: { cookie } })).status).toBe(200);

    expect((await call(`/api/ops/tokens/${issued.id}`, { method: 'DELETE', token: operator })).status).toBe(204);

    const bearer = await call('/api/ops/customers', { token: issued.token });
    expect(bearer.status).toBe(401);
    expect((await bearer.json<ErrorBody>()).error.message).toMatch(/revoked/);
    expect((await call('/metrics', { token: issued.token })).status).toBe(401);
    expect((await call('/api/ops/customers', { headers: { cookie } })).status).toBe(401);
    expect((await call('/api/session', { headers: { cookie } })).status).toBe(401);
    expect((await call('/api/session', { method: 'POST', json: { token: issued.token } })).status).toBe(401);
    const page = await call('/ops/calls', { headers: { cookie } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fops%2Fcalls');
  });

  it('refuses a revoked customer login on the customer API and the dashboard page', async () => {
    const issued = await issue(operator, { role: 'customer', customer_id: customerId });
    const cookie = cookiePair(await call('/api/session', { method: 'POST', json: { token: issued.token } }));
    expect((await call('/dashboard', { headers: { cookie } })).status).toBe(200);
    expect((await call(`/api/ops/tokens/${issued.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    expect((await call('/api/customer/usage?days=1', { token: issued.token })).status).toBe(401);
    expect((await call('/api/customer/usage?days=1', { headers: { cookie } })).status).toBe(401);
    expect((await call('/dashboard', { headers: { cookie } })).status).toBe(302);
  });

  it('lists and revokes an operator view-session, which then no longer opens the customer view', async () => {
    const viewer = await operatorToken('support@revoke.test');
    const opened = await call(`/api/ops/customers/${customerId}/view-session`, { method: 'POST', token: viewer });
    expect(opened.status).toBe(201);
    const viewCookie = cookiePair(opened);
    expect((await call('/api/customer/usage?days=1', { headers: { cookie: viewCookie } })).status).toBe(200);
    expect((await call('/dashboard', { headers: { cookie: viewCookie } })).status).toBe(200);

    const listed = (await listAll(operator)).find((row) => row.source === 'view_session' && row.created_by === 'support@revoke.test');
    expect(listed).toMatchObject({ role: 'customer', customer_id: customerId, subject: 'view-session:support@revoke.test', revoked_at: null });
    // A JWT's exp counts whole seconds from the moment of issue.
    const lifetimeMs = Date.parse(listed!.expires_at!) - Date.parse(listed!.created_at!);
    expect(lifetimeMs).toBeGreaterThan(15 * 60_000 - 1_000);
    expect(lifetimeMs).toBeLessThanOrEqual(15 * 60_000);

    expect((await call(`/api/ops/tokens/${listed!.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    expect((await call('/api/customer/usage?days=1', { headers: { cookie: viewCookie } })).status).toBe(401);
    const page = await call('/dashboard', { headers: { cookie: viewCookie } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('refuses at once a token revoked in the registry by another isolate that this one never saw', async () => {
    const issued = await issue(operator, { role: 'operator', ttl_s: 600 });
    await accessRegistry(env).revokeToken(issued.id, Date.parse(issued.expires_at));
    expect((await call('/api/ops/customers', { token: issued.token })).status).toBe(401);
  });

  it('records the revocation with who and when, and revoking again changes nothing', async () => {
    const issued = await issue(operator, { role: 'operator', ttl_s: 600 });
    const before = Date.now();
    expect((await call(`/api/ops/tokens/${issued.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    expect((await call(`/api/ops/tokens/${issued.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    const row = (await listAll(operator)).find((r) => r.id === issued.id);
    expect(row?.revoked_by).toBe('ops@revoke.test');
    expect(Date.parse(row!.revoked_at!)).toBeGreaterThanOrEqual(before);

    const audit = await queryRows<AuditRow>(`SELECT actor, action, before, after FROM audit_log WHERE subject_type = 'token' AND subject_id = $1 ORDER BY id`, [issued.id]);
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ['ops@revoke.test', 'token.issue'],
      ['ops@revoke.test', 'token.revoke'],
    ]);
    expect(audit[0]?.after).toMatchObject({ id: issued.id, role: 'operator', expires_at: issued.expires_at, revoked_at: null });
    expect(audit[1]?.before).toMatchObject({ revoked_at: null });
    expect(audit[1]?.after).toMatchObject({ revoked_at: row?.revoked_at, revoked_by: 'ops@revoke.test' });
    expect(JSON.stringify(audit)).not.toContain(issued.token.split('.')[2]);
  });

  it('revokes a token issued outside the API (npm run token) by its jti only when told it is external', async () => {
    const minted = await signToken(env.JWT_SECRET, { role: 'operator', subject: 'local-operator', ttlSeconds: 3_600 });
    expect((await call('/api/ops/customers', { token: minted.token })).status).toBe(200);
    const unknown = await call(`/api/ops/tokens/${minted.tokenId}`, { method: 'DELETE', token: operator });
    expect(unknown.status).toBe(404);
    expect((await unknown.json<ErrorBody>()).error.message).toMatch(/external=true/);
    expect((await call('/api/ops/customers', { token: minted.token })).status).toBe(200);

    expect((await call(`/api/ops/tokens/${minted.tokenId}?external=true`, { method: 'DELETE', token: operator })).status).toBe(204);
    expect((await call('/api/ops/customers', { token: minted.token })).status).toBe(401);
    expect((await listAll(operator)).find((row) => row.id === minted.tokenId)).toMatchObject({
      source: 'external',
      role: null,
      expires_at: null,
      revoked_by: 'ops@revoke.test',
    });
  });

  it('keeps a revocation when the registry prunes ids of tokens that have expired', async () => {
    const issued = await issue(operator, { role: 'operator', ttl_s: 600 });
    expect((await call(`/api/ops/tokens/${issued.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    const stale = await signToken(env.JWT_SECRET, { role: 'operator', subject: 'old', ttlSeconds: 60 }, new Date(Date.now() - 3_600_000));
    await accessRegistry(env).revokeToken(stale.tokenId, stale.expiresAt.getTime());
    expect(await accessRegistry(env).isTokenRevoked(issued.id)).toBe(true);
    expect(await accessRegistry(env).isTokenRevoked(stale.tokenId)).toBe(false);
  });
});
