// The browser session: the same JWT in an HttpOnly, SameSite=Strict cookie, Secure everywhere
// but a loopback host (browsers drop Secure cookies on plain-http localhost in some versions).
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export const sessionCookieName = 'sb_session';
/** An operator's read-only view of one customer's dashboard, beside (not instead of) their own session. */
export const viewSessionCookieName = 'sb_view_session';

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date, now: Date = new Date(), name: string = sessionCookieName): void {
  setCookie(c, name, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: !isLoopback(c.req.url),
    path: '/',
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookies(c: Context): void {
  deleteCookie(c, sessionCookieName, { path: '/', secure: !isLoopback(c.req.url) });
  deleteCookie(c, viewSessionCookieName, { path: '/', secure: !isLoopback(c.req.url) });
}
