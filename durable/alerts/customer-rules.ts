// The customer rules of CONTRACT section 4, evaluated by each TenantMeter over its own live hour:
// hourly spend, the cost of single calls, and noisy-neighbor load.
import { ceilingState } from '../../analytics/alert-rules.ts';
import { formatMicrosAsUsd } from '../../analytics/money.ts';
import type { PlatformThresholds } from './rules-config.ts';
import type { AlertObservation } from './alert-types.ts';

export interface CustomerAlertInput {
  customerId: string;
  billedLastHourMicros: number;
  hourlySpendLimitMicros: number;
  loadRatio: number;
  normalCallsPerHour: number;
  expensiveCalls: { count: number; worst: { callId: string; billedMicros: number } | null };
  thresholds: PlatformThresholds;
}


export function customerObservations(input: CustomerAlertInput): AlertObservation[] {
  const id = input.customerId;
  const customerLink = { href: `/ops?customer=${encodeURIComponent(id)}`, text: `Customer ${id} on the operator dashboard` };
  const worst = input.expensiveCalls.worst;
  return [
    {
      dedupKey: `customer:${id}:spend_hourly`,
      rule: 'customer_spend_hourly',
      severity: 'critical',
      subject: { customer_id: id },
      state: ceilingState(input.billedLastHourMicros, input.hourlySpendLimitMicros),
      value: input.billedLastHourMicros,
      threshold: input.hourlySpendLimitMicros,
      summary: `${id} billed ${formatMicrosAsUsd(input.billedLastHourMicros)} in the last hour, over its ${formatMicrosAsUsd(input.hourlySpendLimitMicros)} hourly limit`,
      details: { billed_last_hour_micros: input.billedLastHourMicros, hourly_spend_limit_micros: input.hourlySpendLimitMicros },
      links: [customerLink],
    },
    {
      dedupKey: `customer:${id}:call_cost`,
      rule: 'customer_call_cost',
      severity: 'warning',
      subject: { customer_id: id, ...(worst && { call_id: worst.callId }) },
      state: input.expensiveCalls.count > 0 ? 'breached' : 'healthy',
      value: worst?.billedMicros ?? 0,
      threshold: input.thresholds.callCostMicros,
      summary: `${id}: ${input.expensiveCalls.count} call(s) billed above ${formatMicrosAsUsd(input.thresholds.callCostMicros)} in the last hour${worst ? `, the worst ${formatMicrosAsUsd(worst.billedMicros)}` : ''}`,
      details: { count: input.expensiveCalls.count, worst_call_id: worst?.callId ?? null, worst_billed_micros: worst?.billedMicros ?? null },
      links: worst ? [{ href: `/ops/calls/${encodeURIComponent(id)}/${encodeURIComponent(worst.callId)}`, text: 'The most expensive call' }, customerLink] : [customerLink],
      // The expensive calls themselves age out of the hour: that is the quiet period.
      resolveAfterMs: 0,
    },
    {
      dedupKey: `customer:${id}:noisy`,
      rule: 'customer_noisy',
      severity: 'warning',
      subject: { customer_id: id },
      state: ceilingState(input.loadRatio, input.thresholds.noisyLoadRatio),
      value: input.loadRatio,
      threshold: input.thresholds.noisyLoadRatio,
      summary: `${id} is at ${input.loadRatio.toFixed(1)}x its normal load (${input.normalCallsPerHour.toFixed(0)} calls/hour)`,
      details: { load_ratio: input.loadRatio, normal_calls_per_hour: input.normalCallsPerHour },
      links: [customerLink],
    },
  ];
}
