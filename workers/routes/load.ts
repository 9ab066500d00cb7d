// GET /v1/customers/{id}/load (CONTRACT section 1): the platform's throttling signal, answered
// by the customer's TenantMeter without touching Postgres.
import { Hono } from 'hono';
import { tenantMeter } from '../../durable/TenantMeter.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { authenticateIngestKey, filterKnownCustomers } from '../ingest/ingest-key.ts';

export const loadRoutes = new Hono<AppEnv>().get('/:customer_id/load', async (c) => {
  const grant = await authenticateIngestKey(c.env, c.req.header('authorization'));
  const customerId = c.req.param('customer_id');
  if (grant.customerId !== null && grant.customerId !== customerId) {
    throw new ApiError('forbidden', `This ingest key is limited to customer "${grant.customerId}".`);
  }
  if (!(await filterKnownCustomers(c.env, [customerId])).has(customerId)) throw new ApiError('not_found', `No customer "${customerId}".`);
  return c.json(await tenantMeter(c.env, customerId).load(), 200, { 'cache-control': 'no-store' });
});
