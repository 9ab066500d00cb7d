// The customer endpoints every view needs. None takes a customer id: the session decides. The call
// list and invoices keep their endpoints beside them (calls/calls-api.ts, invoices/invoices-api.ts),
// so their code loads only with their views.
import { api, type ApiResult } from '../shared/api.ts';
import type { SessionInfo } from '../shared/session.ts';
import type { Overview, UsageDay } from './wire.ts';

export const usageDays = 30;

export const customerApi = {
  session: (): Promise<ApiResult<SessionInfo>> => api.get('/api/customer/session'),
  overview: (signal?: AbortSignal): Promise<ApiResult<Overview>> => api.get('/api/customer/overview', { signal }),
  usage: (signal?: AbortSignal): Promise<ApiResult<UsageDay[]>> => api.get('/api/customer/usage', { query: { days: usageDays }, signal }),
};

export type CustomerApi = typeof customerApi;
