// How a session describes itself to the browser (POST/GET /api/session, view-sessions).
import type { Principal } from './principal.ts';

export interface SessionView {
  role: Principal['role'];
  subject: string;
  customer_id?: string;
  acting_operator?: string;
  read_only: boolean;
  expires_at: string;
}

export function sessionView(principal: Principal): SessionView {
  return {
    role: principal.role,
    subject: principal.subject,
    ...(principal.role === 'customer' && { customer_id: principal.customerId }),
    ...(principal.role === 'customer' && principal.actingOperator && { acting_operator: principal.actingOperator }),
    read_only: principal.role === 'customer' && principal.actingOperator !== null,
    expires_at: principal.expiresAt.toISOString(),
  };
}
