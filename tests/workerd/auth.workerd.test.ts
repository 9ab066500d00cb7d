import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../workers/auth/tokens.ts';
import { call, customerToken, operatorToken, type ErrorBody } from './support.ts';

function base64url(value: string): string {
  return btoa(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('dashboard API authentication', () => {
  it('answers 401 with the contract error body when no token is sent', async () => {
    const response = await call('/api/ops/customers');
    expect(response.status).toBe(401);
    const body = await response.json<ErrorBody>();
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.details).toEqual([]);
  });

  it('answers 401 for a token signed with another secret', async () => {
    const forged = await signToken('another-secret-that-is-long-enough-000000', { role: 'operator', subject: 'mallory', ttlSeconds: 600 });
    const response = await call('/api/ops/customers', { token: forged.token });
    expect(response.status).toBe(401);
  });

  it('refuses an unsigned token with alg none', async () => {
    const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url(JSON.stringify({ sub: 'mallory', role: 'operator', jti: 'x', exp: Math.floor(Date.now() / 1000) + 600 }));
    const response = await call('/api/ops/customers', { token: `${header}.${payload}.` });
    expect(response.status).toBe(401);
  });

  it('answers 401 for an expired token and says so', async () => {
    const expired = await signToken(env.JWT_SECRET, { role: 'operator', subject: 'ops', ttlSeconds: 60 }, new Date(Date.now() - 3_600_000));
    const response = await call('/api/ops/customers', { token: expired.token });
    expect(response.status).toBe(401);
    expect((await response.json<ErrorBody>()).error.message).toMatch(/expired/);
  });

  it('answers 401 for a token without a jti', async () => {
    const token = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(env.JWT_SECRET));
    expect((await call('/api/ops/customers', { token })).status).toBe(401);
  });

  it('answers 403 when a customer token calls an operator endpoint', async () => {
    const response = await call('/api/ops/customers', { token: await customerToken('acme') });
    expect(response.status).toBe(403);
    expect((await response.json<ErrorBody>()).error.code).toBe('forbidden');
  });

  it('answers 403 when an operator token calls a customer endpoint', async () => {
    const response = await call('/api/customer/overview', { token: await operatorToken() });
    expect(response.status).toBe(403);
  });
});

describe('browser sessions', () => {
  it('sets an HttpOnly SameSite=Strict cookie that authenticates API calls', async () => {
    const token = await operatorToken('ops@session.test');
    const created = await call('/api/session', { method: 'POST', json: { token } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ role: 'operator', subject: 'ops@session.test', read_only: false });
    const cookie = created.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const pair = cookie.split(';')[0] ?? '';
    const listed = await call('/api/ops/customers', { headers: { cookie: pair } });
    expect(listed.status).toBe(200);
  });

  it('marks the cookie Secure on a non-loopback host', async () => {
    const token = await operatorToken();
    const { exports } = await import('cloudflare:workers');
    const response = await exports.default.fetch(
      new Request('https://switchboard.example.com/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      }),
    );
    expect(response.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('rejects a session for a bad token with 401 and sets no cookie', async () => {
    const response = await call('/api/session', { method: 'POST', json: { token: 'not-a-jwt' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('ends the session with DELETE by expiring the cookie', async () => {
    const response = await call('/api/session', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/sb_session=;.*Max-Age=0/i);
  });
});

describe('pages', () => {
  it('sends a visitor without a session to the login page, remembering where they were going', async () => {
    const response = await call('/ops/calls?customer_id=acme');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?next=%2Fops%2Fcalls%3Fcustomer_id%3Dacme');
  });

  it('refuses operator pages to a customer session', async () => {
    const token = await customerToken('acme');
    const response = await call('/ops', { headers: { cookie: `sb_session=${token}` } });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('not available to your account');
  });
});
