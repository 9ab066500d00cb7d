// Operators' side of alerting (CONTRACT section 3 "Alerts", section 4).
import { Hono } from 'hono';
import { z } from 'zod';
import { alertDesk } from '../../../durable/AlertDesk.ts';
import { alertRulesSchema } from '../../../durable/alerts/rules-config.ts';
import { acknowledgeAlert, createSilence, setAlertRules, silenceInput } from '../../admin/alerts.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody, parseWith } from '../../http/validation.ts';

const statuses = ['triggered', 'acknowledged', 'resolved'] as const;

const alertQuery = z.strictObject({
  status: z
    .string()
    .transform((text) => text.split(','))
    .pipe(z.array(z.enum(statuses, { message: 'must be a comma list of triggered, acknowledged, resolved' })))
    .optional(),
  rule: z.string().min(1).max(64).optional(),
  customer_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const alertRoutes = new Hono<AppEnv>()
  .get('/alerts', async (c) => {
    const query = parseWith(alertQuery, c.req.query(), 'query');
    const data = await alertDesk(c.env).list({ status: query.status, rule: query.rule, customerId: query.customer_id, limit: query.limit });
    return c.json({ data }, 200, { 'cache-control': 'no-store' });
  })
  .post('/alerts/:id/ack', async (c) =>
    c.json(await acknowledgeAlert({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, alertId: c.req.param('id') })),
  )
  .get('/silences', async (c) => c.json({ data: await alertDesk(c.env).listSilences() }))
  .post('/silences', async (c) => {
    const input = await parseJsonBody(c, silenceInput);
    return c.json(await createSilence({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, input }), 201);
  })
  .get('/alert-rules', async (c) => c.json(await alertDesk(c.env).rules()))
  .put('/alert-rules', async (c) => {
    const rules = await parseJsonBody(c, alertRulesSchema);
    return c.json(await setAlertRules({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, rules }));
  });
