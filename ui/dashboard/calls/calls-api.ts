// The customer's own calls: a page of the list, and the CSV of the same filters.
import { api, type ApiResult } from '../../shared/api.ts';
import type { CallPage } from '../wire.ts';

export const callsApi = {
  calls: (query: URLSearchParams, signal?: AbortSignal): Promise<ApiResult<CallPage>> => api.get(`/api/customer/calls?${query}`, { signal }),
};

export type CallsApi = typeof callsApi;

export const callsCsvPath = (query: URLSearchParams): string => `/api/customer/calls.csv${query.size > 0 ? `?${query}` : ''}`;
