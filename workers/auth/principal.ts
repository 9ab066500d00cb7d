// Who is calling, as established from a verified token. Customer ids never come from the request
// path or query for customer endpoints: only from here.
export type Role = 'operator' | 'customer';

export interface OperatorPrincipal {
  role: 'operator';
  subject: string;
  tokenId: string;
  expiresAt: Date;
}

export interface CustomerPrincipal {
  role: 'customer';
  subject: string;
  tokenId: string;
  expiresAt: Date;
  customerId: string;
  /** Set for an operator's read-only view-session: the operator acting as this customer. */
  actingOperator: string | null;
}

export type Principal = OperatorPrincipal | CustomerPrincipal;
