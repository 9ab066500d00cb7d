// The browser session: the same JWT in an HttpOnly, SameSite=Strict cookie, Secure everywhere
// but a loopback host (browsers drop Secure cookies on plain-http localhost in some versions).
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export const sessionCookieName = 'sb_session';

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date, now: Date = new Date()): void {
  setCookie(c, sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: !isLoopback(c.req.url),
    path: '/',
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookieName, { path: '/', secure: !isLoopback(c.req.url) });
}
