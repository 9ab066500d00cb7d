// Invoices (CONTRACT section 3, "Money"). An open month's invoice is computed from the same hourly
// rollups as the dashboard (refreshed together with its views), so its subtotal is the dashboard's
// month cost. Issuing freezes what the dashboard shows at that moment into rows Postgres refuses
// to change; anything that changes an issued month afterwards (late events, reconciliations,
// calls newer than the last refresh) becomes an adjustment line on the customer's next open invoice.
import { sql } from 'drizzle-orm';
import { divideRoundHalfUpSigned } from '../../analytics/money.ts';
import { appendAudit } from '../admin/audit.ts';
import type { Database, Queryable } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';

export const latePeriodMs = 24 * 3_600_000;

export interface InvoiceLine {
  line_no: number;
  kind: 'usage' | 'minutes' | 'adjustment';
  description: string;
  quantity: number;
  unit: string;
  amount_micros: number;
  adjusts_month: string | null;
}

export interface Invoice {
  customer_id: string;
  month: string;
  status: 'open' | 'issued';
  final: boolean;
  calls: number;
  lines: InvoiceLine[];
  subtotal_micros: number;
  adjustments_micros: number;
  total_micros: number;
  amount_due_cents: number;
  issued_at: string | null;
}

export const monthPattern = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

export function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00.000Z`);
}

export function nextMonth(month: string): string {
  const start = monthStart(month);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

type MonthTotals = { calls: number; billed: bigint; fees: bigint; minutes: bigint };

async function monthTotals(q: Queryable, customerId: string, month: string): Promise<MonthTotals> {
  const result = await q.execute<{ calls: string | null; billed: string | null; fees: string | null; minutes: string | null }>(sql`
    SELECT sum(calls)::text AS calls, sum(billed_micros)::text AS billed, sum(fee_micros)::text AS fees, sum(billed_minutes)::text AS minutes
    FROM customer_hourly_rollups
    WHERE customer_id = ${customerId} AND hour >= ${monthStart(month).toISOString()} AND hour < ${monthStart(nextMonth(month)).toISOString()}`);
  const row = result.rows[0];
  return { calls: Number(row?.calls ?? 0), billed: BigInt(row?.billed ?? 0), fees: BigInt(row?.fees ?? 0), minutes: BigInt(row?.minutes ?? 0) };
}

type IssuedRow = { month: string; subtotal_micros: string; final: boolean; calls: number; adjustments_micros: string; total_micros: string; amount_due_cents: string; issued_at: string | Date };

async function issuedInvoices(q: Queryable, customerId: string): Promise<IssuedRow[]> {
  const result = await q.execute<IssuedRow>(sql`
    SELECT month, subtotal_micros::text AS subtotal_micros, final, calls, adjustments_micros::text AS adjustments_micros,
           total_micros::text AS total_micros, amount_due_cents::text AS amount_due_cents, issued_at
    FROM invoices WHERE customer_id = ${customerId} ORDER BY month`);
  return result.rows;
}

async function issuedLines(q: Queryable, customerId: string, month: string): Promise<InvoiceLine[]> {
  const result = await q.execute<{ line_no: number; kind: InvoiceLine['kind']; description: string; quantity: string; unit: string; amount_micros: string; adjusts_month: string | null }>(sql`
    SELECT line_no, kind, description, quantity::text AS quantity, unit, amount_micros::text AS amount_micros, adjusts_month
    FROM invoice_lines WHERE customer_id = ${customerId} AND month = ${month} ORDER BY line_no`);
  return result.rows.map((r) => ({ ...r, quantity: Number(r.quantity), amount_micros: Number(r.amount_micros) }));
}

/**
 * What changed in each issued month before `month` since it was issued (and was not yet carried
 * by another issued invoice), for the open invoice of `month`: the first open month after it.
 */
async function pendingAdjustments(q: Queryable, customerId: string, month: string, issued: readonly IssuedRow[]): Promise<InvoiceLine[]> {
  const issuedMonths = new Set(issued.map((i) => i.month));
  const lines: InvoiceLine[] = [];
  for (const invoice of issued) {
    if (invoice.month >= month) continue;
    let firstOpenAfter = nextMonth(invoice.month);
    while (issuedMonths.has(firstOpenAfter)) firstOpenAfter = nextMonth(firstOpenAfter);
    if (firstOpenAfter !== month) continue;
    const carried = await q.execute<{ carried: string | null }>(sql`
      SELECT sum(amount_micros)::text AS carried FROM invoice_lines WHERE customer_id = ${customerId} AND adjusts_month = ${invoice.month}`);
    const now = (await monthTotals(q, customerId, invoice.month)).billed;
    const drift = now - BigInt(invoice.subtotal_micros) - BigInt(carried.rows[0]?.carried ?? 0);
    if (drift === 0n) continue;
    lines.push({
      line_no: 0,
      kind: 'adjustment',
      description: `Adjustment to ${invoice.month}: calls and reconciled costs that arrived after that invoice was issued`,
      quantity: 1,
      unit: 'adjustment',
      amount_micros: Number(drift),
      adjusts_month: invoice.month,
    });
  }
  return lines;
}

function assemble(customerId: string, month: string, totals: MonthTotals, adjustments: InvoiceLine[]): Invoice {
  const usage = totals.billed - totals.fees;
  const lines: InvoiceLine[] = [
    { line_no: 1, kind: 'usage', description: `Voice agent calls (${totals.calls} calls)`, quantity: totals.calls, unit: 'calls', amount_micros: Number(usage), adjusts_month: null },
    { line_no: 2, kind: 'minutes', description: `Per-minute fees (${totals.minutes} started minutes)`, quantity: Number(totals.minutes), unit: 'minutes', amount_micros: Number(totals.fees), adjusts_month: null },
    ...adjustments.map((line, i) => ({ ...line, line_no: 3 + i })),
  ];
  const adjustmentsTotal = adjustments.reduce((sum, l) => sum + BigInt(l.amount_micros), 0n);
  const total = totals.billed + adjustmentsTotal;
  return {
    customer_id: customerId,
    month,
    status: 'open',
    final: false,
    calls: totals.calls,
    lines,
    subtotal_micros: Number(totals.billed),
    adjustments_micros: Number(adjustmentsTotal),
    total_micros: Number(total),
    amount_due_cents: Number(divideRoundHalfUpSigned(total, 10_000n)),
    issued_at: null,
  };
}

async function openInvoice(q: Queryable, customerId: string, month: string, issued: readonly IssuedRow[]): Promise<Invoice> {
  return assemble(customerId, month, await monthTotals(q, customerId, month), await pendingAdjustments(q, customerId, month, issued));
}

function issuedInvoice(customerId: string, row: IssuedRow, lines: InvoiceLine[]): Invoice {
  return {
    customer_id: customerId,
    month: row.month,
    status: 'issued',
    final: row.final,
    calls: row.calls,
    lines,
    subtotal_micros: Number(row.subtotal_micros),
    adjustments_micros: Number(row.adjustments_micros),
    total_micros: Number(row.total_micros),
    amount_due_cents: Number(row.amount_due_cents),
    issued_at: new Date(row.issued_at).toISOString(),
  };
}

/** One month's invoice as it stands: frozen when issued, else computed now. */
export async function invoiceFor(q: Queryable, customerId: string, month: string): Promise<Invoice> {
  const issued = await issuedInvoices(q, customerId);
  const frozen = issued.find((i) => i.month === month);
  if (frozen) return issuedInvoice(customerId, frozen, await issuedLines(q, customerId, month));
  return openInvoice(q, customerId, month, issued);
}

/** Issued invoices, then the open ones: the current month, and the previous one until issued. */
export async function invoicesFor(q: Queryable, customerId: string, now: Date): Promise<Invoice[]> {
  const issued = await issuedInvoices(q, customerId);
  const current = monthOf(now);
  const previous = monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
  const open = [previous, current].filter((m) => !issued.some((i) => i.month === m));
  const openInvoices = await Promise.all(open.map((m) => openInvoice(q, customerId, m, issued)));
  const frozen = await Promise.all(issued.map(async (row) => issuedInvoice(customerId, row, await issuedLines(q, customerId, row.month))));
  return [...frozen, ...openInvoices.filter((inv) => inv.month === current || inv.calls > 0 || inv.adjustments_micros !== 0)].sort((a, b) => (a.month < b.month ? 1 : -1));
}

export async function issueInvoice({ db, actor, customerId, month, early, now = new Date() }: {
  db: Database;
  actor: string;
  customerId: string;
  month: string;
  early: boolean;
  now?: Date;
}): Promise<Invoice> {
  const start = monthStart(month);
  const end = monthStart(nextMonth(month));
  if (start.getTime() > now.getTime()) throw new ApiError('month_open', `${month} has not started yet; there is nothing to invoice.`);
  if (!early && now.getTime() < end.getTime() + latePeriodMs) {
    throw new ApiError('month_open', `${month} can be issued from ${new Date(end.getTime() + latePeriodMs).toISOString()} (its end plus 24 h for late events), or now as a final invoice with {"early": true}.`);
  }
  return db.transaction(async (tx) => {
    // One issue at a time per customer: adjustments depend on what is already issued.
    const customer = await tx.execute<{ id: string }>(sql`SELECT id FROM customers WHERE id = ${customerId} FOR UPDATE`);
    if (customer.rows.length === 0) throw new ApiError('not_found', `No customer "${customerId}".`);
    const issued = await issuedInvoices(tx, customerId);
    if (issued.some((i) => i.month === month)) throw new ApiError('already_issued', `The ${month} invoice of ${customerId} is already issued and never changes.`);
    const invoice = await openInvoice(tx, customerId, month, issued);
    const cards = await tx.execute<{ rate_cards: unknown }>(sql`
      SELECT coalesce(jsonb_agg(jsonb_build_object('effective_from', effective_from, 'markup_bps', markup_bps, 'fee_per_minute_micros', fee_per_minute_micros) ORDER BY effective_from), '[]'::jsonb) AS rate_cards
      FROM rate_cards WHERE customer_id = ${customerId} AND effective_from < ${end.toISOString()}`);
    const issuedAt = now.toISOString();
    await tx.execute(sql`
      INSERT INTO invoices (customer_id, month, status, final, calls, subtotal_micros, adjustments_micros, total_micros, amount_due_cents, rate_cards, issued_at, issued_by)
      VALUES (${customerId}, ${month}, 'issued', ${early && now.getTime() < end.getTime() + latePeriodMs}, ${invoice.calls}, ${invoice.subtotal_micros}, ${invoice.adjustments_micros},
              ${invoice.total_micros}, ${invoice.amount_due_cents}, ${JSON.stringify(cards.rows[0]?.rate_cards ?? [])}::jsonb, ${issuedAt}, ${actor})`);
    for (const line of invoice.lines) {
      await tx.execute(sql`
        INSERT INTO invoice_lines (customer_id, month, line_no, kind, description, quantity, unit, amount_micros, adjusts_month)
        VALUES (${customerId}, ${month}, ${line.line_no}, ${line.kind}, ${line.description}, ${line.quantity}, ${line.unit}, ${line.amount_micros}, ${line.adjusts_month})`);
    }
    const frozen = { ...invoice, status: 'issued' as const, final: early && now.getTime() < end.getTime() + latePeriodMs, issued_at: issuedAt };
    await appendAudit(tx, { actor, action: 'invoice.issue', subjectType: 'invoice', subjectId: `${customerId}/${month}`, after: frozen });
    return frozen;
  });
}

/** Every customer's invoices for operators: issued ones and the open current month. */
export async function listAllInvoices({ db, now = new Date() }: { db: Queryable; now?: Date }): Promise<Invoice[]> {
  const customers = await db.execute<{ id: string }>(sql`SELECT id FROM customers ORDER BY id`);
  const all: Invoice[] = [];
  for (const { id } of customers.rows) all.push(...(await invoicesFor(db, id, now)));
  return all;
}
