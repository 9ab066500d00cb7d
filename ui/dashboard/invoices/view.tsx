// Invoices: every month's, newest first, and one month's in detail with its lines and downloads.
// An issued invoice is frozen and says so; an open one says its figures can still change.
import { computed, useModel } from '@preact/signals';
import { formatCount, formatDate, formatDateTime, formatMoney, formatMoneyExact, formatMonth, type TimeZoneChoice } from '../../shared/format.ts';
import type { Display } from '../display.ts';
import { Link } from '../link.tsx';
import { ProblemNotice } from '../problem-notice.tsx';
import { invoicePath, invoicesPath, type Router } from '../router.ts';
import { ViewHeading } from '../view-heading.tsx';
import type { Invoice } from '../wire.ts';
import { invoiceDownloadPath, invoicesApi } from './invoices-api.ts';
import { InvoicesModel, type Invoices } from './model.ts';

const centsToMicros = (cents: number) => cents * 10_000;

function StatusBadge({ invoice, zone }: { invoice: Invoice; zone: TimeZoneChoice }) {
  if (invoice.status === 'issued') {
    const when = invoice.issued_at ? ` ${formatDate(invoice.issued_at, zone)}` : '';
    return (
      <span class="badge badge-issued" title={invoice.issued_at ? formatDateTime(invoice.issued_at, 'utc') : undefined}>
        {`${invoice.final ? 'Final invoice, issued' : 'Issued'}${when}`}
      </span>
    );
  }
  return <span class="badge">Open</span>;
}

function InvoiceList({ model, zone }: { model: Invoices; zone: TimeZoneChoice }) {
  const list = model.list.value;
  if (!list) return null;
  if (list.length === 0) return <p>No invoices yet: the first appears once your first month has calls.</p>;
  return (
    <table class="invoice-list">
      <caption class="visually-hidden">Your invoices, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Month</th>
          <th scope="col">Status</th>
          <th scope="col" class="number">Total</th>
          <th scope="col" class="number">Amount due</th>
        </tr>
      </thead>
      <tbody>
        {list.map((invoice) => (
          <tr key={invoice.month} aria-current={invoice.month === model.month.value ? 'true' : undefined}>
            <td data-label="Month">
              <Link href={invoicePath(invoice.month)}>{formatMonth(invoice.month)}</Link>
            </td>
            <td data-label="Status">
              <StatusBadge invoice={invoice} zone={zone} />
            </td>
            <td data-label="Total" class="number">
              {formatMoneyExact(invoice.total_micros)}
            </td>
            <td data-label="Amount due" class="number">
              {formatMoney(centsToMicros(invoice.amount_due_cents))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function InvoiceDetail({ invoice, zone }: { invoice: Invoice; zone: TimeZoneChoice }) {
  const title = `Invoice for ${formatMonth(invoice.month)}`;
  return (
    <article class="invoice" aria-labelledby="invoice-heading">
      <div class="section-head">
        <ViewHeading level={3} id="invoice-heading">
          {title}
        </ViewHeading>
        <StatusBadge invoice={invoice} zone={zone} />
      </div>
      <p class="hint">
        {invoice.status === 'issued'
          ? 'This invoice is issued and will not change. Calls or corrections that arrive later for this month appear as an adjustment on your next invoice.'
          : 'This month is still open: its figures follow your calls until the invoice is issued after the month ends.'}
      </p>
      <div class="downloads">
        <a class="button" href={invoiceDownloadPath(invoice.month, 'csv')} download>
          Download CSV
        </a>
        <a class="button" href={invoiceDownloadPath(invoice.month, 'html')}>
          Printable invoice
        </a>
      </div>
      <table class="invoice-lines">
        <caption class="visually-hidden">{title}: lines and totals</caption>
        <thead>
          <tr>
            <th scope="col">Description</th>
            <th scope="col" class="number">Quantity</th>
            <th scope="col" class="number">Amount</th>
          </tr>
        </thead>
        <tbody>
          {invoice.lines.map((line) => (
            <tr key={line.line_no} class={line.kind === 'adjustment' ? 'adjustment' : undefined}>
              <td>{line.description}</td>
              <td class="number">
                {formatCount(line.quantity)} {line.unit}
              </td>
              <td class="number">
                {formatMoneyExact(line.amount_micros)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>Subtotal</th>
            <td class="number">{formatMoneyExact(invoice.subtotal_micros)}</td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>Adjustments to earlier months</th>
            <td class="number">{formatMoneyExact(invoice.adjustments_micros)}</td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>Total</th>
            <td class="number">{formatMoneyExact(invoice.total_micros)}</td>
          </tr>
          <tr class="amount-due">
            <th scope="row" colSpan={2}>Amount due</th>
            <td class="number">{formatMoney(centsToMicros(invoice.amount_due_cents))}</td>
          </tr>
        </tfoot>
      </table>
    </article>
  );
}

function InvoicesContent({ model, zone }: { model: Invoices; zone: TimeZoneChoice }) {
  const month = model.month.value;
  const invoice = model.invoice.value;
  return (
    <>
      <ProblemNotice error={model.listError.value} what="your invoices" onRetry={model.retryList} />
      <InvoiceList model={model} zone={zone} />
      {month && (
        <>
          <ProblemNotice
            error={model.invoiceError.value}
            what={`the invoice for ${formatMonth(month)}`}
            {...(model.invoiceError.value?.status === 404 ? {} : { onRetry: model.retryInvoice })}
          />
          {model.loadingInvoice.value && <p role="status">Loading the invoice for {formatMonth(month)}…</p>}
          {invoice && <InvoiceDetail key={invoice.month} invoice={invoice} zone={zone} />}
          <p>
            <Link href={invoicesPath}>All invoices</Link>
          </p>
        </>
      )}
    </>
  );
}

export function InvoicesView({ model, zone }: { model: Invoices; zone: TimeZoneChoice }) {
  return (
    <section aria-labelledby="invoices-heading">
      <ViewHeading level={2} id="invoices-heading">
        Invoices
      </ViewHeading>
      {model.unavailable.value ? (
        <div class="notice" role="status">
          <p>Invoices are not available yet. Your month's cost so far is on the overview, and every call's billed amount is in your call list.</p>
        </div>
      ) : (
        <InvoicesContent model={model} zone={zone} />
      )}
    </section>
  );
}

export function InvoicesSection({ router, display }: { router: Router; display: Display }) {
  const model = useModel(() => {
    const month = computed(() => (router.route.value.view === 'invoices' ? router.route.value.month : null));
    return new InvoicesModel({ api: invoicesApi, month });
  });
  return <InvoicesView model={model} zone={display.timeZone.value} />;
}
