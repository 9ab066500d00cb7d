// The customer API as this page receives it (CONTRACT section 3 "Customer", docs/api.md). Money
// is integer micro-USD, rates are fractions in [0, 1], times RFC 3339 UTC.

export const overviewKeys = [
  'total_calls',
  'cost_micros',
  'cost_per_call_micros',
  'projected_month_cost_micros',
  'task_success_rate',
  'avg_call_duration_ms',
  'error_rate',
  'completion_rate',
  'csat',
  'uptime',
] as const;
export type OverviewKey = (typeof overviewKeys)[number];

export interface OverviewMetric {
  value: number | null;
  last_7d: number | null;
  previous: number | null;
  numerator: number | null;
  denominator: number | null;
  explanation: string;
  estimated: boolean;
  low_sample: boolean;
}

export interface Overview {
  as_of: string;
  month: string;
  stale: boolean;
  metrics: Record<OverviewKey, OverviewMetric>;
}

export interface UsageDay {
  date: string;
  calls: number;
  cost_micros: number;
  estimated: boolean;
}

export const callStatuses = ['completed', 'failed', 'abandoned', 'in_progress'] as const;
export type CallStatus = (typeof callStatuses)[number];

export interface CustomerCall {
  call_id: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  status: CallStatus;
  failure_reason: string | null;
  cost_micros: number;
}

export interface CallPage {
  data: CustomerCall[];
  has_more: boolean;
  next_cursor: string | null;
}

export type InvoiceLineKind = 'usage' | 'minutes' | 'adjustment';

export interface InvoiceLine {
  line_no: number;
  description: string;
  quantity: number;
  unit: string;
  amount_micros: number;
  kind: InvoiceLineKind;
  /** The earlier, already issued month an adjustment corrects. */
  adjusts_month: string | null;
}

export interface Invoice {
  month: string;
  status: 'open' | 'issued';
  /** Issued early as the last invoice (the customer left). */
  final: boolean;
  calls: number;
  issued_at: string | null;
  lines: InvoiceLine[];
  subtotal_micros: number;
  adjustments_micros: number;
  total_micros: number;
  amount_due_cents: number;
}

export interface InvoiceList {
  data: Invoice[];
}
