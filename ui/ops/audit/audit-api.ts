// GET /api/ops/audit for the audit page (docs/api.md "Audit log"), typed. Never throws.
import { api, type ApiResult } from '../../shared/api.ts';

export interface AuditFilters {
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  /** RFC 3339 UTC, or empty. */
  from: string;
  to: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: unknown;
  after: unknown;
}

export interface AuditPage {
  data: AuditRecord[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface AuditApi {
  list(filters: AuditFilters, cursor: string | null, signal?: AbortSignal): Promise<ApiResult<AuditPage>>;
}

export const auditApi: AuditApi = {
  list: (filters, cursor, signal) => api.get<AuditPage>('/api/ops/audit', { query: { ...filters, cursor }, ...(signal ? { signal } : {}) }),
};
