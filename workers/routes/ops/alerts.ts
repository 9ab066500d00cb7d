// Operators' side of alerting (CONTRACT section 3 "Alerts", section 4).
import { Hono } from 'hono';
import { z } from 'zod';
import { alertDesk } from '../../../durable/AlertDesk.ts';
import { alertRulesSchema } from '../../../durable/alerts/rules-config.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../http/errors.ts';
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

const maxSilenceMs = 30 * 24 * 3_600_000;
const silenceInput = z
  .strictObject({
    dedup_key: z.string().min(1).max(255).optional(),
    rule: z.string().min(1).max(64).optional(),
    customer_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    ends_at: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).optional(),
    duration_s: z.number().int().min(60).max(maxSilenceMs / 1000).optional(),
    reason: z.string().min(1).max(500),
  })
  .refine((s) => s.dedup_key !== undefined || s.rule !== undefined || s.customer_id !== undefined, {
    path: ['dedup_key'],
    message: 'name what to silence: dedup_key, rule and/or customer_id',
  })
  .refine((s) => (s.ends_at === undefined) !== (s.duration_s === undefined), { path: ['ends_at'], message: 'give exactly one of ends_at or duration_s' });

export const alertRoutes = new Hono<AppEnv>()
  .get('/alerts', async (c) => {
    const query = parseWith(alertQuery, c.req.query(), 'query');
    const data = await alertDesk(c.env).list({ status: query.status, rule: query.rule, customerId: query.customer_id, limit: query.limit });
    return c.json({ data }, 200, { 'cache-control': 'no-store' });
  })
  .post('/alerts/:id/ack', async (c) => {
    const record = await alertDesk(c.env).acknowledge(c.req.param('id'), c.get('principal').subject);
    if (!record) throw new ApiError('not_found', `No alert "${c.req.param('id')}".`);
    return c.json(record);
  })
  .get('/silences', async (c) => c.json({ data: await alertDesk(c.env).listSilences() }))
  .post('/silences', async (c) => {
    const input = await parseJsonBody(c, silenceInput);
    const nowMs = Date.now();
    const endsAtMs = input.ends_at ? Date.parse(input.ends_at) : nowMs + (input.duration_s ?? 0) * 1000;
    if (endsAtMs <= nowMs || endsAtMs - nowMs > maxSilenceMs) {
      throw new ApiError('validation_failed', 'A silence must end in the future and within 30 days.', [{ path: 'ends_at', message: 'out of range' }]);
    }
    const silence = await alertDesk(c.env).silence(
      { dedupKey: input.dedup_key ?? null, rule: input.rule ?? null, customerId: input.customer_id ?? null, endsAtMs, reason: input.reason, actor: c.get('principal').subject },
      nowMs,
    );
    return c.json(silence, 201);
  })
  .get('/alert-rules', async (c) => c.json(await alertDesk(c.env).rules()))
  .put('/alert-rules', async (c) => c.json(await alertDesk(c.env).setRules(await parseJsonBody(c, alertRulesSchema))));
