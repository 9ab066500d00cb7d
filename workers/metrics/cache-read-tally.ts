// How the customer metrics cache answered, counted per result in isolate memory and sent to the
// PlatformMeter with the request durations (GET /metrics: switchboard_customer_cache_reads_total
// and the hit ratio). The per-read cost is one property increment.

/**
 * hit: from Redis; miss: read from Postgres and cached; stale: Postgres failed, the last good copy
 * answered; bypass: Redis out of reach or not configured, read from Postgres; error: neither answered.
 */
export const cacheReadResults = ['hit', 'miss', 'stale', 'bypass', 'error'] as const;
export type CacheReadResult = (typeof cacheReadResults)[number];
export type CacheReadCounts = Record<CacheReadResult, number>;

export function noCacheReads(): CacheReadCounts {
  return { hit: 0, miss: 0, stale: 0, bypass: 0, error: 0 };
}

export function addCacheReads(total: CacheReadCounts, batch: Partial<CacheReadCounts>): CacheReadCounts {
  const sum = noCacheReads();
  for (const result of cacheReadResults) sum[result] = total[result] + (batch[result] ?? 0);
  return sum;
}

export class CacheReadTally {
  private pending = noCacheReads();

  count(result: CacheReadResult): void {
    this.pending[result] += 1;
  }

  /** The counts since the last take, or null when there were none; taking starts the next tally. */
  take(): CacheReadCounts | null {
    if (cacheReadResults.every((result) => this.pending[result] === 0)) return null;
    const taken = this.pending;
    this.pending = noCacheReads();
    return taken;
  }
}

export const isolateCacheReadTally = new CacheReadTally();
