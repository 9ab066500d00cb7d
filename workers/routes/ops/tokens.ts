// Operator-issued logins (CONTRACT section 5, "Tokens"): issue (the token shown once), list
// (never the token), revoke.
import { Hono } from 'hono';
import { z } from 'zod';
import { issueLogin, issueLoginInput, listLogins, listLoginsQuery, revokeLogin } from '../../admin/login-tokens.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody, parseWith } from '../../http/validation.ts';

const revokeQuery = z.strictObject({ external: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() });

export const tokenRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseJsonBody(c, issueLoginInput);
    const issued = await issueLogin({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, input });
    return c.json(issued, 201, { 'cache-control': 'no-store' });
  })
  .get('/', async (c) => {
    const query = parseWith(listLoginsQuery, c.req.query(), 'query');
    return c.json(await listLogins({ db: requestDatabase(c), query }), 200, { 'cache-control': 'no-store' });
  })
  .delete('/:id', async (c) => {
    const query = parseWith(revokeQuery, c.req.query(), 'query');
    await revokeLogin({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, tokenId: c.req.param('id'), external: query.external === 'true' });
    return c.body(null, 204);
  });
