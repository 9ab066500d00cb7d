// GET /api/ops/audit: the audit log, filtered and paged newest first.
import { Hono } from 'hono';
import { auditQuery, listAudit } from '../../admin/audit.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseWith } from '../../http/validation.ts';

export const auditRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const query = parseWith(auditQuery, c.req.query(), 'query');
  return c.json(await listAudit({ db: requestDatabase(c), query }), 200, { 'cache-control': 'no-store' });
});
