// The operator endpoints the pages call, typed. Every function answers an ApiResult, never throws.
import { api, type ApiResult } from '../shared/api.ts';
import type { Alert, AlertTargetSummary, CallDetail, CallListPage, LiveView, SeriesMetric, SeriesResponse } from './wire.ts';

export interface SeriesRequest {
  metric: SeriesMetric;
  fromMs: number;
  toMs: number;
  region: string | null;
}

export interface OpsApi {
  live(region: string | null, signal?: AbortSignal): Promise<ApiResult<LiveView>>;
  series(request: SeriesRequest, signal?: AbortSignal): Promise<ApiResult<SeriesResponse>>;
  alerts(signal?: AbortSignal): Promise<ApiResult<{ data: Alert[] }>>;
  acknowledgeAlert(id: string): Promise<ApiResult<unknown>>;
  alertTargets(): Promise<ApiResult<{ data: AlertTargetSummary[] }>>;
  calls(query: URLSearchParams, signal?: AbortSignal): Promise<ApiResult<CallListPage>>;
  call(customerId: string, callId: string, signal?: AbortSignal): Promise<ApiResult<CallDetail>>;
}

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

export const opsApi: OpsApi = {
  live: (region, signal) => api.get<LiveView>('/api/ops/live', { query: { region }, ...withSignal(signal) }),
  series: ({ metric, fromMs, toMs, region }, signal) =>
    api.get<SeriesResponse>('/api/ops/series', {
      query: { metric, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), region },
      ...withSignal(signal),
    }),
  alerts: (signal) => api.get<{ data: Alert[] }>('/api/ops/alerts', withSignal(signal)),
  acknowledgeAlert: (id) => api.post<unknown>(`/api/ops/alerts/${encodeURIComponent(id)}/ack`),
  alertTargets: () => api.get<{ data: AlertTargetSummary[] }>('/api/ops/alert-targets'),
  calls: (query, signal) => api.get<CallListPage>(`/api/ops/calls?${query.toString()}`, withSignal(signal)),
  call: (customerId, callId, signal) => api.get<CallDetail>(callDetailApiPath(customerId, callId), withSignal(signal)),
};

export function callDetailApiPath(customerId: string, callId: string): string {
  return `/api/ops/calls/${encodeURIComponent(customerId)}/${encodeURIComponent(callId)}`;
}
