// Establishes the caller for dashboard routes: a bearer JWT or the session cookie, verified,
// not revoked, and of the required role.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import type { Role } from './principal.ts';
import { sessionCookieName, viewSessionCookieName } from './session-cookie.ts';
import { verifyToken } from './tokens.ts';
import { isTokenRevoked } from './revocations.ts';

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** Methods that read and change nothing. */
const readMethods = new Set(['GET', 'HEAD']);

export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Customer endpoints prefer an operator's view-session over the browser's own session.
    const viewSession = role === 'customer' ? getCookie(c, viewSessionCookieName) : undefined;
    const token = bearerToken(c.req.header('authorization')) ?? viewSession ?? getCookie(c, sessionCookieName) ?? null;
    if (!token) throw new ApiError('unauthorized', 'Sign in first: send `Authorization: Bearer <token>` or a session cookie.');
    const principal = await verifyToken(c.env.JWT_SECRET, token);
    const revoked = isTokenRevoked(c.env, principal.tokenId);
    // Observed now, so a failure while the route runs is not reported as unhandled; awaited below.
    revoked.catch(() => {});
    const refuseRevoked = async () => {
      if (await revoked) throw new ApiError('unauthorized', 'The token has been revoked.');
    };
    const isRead = readMethods.has(c.req.method);
    if (!isRead || principal.role !== role) await refuseRevoked();
    if (principal.role !== role) {
      throw new ApiError('forbidden', `This endpoint is for ${role}s; the token's role is ${principal.role}.`);
    }
    c.set('principal', principal);
    await next();
    // A read changes nothing, so it runs while the access registry answers (a cached dashboard
    // read then waits on one round trip, not two); a revoked token's answer is replaced by the
    // 401 before it leaves.
    if (isRead) await refuseRevoked();
  };
}
