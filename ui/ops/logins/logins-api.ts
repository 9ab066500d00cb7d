// The login endpoints the logins page calls (docs/api.md "Logins"), typed. Never throws.
import { api, type ApiResult } from '../../shared/api.ts';

export type LoginRole = 'operator' | 'customer';

export interface IssueLoginRequest {
  role: LoginRole;
  customer_id?: string;
  ttl_s: number;
  subject?: string;
}

export interface IssuedLogin {
  id: string;
  token: string;
  role: LoginRole;
  customer_id: string | null;
  subject: string;
  expires_at: string;
}

export interface LoginRow {
  id: string;
  source: 'api' | 'view_session' | 'external';
  role: LoginRole | null;
  customer_id: string | null;
  subject: string | null;
  created_at: string | null;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface LoginPage {
  data: LoginRow[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface LoginsApi {
  list(cursor: string | null): Promise<ApiResult<LoginPage>>;
  issue(request: IssueLoginRequest): Promise<ApiResult<IssuedLogin>>;
  revoke(id: string): Promise<ApiResult<null>>;
}

export const loginsApi: LoginsApi = {
  list: (cursor) => api.get<LoginPage>('/api/ops/tokens', { query: { cursor } }),
  issue: (request) => api.post<IssuedLogin>('/api/ops/tokens', request),
  revoke: (id) => api.delete<null>(`/api/ops/tokens/${encodeURIComponent(id)}`),
};
