// The PlatformMeter's running totals of Switchboard's own work besides request durations: how the
// customer metrics cache answered, and how long the customer metrics refreshes took. Kept in its
// SQLite storage so the counters Prometheus reads only ever grow, across evictions and restarts.
import { addDurations, emptyDurationHistogram, observeDuration } from '../../analytics/request-durations.ts';
import { addCacheReads, noCacheReads, type CacheReadCounts } from '../../workers/metrics/cache-read-tally.ts';
import { refreshDurationBoundsSeconds, type RefreshOutcome, type RefreshTotals, type ServiceHealth } from './service-health.ts';

const noRefreshes = (): RefreshTotals => ({ durations: emptyDurationHistogram(refreshDurationBoundsSeconds), failures: 0, lastSuccessMs: null });
const cacheReadsKey = 'cache_reads';
const refreshesKey = 'refreshes';

export class ServiceHealthStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS service_health (name TEXT PRIMARY KEY, totals TEXT NOT NULL)');
  }

  private read<T>(name: string, empty: T): T {
    const row = this.sql.exec<{ totals: string }>('SELECT totals FROM service_health WHERE name = ?', name).toArray()[0];
    return row ? (JSON.parse(row.totals) as T) : empty;
  }

  private write(name: string, totals: unknown): void {
    this.sql.exec('INSERT OR REPLACE INTO service_health (name, totals) VALUES (?, ?)', name, JSON.stringify(totals));
  }

  addCacheReads(batch: Partial<CacheReadCounts>): void {
    this.write(cacheReadsKey, addCacheReads(this.read(cacheReadsKey, noCacheReads()), batch));
  }

  addRefresh(outcome: RefreshOutcome): void {
    const totals = this.read(refreshesKey, noRefreshes());
    if (!outcome.ok) {
      this.write(refreshesKey, { ...totals, failures: totals.failures + 1 });
      return;
    }
    const one = emptyDurationHistogram(refreshDurationBoundsSeconds);
    observeDuration(one, outcome.seconds);
    this.write(refreshesKey, { ...totals, durations: addDurations(totals.durations, one), lastSuccessMs: Math.max(totals.lastSuccessMs ?? 0, outcome.finishedMs) });
  }

  view(): ServiceHealth {
    return {
      cacheReads: this.read(cacheReadsKey, noCacheReads()),
      refreshes: this.read(refreshesKey, noRefreshes()),
    };
  }
}
