// The alert rules of CONTRACT section 4 as pure functions: given a window's values and the
// thresholds in force, each rule says whether its condition is breached, on the healthy side of
// its resolve band, or in between (where an open alert stays open and a closed one stays closed).
import type { Rate } from './rate.ts';

export type AlertSeverity = 'critical' | 'warning';
export type ConditionState = 'breached' | 'band' | 'healthy';

export interface AlertThresholds {
  /** A customer's billed amount over the last 60 min; per customer (hourly_spend_limit_micros). */
  hourlySpendLimitMicros: number;
  /** One call's billed amount. */
  callCostMicros: number;
  platformProviderSpendHourlyMicros: number;
  noisyLoadRatio: number;
  providerDegradedSuccessRate: number;
  providerDegradedMinRequests: number;
  providerOutageSuccessRate: number;
  providerOutageMinRequestsPerMinute: number;
  errorRate: number;
  errorRateMinCalls: number;
}

export const defaultThresholds: Omit<AlertThresholds, 'hourlySpendLimitMicros'> = {
  callCostMicros: 1_000_000,
  platformProviderSpendHourlyMicros: 1_000_000_000,
  noisyLoadRatio: 2,
  providerDegradedSuccessRate: 0.95,
  providerDegradedMinRequests: 20,
  providerOutageSuccessRate: 0.5,
  providerOutageMinRequestsPerMinute: 5,
  errorRate: 0.05,
  errorRateMinCalls: 20,
};

/** Spend resolves below 90% of its limit; success-like rates at the threshold plus 0.02. */
export const spendResolveFraction = 0.9;
export const rateResolveMargin = 0.02;
/** How long a value must stay healthy before its alert resolves. */
export const resolveAfterMs = 2 * 60_000;
/** The call-cost alert resolves after an hour without a new expensive call. */
export const callCostQuietMs = 60 * 60_000;

/** A value that must stay below a limit (spend, load): breached above it, healthy below 90% of it. */
export function ceilingState(value: number, limit: number): ConditionState {
  if (value > limit) return 'breached';
  return value < spendResolveFraction * limit ? 'healthy' : 'band';
}

/** A success rate that must stay at or above a threshold, judged only with enough samples. */
export function successState(success: Rate, threshold: number, minSamples: number): ConditionState {
  if (success.denominator < minSamples || success.value === null) return 'healthy';
  if (success.value < threshold) return 'breached';
  return success.value >= threshold + rateResolveMargin ? 'healthy' : 'band';
}

/** An error rate that must stay at or below a threshold, with enough ended calls to judge. */
export function errorRateState(errors: Rate, threshold: number, minCalls: number): ConditionState {
  if (errors.denominator < minCalls || errors.value === null) return 'healthy';
  if (errors.value > threshold) return 'breached';
  return errors.value <= threshold - rateResolveMargin ? 'healthy' : 'band';
}

/**
 * Outage: below the outage rate in each of the last 5 full minutes, each with enough requests.
 * Healthy again once the latest full minute is at least the rate plus 0.02 (or carries too few
 * requests to say otherwise).
 */
export function outageState(lastFiveMinutes: readonly Rate[], threshold: number, minPerMinute: number): ConditionState {
  const judged = (r: Rate) => r.denominator >= minPerMinute && r.value !== null;
  if (lastFiveMinutes.length === 5 && lastFiveMinutes.every((r) => judged(r) && (r.value ?? 1) < threshold)) return 'breached';
  const latest = lastFiveMinutes[lastFiveMinutes.length - 1];
  if (!latest || !judged(latest)) return 'healthy';
  return (latest.value ?? 1) >= threshold + rateResolveMargin ? 'healthy' : 'band';
}
