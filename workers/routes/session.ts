// Browser sessions (CONTRACT section 5): POST exchanges a token for an HttpOnly cookie,
// DELETE ends it, GET says who the cookie belongs to (the pages use it to pick a home).
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { sessionView } from '../auth/session-view.ts';
import { isTokenRevoked } from '../auth/revocations.ts';
import { clearSessionCookies, sessionCookieName, setSessionCookie } from '../auth/session-cookie.ts';
import { verifyToken } from '../auth/tokens.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { parseJsonBody } from '../http/validation.ts';

const sessionInput = z.strictObject({ token: z.string().min(1).max(8192) });

async function verifyLiveToken(env: Env, token: string): Promise<Principal> {
  const principal = await verifyToken(env.JWT_SECRET, token);
  if (await isTokenRevoked(env, principal.tokenId)) throw new ApiError('unauthorized', 'The token has been revoked.');
  return principal;
}

export const sessionRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { token } = await parseJsonBody(c, sessionInput);
    const principal = await verifyLiveToken(c.env, token);
    setSessionCookie(c, token, principal.expiresAt);
    return c.json(sessionView(principal), 201);
  })
  .get('/', async (c) => {
    const token = getCookie(c, sessionCookieName);
    if (!token) throw new ApiError('unauthorized', 'There is no session.');
    return c.json(sessionView(await verifyLiveToken(c.env, token)));
  })
  .delete('/', (c) => {
    clearSessionCookies(c);
    return c.body(null, 204);
  });
