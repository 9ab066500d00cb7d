// The customer dashboard's API (CONTRACT section 3, "Customer"). No route takes a customer id:
// the tenant is the verified token's (or the operator view-session's) customer_id.
import { Hono } from 'hono';
import { z } from 'zod';
import { sessionView } from '../auth/session-view.ts';
import { openRedis } from '../cache/redis.ts';
import { customerCallsCsv, customerCallsQuery, listCustomerCalls } from '../customer/calls.ts';
import { customerOverview } from '../customer/overview.ts';
import { customerUsage } from '../customer/usage.ts';
import { withCustomerScope } from '../customer/customer-scope.ts';
import { getCustomer } from '../admin/customers.ts';
import { customerInvoice, invoiceCsv, invoiceHtml } from '../money/invoice-documents.ts';
import { invoiceFor, invoicesFor } from '../money/invoices.ts';
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

/** By Accept when no suffix names the format; JSON unless HTML or CSV is asked for. */
function preferredFormat(accept: string | undefined): 'json' | 'csv' | 'html' {
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('text/html')) return 'html';
  if (wanted.includes('text/csv')) return 'csv';
  return 'json';
}

function tenantOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (principal.role !== 'customer') throw new ApiError('forbidden', 'This endpoint is for customers.');
  return principal.customerId;
}

const privateJson = { 'cache-control': 'private, no-cache' };
/** The usage answer is a bare list (CONTRACT), so "served from the last good copy" is a header. */
export const staleHeader = 'x-switchboard-stale';

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
    return c.json(usage.days, 200, { ...privateJson, ...(usage.stale && { [staleHeader]: 'true' }) });
  })
  .get('/calls', async (c) => {
    const query = parseWith(customerCallsQuery, c.req.query(), 'query');
    return c.json(await listCustomerCalls({ db: requestDatabase(c), customerId: tenantOf(c), query, cursorSecret: c.env.JWT_SECRET }), 200, privateJson);
  })
  .get('/invoices', async (c) => {
    parseWith(noQuery, c.req.query(), 'query');
    const tenant = tenantOf(c);
    const invoices = await withCustomerScope(requestDatabase(c), tenant, (tx) => invoicesFor(tx, tenant, new Date()));
    return c.json({ data: invoices.map(customerInvoice) }, 200, privateJson);
  })
  .get('/invoices/:document', async (c) => {
    parseWith(noQuery, c.req.query(), 'query');
    const match = /^([0-9]{4}-(?:0[1-9]|1[0-2]))(?:\.(json|csv|html))?$/.exec(c.req.param('document'));
    if (!match?.[1]) throw new ApiError('not_found', 'Invoices are addressed by month: /api/customer/invoices/2026-11 (.json, .csv or .html).');
    const month = match[1];
    const format = match[2] ?? preferredFormat(c.req.header('accept'));
    const tenant = tenantOf(c);
    const db = requestDatabase(c);
    const invoice = customerInvoice(await withCustomerScope(db, tenant, (tx) => invoiceFor(tx, tenant, month)));
    if (format === 'csv') {
      return c.body(invoiceCsv(invoice), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="invoice-${month}.csv"`, ...privateJson });
    }
    if (format === 'html') {
      const customer = await getCustomer({ db, customerId: tenant });
      return c.html(invoiceHtml(invoice, customer.name), 200, privateJson);
    }
    return c.json(invoice, 200, privateJson);
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
