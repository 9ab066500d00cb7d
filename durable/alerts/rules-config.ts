// Alert thresholds as operators set them (GET/PUT /api/ops/alert-rules): platform-wide values and
// per-customer overrides of the customer rules. A customer's hourly spend limit is part of the
// customer itself (PATCH /api/ops/customers/{id}).
import { z } from 'zod';
import { defaultThresholds, type AlertThresholds } from '../../analytics/alert-rules.ts';

const micros = z.number().int('must be an integer number of micro-USD').min(0).max(Number.MAX_SAFE_INTEGER);
const fraction = z.number().min(0).max(1);
const count = z.number().int().min(1).max(1_000_000);

const platformRulesSchema = z.strictObject({
  call_cost_micros: micros,
  platform_provider_spend_hourly_micros: micros,
  noisy_load_ratio: z.number().positive().max(1000),
  provider_degraded_success_rate: fraction,
  provider_degraded_min_requests: count,
  provider_outage_success_rate: fraction,
  provider_outage_min_requests_per_minute: count,
  error_rate: fraction,
  error_rate_min_calls: count,
});

const customerRulesSchema = z.strictObject({
  call_cost_micros: micros.optional(),
  noisy_load_ratio: z.number().positive().max(1000).optional(),
  error_rate: fraction.optional(),
});

export const alertRulesSchema = z.strictObject({
  platform: platformRulesSchema,
  customers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a customer id'), customerRulesSchema),
});
export type AlertRulesConfig = z.output<typeof alertRulesSchema>;
export type PlatformThresholds = Omit<AlertThresholds, 'hourlySpendLimitMicros'>;

export const defaultAlertRules: AlertRulesConfig = {
  platform: {
    call_cost_micros: defaultThresholds.callCostMicros,
    platform_provider_spend_hourly_micros: defaultThresholds.platformProviderSpendHourlyMicros,
    noisy_load_ratio: defaultThresholds.noisyLoadRatio,
    provider_degraded_success_rate: defaultThresholds.providerDegradedSuccessRate,
    provider_degraded_min_requests: defaultThresholds.providerDegradedMinRequests,
    provider_outage_success_rate: defaultThresholds.providerOutageSuccessRate,
    provider_outage_min_requests_per_minute: defaultThresholds.providerOutageMinRequestsPerMinute,
    error_rate: defaultThresholds.errorRate,
    error_rate_min_calls: defaultThresholds.errorRateMinCalls,
  },
  customers: {},
};

/** The thresholds in force for one customer (or the platform, with no customer). */
export function thresholdsFor(config: AlertRulesConfig, customerId: string | null): PlatformThresholds {
  const p = config.platform;
  const c = customerId === null ? {} : (config.customers[customerId] ?? {});
  return {
    callCostMicros: c.call_cost_micros ?? p.call_cost_micros,
    platformProviderSpendHourlyMicros: p.platform_provider_spend_hourly_micros,
    noisyLoadRatio: c.noisy_load_ratio ?? p.noisy_load_ratio,
    providerDegradedSuccessRate: p.provider_degraded_success_rate,
    providerDegradedMinRequests: p.provider_degraded_min_requests,
    providerOutageSuccessRate: p.provider_outage_success_rate,
    providerOutageMinRequestsPerMinute: p.provider_outage_min_requests_per_minute,
    errorRate: c.error_rate ?? p.error_rate,
    errorRateMinCalls: p.error_rate_min_calls,
  };
}
