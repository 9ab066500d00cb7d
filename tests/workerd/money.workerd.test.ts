// Money end to end (CONTRACT sections 2 and 3): reconciliation allocation, billing by the rate
// card in force, and the three views of a month's cost (dashboard, usage, invoice) agreeing to
// the micro-USD while open and at issue, with late changes becoming adjustments. Every expected
// figure is computed by hand from the seeded calls.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../workers/db/client.ts';
import { call, customerToken, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const database = openDatabase(env);
  try {
    return (await database.pool.query(text, params)).rows as T[];
  } finally {
    await database.close();
  }
}

interface Line { kind: string; amount_micros: number; adjusts_month: string | null; quantity: number }
interface Invoice { month: string; status: string; final: boolean; calls: number; lines: Line[]; subtotal_micros: number; adjustments_micros: number; total_micros: number; amount_due_cents: number; issued_at: string | null }

const now = new Date();
const monthKey = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
const current = monthKey(0);
const twoAgo = monthKey(-2);
const oneAgo = monthKey(-1);
const at = (month: string, day: number, hour: number) => `${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

function ended(customerId: string, callId: string, ts: string, durationMs: number, lines: Array<[string, string, number]>) {
  const event = {
    id: `${callId}-end`, type: 'call.ended', customer_id: customerId, call_id: callId, ts, status: 'completed', duration_ms: durationMs, ttfa_ms: 500,
    escalated: false, task_success: true, cost: lines.map(([component, provider, micros]) => ({ component, provider, quantity: 1, unit: 'unit', cost_micros: micros })),
  };
  return { event, raw: event };
}

describe('money', () => {
  const customer = uniqueCustomerId('money');
  let operator: string;
  let customerTok: string;
  // The seeded month two months ago: a 20% card, then from the 15th a 50% card with a 20,000 fee.
  const day10 = at(twoAgo, 10, 12);
  const day20 = at(twoAgo, 20, 12);
  const seeded = [
    ended(customer, 'm1', day10, 61_000, [['llm', 'openai', 1_000], ['tts', 'cartesia', 3_000]]),
    ended(customer, 'm2', day10, 30_000, [['llm', 'openai', 2_000]]),
    ended(customer, 'm3', day20, 120_000, [['llm', 'openai', 4_000]]),
  ];

  beforeAll(async () => {
    operator = await operatorToken('finance@example.test');
    customerTok = await customerToken(customer);
    expect((await call('/api/ops/customers', { method: 'POST', token: operator, json: { id: customer, markup_bps: 2000, fee_per_minute_micros: 10_000 } })).status).toBe(201);
    // A card change in the past cannot come through the API (cards never rewrite history): seeded directly.
    await sql(`INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by) VALUES ($1, $2, 5000, 20000, 'test')`, [customer, at(twoAgo, 15, 0)]);
    await sql('SELECT ingest_events($1::jsonb)', [JSON.stringify(seeded)]);
  });

  it('bills each call by the rate card in force when it ended', async () => {
    const rows = await sql<{ call_id: string; billed: string }>(`SELECT call_id, billed_micros::text AS billed FROM calls WHERE customer_id = $1 ORDER BY call_id`, [customer]);
    // m1: 4,000 * 1.2 = 4,800 + 2 minutes * 10,000 = 24,800. m2: 2,400 + 10,000 = 12,400.
    // m3 (new card): 4,000 * 1.5 = 6,000 + 2 minutes * 20,000 = 46,000.
    expect(rows).toEqual([{ call_id: 'm1', billed: '24800' }, { call_id: 'm2', billed: '12400' }, { call_id: 'm3', billed: '46000' }]);
  });

  it('allocates a reconciled total over the day by estimate, exactly, and replaces it when re-posted', async () => {
    const date = day10.slice(0, 10);
    const response = await call('/api/ops/reconciliations', { method: 'POST', token: operator, json: { date, provider: 'openai', component: 'llm', actual_cost_micros: 3_001 } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ date, actual_cost_micros: 3_001, estimated_cost_micros: 3_000, calls: 2, created_by: 'finance@example.test' });
    // 3,001 over estimates 1,000 and 2,000: 1,000.33 and 2,000.66 -> floors 1,000 + 2,000, the micro to the larger remainder (m2).
    const lines = await sql<{ call_id: string; reconciled: string }>(`SELECT call_id, reconciled_micros::text AS reconciled FROM call_cost_lines WHERE customer_id = $1 AND component = 'llm' AND call_id IN ('m1', 'm2') ORDER BY call_id`, [customer]);
    expect(lines).toEqual([{ call_id: 'm1', reconciled: '1000' }, { call_id: 'm2', reconciled: '2001' }]);
    // m2 now costs 2,001 -> 2,401.2 -> 2,401 + 10,000 = 12,401.
    expect(await sql(`SELECT billed_micros::text AS billed FROM calls WHERE customer_id = $1 AND call_id = 'm2'`, [customer])).toEqual([{ billed: '12401' }]);

    const again = await call('/api/ops/reconciliations', { method: 'POST', token: operator, json: { date, provider: 'openai', component: 'llm', actual_cost_micros: 6_000 } });
    expect(again.status).toBe(201);
    expect(await sql(`SELECT string_agg(reconciled_micros::text, ',' ORDER BY call_id) AS parts FROM call_cost_lines WHERE customer_id = $1 AND component = 'llm' AND call_id IN ('m1', 'm2')`, [customer])).toEqual([{ parts: '2000,4000' }]);
    await call('/api/ops/reconciliations', { method: 'POST', token: operator, json: { date, provider: 'openai', component: 'llm', actual_cost_micros: 3_001 } });
    const listed = await (await call('/api/ops/reconciliations', { token: operator })).json<{ data: Array<{ date: string; actual_cost_micros: number }> }>();
    expect(listed.data.find((r) => r.date === date)).toMatchObject({ actual_cost_micros: 3_001 });
    const audit = await sql<{ before: unknown; after: unknown }>(`SELECT before, after FROM audit_log WHERE action = 'reconciliation.post' AND subject_id = $1 ORDER BY id`, [`${date}/llm/openai`]);
    expect(audit.at(-1)).toMatchObject({ before: { actual_cost_micros: 6_000 }, after: { actual_cost_micros: 3_001 } });
  });

  it('refuses bad reconciliations without storing anything', async () => {
    const noCalls = await call('/api/ops/reconciliations', { method: 'POST', token: operator, json: { date: '2001-01-01', provider: 'openai', component: 'llm', actual_cost_micros: 5 } });
    expect(noCalls.status).toBe(422);
    expect(await sql(`SELECT 1 FROM reconciliations WHERE day = '2001-01-01'`)).toEqual([]);
    for (const [json, path] of [[{ date: '2026-11-01', provider: 'x', component: 'llm', actual_cost_micros: -1 }, 'actual_cost_micros'], [{ date: '2026-11-01', provider: 'x', component: 'llm', actual_cost_micros: 1.5 }, 'actual_cost_micros'], [{ date: 'yesterday', provider: 'x', component: 'llm', actual_cost_micros: 1 }, 'date']] as const) {
      const response = await call('/api/ops/reconciliations', { method: 'POST', token: operator, json });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorBody>()).error.details[0]?.path).toBe(path);
    }
    expect((await call('/api/ops/reconciliations', { method: 'POST', token: customerTok, json: { date: '2026-11-01', provider: 'x', component: 'llm', actual_cost_micros: 1 } })).status).toBe(403);
    expect((await call('/api/ops/invoices', { token: customerTok })).status).toBe(403);
  });

  it('keeps the dashboard, the usage series and the open invoice equal for the current month', async () => {
    const start = Date.parse(`${current}-01T00:00:00.000Z`);
    const ts = new Date(Math.min(start + 60_000, now.getTime() - 1_000)).toISOString();
    await sql('SELECT ingest_events($1::jsonb)', [JSON.stringify([ended(customer, 'c1', ts, 90_000, [['llm', 'openai', 10_000]]), ended(customer, 'c2', ts, 1_000, [['tts', 'cartesia', 333]])])]);
    expect((await call('/api/ops/refresh', { method: 'POST', token: operator })).status).toBe(200);
    // c1: 10,000 * 1.5 = 15,000 + 2 * 20,000 = 55,000. c2: 499.5 -> 500 + 20,000 = 20,500.
    const expected = 75_500;
    const overview = await (await call('/api/customer/overview', { token: customerTok })).json<{ metrics: { cost_micros: { value: number } } }>();
    const usage = await (await call('/api/customer/usage?days=31', { token: customerTok })).json<Array<{ date: string; cost_micros: number }>>();
    const invoice = await (await call(`/api/customer/invoices/${current}`, { token: customerTok })).json<Invoice>();
    expect(overview.metrics.cost_micros.value).toBe(expected);
    expect(usage.filter((d) => d.date.startsWith(current)).reduce((sum, d) => sum + d.cost_micros, 0)).toBe(expected);
    // $0.0755 is 7.55 cents: 8 cents due.
    expect(invoice).toMatchObject({ status: 'open', subtotal_micros: expected, total_micros: expected, amount_due_cents: 8 });
    expect(invoice.lines.filter((l) => l.kind !== 'adjustment').map((l) => [l.kind, l.quantity, l.amount_micros])).toEqual([['usage', 2, 15_500], ['minutes', 3, 60_000]]);
  });

  it('issues a past month frozen at what the dashboard showed, and carries later changes as an adjustment', async () => {
    const early = await call(`/api/ops/invoices/${customer}/${current}/issue`, { method: 'POST', token: operator });
    expect(early.status).toBe(409);
    expect((await early.json<ErrorBody>()).error.code).toBe('month_open');
    expect((await call(`/api/ops/invoices/${customer}/2099-01/issue`, { method: 'POST', token: operator, json: { early: true } })).status).toBe(409);

    // m1 24,800 + m2 12,401 (reconciled) + m3 46,000 = 83,201.
    const issued = await call(`/api/ops/invoices/${customer}/${twoAgo}/issue`, { method: 'POST', token: operator });
    expect(issued.status).toBe(201);
    const frozen = await issued.json<Invoice>();
    expect(frozen).toMatchObject({ status: 'issued', calls: 3, subtotal_micros: 83_201, adjustments_micros: 0, total_micros: 83_201, amount_due_cents: 8 });
    const usage = await (await call('/api/customer/usage?days=90', { token: customerTok })).json<Array<{ date: string; cost_micros: number }>>();
    expect(usage.filter((d) => d.date.startsWith(twoAgo)).reduce((sum, d) => sum + d.cost_micros, 0)).toBe(83_201);
    const again = await call(`/api/ops/invoices/${customer}/${twoAgo}/issue`, { method: 'POST', token: operator });
    expect((await again.json<ErrorBody>()).error.code).toBe('already_issued');

    // A late call for the issued month: the invoice never changes, the next open one adjusts.
    await sql('SELECT ingest_events($1::jsonb)', [JSON.stringify([ended(customer, 'late', at(twoAgo, 28, 9), 60_000, [['llm', 'openai', 1_000]])])]);
    await call('/api/ops/refresh', { method: 'POST', token: operator });
    expect(await (await call(`/api/customer/invoices/${twoAgo}`, { token: customerTok })).json<Invoice>()).toMatchObject({ subtotal_micros: 83_201, total_micros: 83_201 });
    const next = await (await call(`/api/customer/invoices/${oneAgo}`, { token: customerTok })).json<Invoice>();
    // late: 1,000 * 1.5 = 1,500 + 20,000 = 21,500.
    expect(next.lines.filter((l) => l.kind === 'adjustment')).toEqual([expect.objectContaining({ amount_micros: 21_500, adjusts_month: twoAgo })]);
    expect(next).toMatchObject({ status: 'open', adjustments_micros: 21_500, total_micros: next.subtotal_micros + 21_500 });
  });

  it('makes Postgres refuse to change an issued invoice, as the application role', async () => {
    await expect(sql(`UPDATE invoices SET total_micros = 1 WHERE customer_id = $1`, [customer])).rejects.toThrow(/never change/);
    await expect(sql(`DELETE FROM invoice_lines WHERE customer_id = $1`, [customer])).rejects.toThrow(/never change/);
  });

  it('offers the invoice as CSV and a printable page without providers or markups', async () => {
    const csv = await call(`/api/customer/invoices/${twoAgo}.csv`, { token: customerTok });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('line_no,kind,description,quantity,unit,amount_micros,adjusts_month');
    expect(text).toContain('total,,,,83201');
    const html = await call(`/api/customer/invoices/${twoAgo}`, { token: customerTok, headers: { accept: 'text/html' } });
    const page = await html.text();
    expect(page).toContain('$0.083201');
    expect(page).toContain('Issued');
    for (const body of [text, page, await (await call('/api/customer/invoices', { token: customerTok })).text()]) {
      for (const forbidden of ['openai', 'cartesia', 'markup', 'rate_card', 'provider']) expect(body.toLowerCase()).not.toContain(forbidden);
    }
    expect((await call('/api/customer/invoices/2026-13', { token: customerTok })).status).toBe(404);
  });
});
