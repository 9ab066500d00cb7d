// The customer dashboard's API (CONTRACT section 3, "Customer"). No route takes a customer id:
// the tenant is the verified token's (or the operator view-session's) customer_id.
import { Hono } from 'hono';
import { z } from 'zod';
import { sessionView } from '../auth/session-view.ts';
import { openRedis } from '../cache/redis.ts';
import { customerCallsCsv, customerCallsQuery, listCustomerCalls } from '../customer/calls.ts';
import { customerOverview } from '../customer/overview.ts';
import { customerUsage } from '../customer/usage.ts';
import { requestDatabase } from '../db/request-database.ts';
import type { AppEnv } from '../env.ts';
import type { Context } from 'hono';
import { ApiError } from '../http/errors.ts';
import { parseWith } from '../http/validation.ts';

/** Customer endpoints take no tenant from the request: any unexpected parameter is refused. */
const noQuery = z.strictObject({});
const usageQuery = z.strictObject({
  days: z.coerce.number({ message: 'must be a whole number of days from 1 to 90' }).int('must be a whole number of days from 1 to 90').min(1, 'must be at least 1').max(90, 'must be at most 90').default(30),
});

function tenantOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (principal.role !== 'customer') throw new ApiError('forbidden', 'This endpoint is for customers.');
  return principal.customerId;
}

const privateJson = { 'cache-control': 'private, no-cache' };

export const customerRoutes = new Hono<AppEnv>()
  .get('/session', (c) => {
    parseWith(noQuery, c.req.query(), 'query');
    return c.json(sessionView(c.get('principal')), 200, privateJson);
  })
  .get('/overview', async (c) => {
    parseWith(noQuery, c.req.query(), 'query');
    const overview = await customerOverview({ db: () => requestDatabase(c), redis: openRedis(c.env), customerId: tenantOf(c) });
    return c.json(overview, 200, privateJson);
  })
  .get('/usage', async (c) => {
    const { days } = parseWith(usageQuery, c.req.query(), 'query');
    const usage = await customerUsage({ db: () => requestDatabase(c), redis: openRedis(c.env), customerId: tenantOf(c), days });
    return c.json(usage, 200, privateJson);
  })
  .get('/calls', async (c) => {
    const query = parseWith(customerCallsQuery, c.req.query(), 'query');
    return c.json(await listCustomerCalls({ db: requestDatabase(c), customerId: tenantOf(c), query, cursorSecret: c.env.JWT_SECRET }), 200, privateJson);
  })
  .get('/calls.csv', async (c) => {
    const query = parseWith(customerCallsQuery, c.req.query(), 'query');
    const csv = await customerCallsCsv({ db: requestDatabase(c), customerId: tenantOf(c), query });
    return c.body(csv.body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="calls-${new Date().toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'private, no-store',
      ...(csv.truncated && { 'x-truncated': 'true' }),
    });
  });
