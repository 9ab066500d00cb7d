// The customer's invoices: the list, one month's as JSON, and its downloads.
import { api, type ApiResult } from '../../shared/api.ts';
import type { Invoice, InvoiceList } from '../wire.ts';

export const invoicesApi = {
  invoices: (signal?: AbortSignal): Promise<ApiResult<InvoiceList>> => api.get('/api/customer/invoices', { signal }),
  invoice: (month: string, signal?: AbortSignal): Promise<ApiResult<Invoice>> => api.get(`/api/customer/invoices/${month}.json`, { signal }),
};

export type InvoicesApi = typeof invoicesApi;

export const invoiceDownloadPath = (month: string, format: 'csv' | 'html'): string => `/api/customer/invoices/${month}.${format}`;
