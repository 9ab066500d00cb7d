// The dashboards are static HTML entries built by vite into dist/ui; the Worker picks the entry
// for a path and refuses pages the session's role may not open, before any script runs.
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { etag } from 'hono/etag';
import type { Principal, Role } from '../auth/principal.ts';
import { isTokenRevoked } from '../auth/revocations.ts';
import { sessionCookieName, viewSessionCookieName } from '../auth/session-cookie.ts';
import { verifyToken } from '../auth/tokens.ts';
import type { AppEnv } from '../env.ts';

const homeOf: Record<Role, string> = { operator: '/ops', customer: '/dashboard' };

async function sessionPrincipal(c: Context<AppEnv>, preferViewSession = false): Promise<Principal | null> {
  const token = (preferViewSession ? getCookie(c, viewSessionCookieName) : undefined) ?? getCookie(c, sessionCookieName);
  if (!token) return null;
  try {
    const principal = await verifyToken(c.env.JWT_SECRET, token);
    return (await isTokenRevoked(c.env, principal.tokenId)) ? null : principal;
  } catch {
    return null;
  }
}

async function servePage(c: Context<AppEnv>, entry: string): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new URL(entry, c.req.url));
  const response = new Response(asset.body, asset);
  response.headers.set('cache-control', 'private, no-cache');
  return response;
}

function forbiddenPage(role: Role): Response {
  const home = homeOf[role];
  return new Response(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Not for this account</title>` +
      `<main><h1>This page is not available to your account</h1><p><a href="${home}">Go to your dashboard</a></p></main></html>`,
    { status: 403, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store' } },
  );
}

function pageFor(role: Role, entry: string) {
  return async (c: Context<AppEnv>) => {
    const principal = await sessionPrincipal(c, role === 'customer');
    if (!principal) {
      const next = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`, 302);
    }
    if (principal.role !== role) return forbiddenPage(principal.role);
    return servePage(c, entry);
  };
}

/** Pages are revalidated on every load (`no-cache`); an unchanged one answers 304, after the session check. */
const pageETag = etag({ weak: true });

export const pageRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const principal = await sessionPrincipal(c);
    return c.redirect(principal ? homeOf[principal.role] : '/login', 302);
  })
  .get('/login', pageETag, (c) => servePage(c, '/login'))
  .get('/ops', pageETag, pageFor('operator', '/ops'))
  .get('/ops/*', pageETag, pageFor('operator', '/ops'))
  .get('/dashboard', pageETag, pageFor('customer', '/dashboard'))
  .get('/dashboard/*', pageETag, pageFor('customer', '/dashboard'))
  // Any other page path: the sign-in page (which takes a signed-in visitor home), marked 404.
  .get('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/api/') || path.startsWith('/v1/') || path.startsWith('/assets/')) return next();
    const page = await servePage(c, '/login');
    return new Response(page.body, { status: 404, headers: page.headers });
  });
