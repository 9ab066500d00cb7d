// Data lifecycle (CONTRACT section 5): erase one call, purge a phone number, run retention now.
import { Hono } from 'hono';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody } from '../../http/validation.ts';
import { eraseCall, purgeInput, purgePhone } from '../../lifecycle/erasure.ts';
import { runRetention } from '../../lifecycle/retention.ts';

export const lifecycleRoutes = new Hono<AppEnv>()
  .delete('/calls/:customer_id/:call_id', async (c) => {
    await eraseCall({
      db: requestDatabase(c),
      env: c.env,
      actor: c.get('principal').subject,
      customerId: c.req.param('customer_id'),
      callId: c.req.param('call_id'),
    });
    return c.body(null, 204);
  })
  .post('/purges', async (c) => {
    const input = await parseJsonBody(c, purgeInput);
    return c.json(await purgePhone({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, input }), 200, { 'cache-control': 'no-store' });
  })
  .post('/retention/run', async (c) =>
    c.json(await runRetention({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject }), 200, { 'cache-control': 'no-store' }),
  );
