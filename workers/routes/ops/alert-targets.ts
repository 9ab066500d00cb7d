// Alert targets (CONTRACT section 3): list (redacted), add, remove, and send a test alert.
import { Hono } from 'hono';
import { z } from 'zod';
import { createAlertTarget, deleteAlertTarget, listAlertTargets, testAlertTarget } from '../../admin/alert-targets.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody } from '../../http/validation.ts';

export const alertTargetRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ data: await listAlertTargets({ env: c.env }) }, 200, { 'cache-control': 'no-store' }))
  .post('/', async (c) => {
    const body = await parseJsonBody(c, z.unknown());
    return c.json(await createAlertTarget({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, body }), 201, { 'cache-control': 'no-store' });
  })
  .delete('/:id', async (c) => {
    await deleteAlertTarget({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, targetId: c.req.param('id') });
    return c.body(null, 204);
  })
  .post('/:id/test', async (c) => {
    const result = await testAlertTarget({
      env: c.env,
      targetId: c.req.param('id'),
      actor: c.get('principal').subject,
      publicBaseUrl: c.env.PUBLIC_BASE_URL || new URL(c.req.url).origin,
    });
    return c.json(result);
  });
