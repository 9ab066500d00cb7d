// Noisy-neighbor arithmetic (CONTRACT section 2): a customer's load_ratio is its calls started in
// the last 15 minutes over a quarter of its normal calls per hour; noisy above 2.
//
// Normal, unless set on the customer, is learned from its own history: an exponentially weighted
// moving average of calls started per completed UTC hour with a one-day memory (alpha = 1/24),
// never below a floor of 10 calls an hour, so a new or tiny customer is not flagged for a burst
// of a handful of calls.

export const normalCallsPerHourFloor = 10;
export const noisyLoadRatio = 2;
export const errorRateFlagThreshold = 0.05;
export const latencyFlagMultiple = 2;
const learningAlpha = 1 / 24;

/** The learned average after another completed hour with `startedInHour` calls started. */
export function learnNormalCallsPerHour(previous: number | null, startedInHour: number): number {
  if (previous === null) return startedInHour;
  return previous + learningAlpha * (startedInHour - previous);
}

export function effectiveNormalCallsPerHour(configured: number | null, learned: number | null): number {
  if (configured !== null) return configured;
  return Math.max(normalCallsPerHourFloor, learned ?? 0);
}

export function loadRatio(startedLast15Minutes: number, normalCallsPerHour: number): number {
  return startedLast15Minutes / (normalCallsPerHour / 4);
}

export type CustomerFlag = 'noisy' | 'error_rate' | 'p95_latency' | 'spend_limit_exceeded';

export function customerFlags(input: {
  noisy: boolean;
  errorRate: number | null;
  p95E2eMs: number | null;
  platformP95E2eMs: number | null;
  spendLimitExceeded: boolean;
}): CustomerFlag[] {
  const flags: CustomerFlag[] = [];
  if (input.noisy) flags.push('noisy');
  if (input.errorRate !== null && input.errorRate > errorRateFlagThreshold) flags.push('error_rate');
  if (input.p95E2eMs !== null && input.platformP95E2eMs !== null && input.p95E2eMs > latencyFlagMultiple * input.platformP95E2eMs) {
    flags.push('p95_latency');
  }
  if (input.spendLimitExceeded) flags.push('spend_limit_exceeded');
  return flags;
}
