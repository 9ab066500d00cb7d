// How long a TenantMeter waits before retrying a flush that failed (Postgres unreachable):
// exponential from 1 s, capped at 60 s, with jitter so many tenants do not retry in step.
export const flushDelayMs = 500;
const firstRetryMs = 1_000;
const maxRetryMs = 60_000;

export function flushRetryDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exponential * (0.75 + 0.5 * random()));
}
