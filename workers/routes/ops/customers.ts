import { Hono } from 'hono';
import { createCustomer, createCustomerInput, getCustomer, listCustomers, updateCustomer, updateCustomerInput } from '../../admin/customers.ts';
import { openViewSession } from '../../admin/view-session.ts';
import { setSessionCookie, viewSessionCookieName } from '../../auth/session-cookie.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { parseJsonBody } from '../../http/validation.ts';

export const customerRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseJsonBody(c, createCustomerInput);
    const customer = await createCustomer({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, input });
    return c.json(customer, 201);
  })
  .get('/', async (c) => c.json({ data: await listCustomers({ db: requestDatabase(c) }) }))
  .get('/:id', async (c) => c.json(await getCustomer({ db: requestDatabase(c), customerId: c.req.param('id') })))
  .post('/:id/view-session', async (c) => {
    const session = await openViewSession({ db: requestDatabase(c), env: c.env, operator: c.get('principal').subject, customerId: c.req.param('id') });
    setSessionCookie(c, session.token, session.expiresAt, new Date(), viewSessionCookieName);
    return c.json(session.view, 201);
  })
  .patch('/:id', async (c) => {
    const input = await parseJsonBody(c, updateCustomerInput);
    const customer = await updateCustomer({ db: requestDatabase(c), env: c.env, actor: c.get('principal').subject, customerId: c.req.param('id'), input });
    return c.json(customer);
  });
