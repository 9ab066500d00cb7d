// What the PlatformMeter knows of Switchboard's own work besides request durations (GET /metrics):
// the customer metrics cache's reads and the customer metrics refreshes.
import type { DurationHistogram } from '../../analytics/request-durations.ts';
import type { CacheReadCounts } from '../../workers/metrics/cache-read-tally.ts';

/** Seconds: a refresh that only catches up an hour takes well under a second, a backlog minutes. */
export const refreshDurationBoundsSeconds: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface RefreshOutcome {
  seconds: number;
  ok: boolean;
  finishedMs: number;
}

export interface RefreshTotals {
  /** Successful refreshes only: a failed one says nothing about how long the work takes. */
  durations: DurationHistogram;
  failures: number;
  lastSuccessMs: number | null;
}

export interface ServiceHealth {
  cacheReads: CacheReadCounts;
  refreshes: RefreshTotals;
}
