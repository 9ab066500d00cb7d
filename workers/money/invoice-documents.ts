// An invoice as the customer downloads it: JSON, RFC 4180 CSV, or a printable HTML page. Money is
// turned into dollars only here, at the edge of the product, from integer micro-USD.
import { stringify } from 'csv-stringify/sync';
import { formatMicrosAsUsd } from '../../analytics/money.ts';
import { csvOptions, numberCell, textCell } from '../http/csv-cells.ts';
import type { Invoice } from './invoices.ts';

/** What a customer sees of an invoice: no rate cards, no markups, no providers. */
export interface CustomerInvoice {
  month: string;
  status: Invoice['status'];
  final: boolean;
  calls: number;
  lines: Invoice['lines'];
  subtotal_micros: number;
  adjustments_micros: number;
  total_micros: number;
  amount_due_cents: number;
  issued_at: string | null;
}

export function customerInvoice(invoice: Invoice): CustomerInvoice {
  const { customer_id: _customerId, ...visible } = invoice;
  return visible;
}

export function invoiceCsv(invoice: CustomerInvoice): string {
  const rows = [
    ['line_no', 'kind', 'description', 'quantity', 'unit', 'amount_micros', 'adjusts_month'],
    ...invoice.lines.map((l) => [numberCell(l.line_no), textCell(l.kind), textCell(l.description), numberCell(l.quantity), textCell(l.unit), numberCell(l.amount_micros), textCell(l.adjusts_month)]),
    ['', 'subtotal', '', '', '', numberCell(invoice.subtotal_micros), ''],
    ['', 'adjustments', '', '', '', numberCell(invoice.adjustments_micros), ''],
    ['', 'total', '', '', '', numberCell(invoice.total_micros), ''],
    ['', 'amount_due_cents', '', '', '', numberCell(invoice.amount_due_cents), ''],
  ];
  return stringify(rows, csvOptions);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function invoiceHtml(invoice: CustomerInvoice, customerName: string): string {
  const rows = invoice.lines
    .map((l) => `<tr><td>${escapeHtml(l.description)}</td><td class="n">${l.quantity.toLocaleString('en-US')} ${escapeHtml(l.unit)}</td><td class="n">${formatMicrosAsUsd(l.amount_micros)}</td></tr>`)
    .join('');
  const status = invoice.status === 'issued' ? `Issued ${escapeHtml(invoice.issued_at?.slice(0, 10) ?? '')}${invoice.final ? ' (final)' : ''}` : 'Open: amounts may still change until the invoice is issued';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoice ${escapeHtml(invoice.month)} - ${escapeHtml(customerName)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:44rem;padding:0 1rem;color:#111}h1{font-size:1.4rem}table{width:100%;border-collapse:collapse;margin:1rem 0}td,th{padding:.4rem .3rem;border-bottom:1px solid #ccc;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}tfoot td{font-weight:600;border:0}.status{color:#555}@media print{body{margin:0}}</style></head>
<body><main><h1>Invoice ${escapeHtml(invoice.month)}</h1><p>${escapeHtml(customerName)}</p><p class="status">${status}</p>
<table><thead><tr><th scope="col">Item</th><th scope="col" class="n">Quantity</th><th scope="col" class="n">Amount</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr><td colspan="2">Subtotal</td><td class="n">${formatMicrosAsUsd(invoice.subtotal_micros)}</td></tr><tr><td colspan="2">Adjustments</td><td class="n">${formatMicrosAsUsd(invoice.adjustments_micros)}</td></tr>
<tr><td colspan="2">Total</td><td class="n">${formatMicrosAsUsd(invoice.total_micros)}</td></tr><tr><td colspan="2">Amount due</td><td class="n">${formatMicrosAsUsd(invoice.amount_due_cents * 10_000)}</td></tr></tfoot></table></main></body></html>`;
}
