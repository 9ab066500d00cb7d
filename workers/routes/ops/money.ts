// Operators' money endpoints (CONTRACT section 3, "Money"): reconciliations and invoices.
import { Hono } from 'hono';
import { z } from 'zod';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../http/errors.ts';
import { parseJsonBody, parseWith } from '../../http/validation.ts';
import { issueInvoice, listAllInvoices, monthPattern } from '../../money/invoices.ts';
import { listReconciliations, reconcile, reconciliationInput } from '../../money/reconcile.ts';

const issueInput = z.strictObject({ early: z.boolean().default(false) });

async function optionalJsonBody(c: Parameters<typeof parseJsonBody>[0]): Promise<z.output<typeof issueInput>> {
  const text = await c.req.text();
  if (text.trim() === '') return issueInput.parse({});
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'The body is not valid JSON.');
  }
  return parseWith(issueInput, body, 'request body');
}

export const moneyRoutes = new Hono<AppEnv>()
  .post('/reconciliations', async (c) => {
    const input = await parseJsonBody(c, reconciliationInput);
    return c.json(await reconcile({ db: requestDatabase(c), actor: c.get('principal').subject, input }), 201);
  })
  .get('/reconciliations', async (c) => c.json({ data: await listReconciliations({ db: requestDatabase(c) }) }))
  .get('/invoices', async (c) => c.json({ data: await listAllInvoices({ db: requestDatabase(c) }) }))
  .post('/invoices/:customer_id/:month/issue', async (c) => {
    const month = c.req.param('month');
    if (!monthPattern.test(month)) throw new ApiError('validation_failed', 'The month must look like 2026-11.', [{ path: 'month', message: 'must be YYYY-MM' }]);
    const { early } = await optionalJsonBody(c);
    const invoice = await issueInvoice({ db: requestDatabase(c), actor: c.get('principal').subject, customerId: c.req.param('customer_id'), month, early });
    return c.json(invoice, 201);
  });
