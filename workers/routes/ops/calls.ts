// The operator's call list, its CSV export and one call's detail (CONTRACT section 3).
import { Hono } from 'hono';
import { getCallDetail } from '../../calls/call-detail.ts';
import { exportCallsCsv } from '../../calls/calls-csv.ts';
import { listCalls, readCallFilters, readCallListInput } from '../../calls/list-calls.ts';
import { openDatabase } from '../../db/client.ts';
import { requestDatabase } from '../../db/request-database.ts';
import type { AppEnv } from '../../env.ts';

export const callRoutes = new Hono<AppEnv>()
  .get('/calls', async (c) => {
    const input = readCallListInput(c.req.queries());
    return c.json(await listCalls({ db: requestDatabase(c), input, cursorSecret: c.env.JWT_SECRET }));
  })
  .get('/calls.csv', async (c) => {
    const filters = readCallFilters(c.req.queries());
    // The body is read after this handler returns, when the request's own database handle is
    // already closed, so the export holds a handle of its own until the stream ends.
    const handle = openDatabase(c.env);
    try {
      const csv = await exportCallsCsv({ db: handle.db, filters });
      c.executionCtx.waitUntil(csv.finished.then(() => handle.close()));
      const headers = new Headers({
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${csv.filename}"`,
        'cache-control': 'no-store',
      });
      if (csv.truncated) {
        headers.set('x-truncated', 'true');
        headers.set('x-total-count', String(csv.totalCount));
      }
      return new Response(csv.body, { headers });
    } catch (error) {
      c.executionCtx.waitUntil(handle.close());
      throw error;
    }
  })
  .get('/calls/:customer_id/:call_id', async (c) =>
    c.json(await getCallDetail({ db: requestDatabase(c), customerId: c.req.param('customer_id'), callId: c.req.param('call_id') })),
  );
