// Invoices as signals: the list, and the one invoice the URL names. A 404 from the list means
// this deployment does not serve invoices yet, which the page says instead of an error.
import { computed, createModel, effect, signal, untracked, type ReadonlySignal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { InvoicesApi } from './invoices-api.ts';
import type { Invoice } from '../wire.ts';

export interface InvoicesDeps {
  api: InvoicesApi;
  /** The month the URL opens ("2026-11"), or null for the list alone. */
  month: ReadonlySignal<string | null>;
}

export const InvoicesModel = createModel((deps: InvoicesDeps) => {
  const list = signal<Invoice[] | null>(null);
  const listError = signal<ApiError | null>(null);
  const invoice = signal<Invoice | null>(null);
  const invoiceError = signal<ApiError | null>(null);
  const loadingInvoice = signal(false);
  let listRequest: AbortController | null = null;
  let invoiceRequest: AbortController | null = null;

  async function loadList(): Promise<void> {
    listRequest?.abort();
    const controller = new AbortController();
    listRequest = controller;
    listError.value = null;
    const answer = await deps.api.invoices(controller.signal);
    if (controller.signal.aborted) return;
    if (answer.ok) list.value = [...answer.data.data].sort((a, b) => b.month.localeCompare(a.month));
    else listError.value = answer.error;
  }

  async function loadInvoice(month: string | null): Promise<void> {
    invoiceRequest?.abort();
    invoice.value = null;
    invoiceError.value = null;
    if (month === null) return;
    const controller = new AbortController();
    invoiceRequest = controller;
    loadingInvoice.value = true;
    const answer = await deps.api.invoice(month, controller.signal);
    if (controller.signal.aborted) return;
    loadingInvoice.value = false;
    if (answer.ok) invoice.value = answer.data;
    else invoiceError.value = answer.error;
  }

  effect(() => {
    untracked(() => void loadList());
    return () => listRequest?.abort();
  });
  effect(() => {
    const month = deps.month.value;
    untracked(() => void loadInvoice(month));
    return () => invoiceRequest?.abort();
  });

  return {
    month: deps.month,
    list,
    listError,
    invoice,
    invoiceError,
    loadingInvoice,
    unavailable: computed(() => listError.value?.status === 404),
    retryList() {
      void loadList();
    },
    retryInvoice() {
      void loadInvoice(deps.month.value);
    },
  };
});

export type Invoices = InstanceType<typeof InvoicesModel>;
