import { Hono } from 'hono';
import { createIngestKey, createIngestKeyInput, listIngestKeys, revokeIngestKey } from '../../admin/ingest-keys.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody } from '../../http/validation.ts';

export const ingestKeyRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseJsonBody(c, createIngestKeyInput);
    const created = await createIngestKey({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, input });
    return c.json(created, 201);
  })
  .get('/', async (c) => c.json({ data: await listIngestKeys({ db: requestDatabase(c), env: c.env }) }))
  .delete('/:id', async (c) => {
    await revokeIngestKey({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, keyId: c.req.param('id') });
    return c.body(null, 204);
  });
