// The browser session: the API trades a pasted token for an HttpOnly cookie, so page code never
// holds a credential after sign-in.
import { api, type ApiResult } from './api.ts';

export type Role = 'operator' | 'customer';

export interface SessionInfo {
  role: Role;
  subject: string;
  customer_id?: string;
  /** Set on a support view of a customer's dashboard: the operator looking. */
  acting_operator?: string;
  read_only: boolean;
  expires_at: string;
}

export const LOGIN_PATH = '/login';
export const SIGNED_OUT_PATH = `${LOGIN_PATH}?signed_out=1`;
export const HOME_PATH: Record<Role, string> = { operator: '/ops', customer: '/dashboard' };

export function createSession(token: string): Promise<ApiResult<SessionInfo>> {
  return api.post<SessionInfo>('/api/session', { token });
}

export function endSession(): Promise<ApiResult<null>> {
  return api.delete<null>('/api/session');
}
