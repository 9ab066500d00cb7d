// The PlatformMeter's running totals of the Worker's request durations, one cumulative histogram
// per (route, method, status class), kept in its SQLite storage so the counters Prometheus reads
// only ever grow, across evictions and restarts of the object.
import { addDurations, type DurationHistogram, type RequestDurations } from '../../analytics/request-durations.ts';

export class RequestDurationsStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS request_durations (
        route TEXT NOT NULL, method TEXT NOT NULL, status_class TEXT NOT NULL, histogram TEXT NOT NULL,
        PRIMARY KEY (route, method, status_class)
      );
    `);
  }

  /** Adds one batch from a Worker isolate; call inside a transaction. */
  add(batch: readonly RequestDurations[]): void {
    for (const entry of batch) {
      const stored = this.sql
        .exec<{ histogram: string }>(
          'SELECT histogram FROM request_durations WHERE route = ? AND method = ? AND status_class = ?',
          entry.route,
          entry.method,
          entry.statusClass,
        )
        .toArray()[0];
      const total = stored ? addDurations(JSON.parse(stored.histogram) as DurationHistogram, entry.histogram) : entry.histogram;
      this.sql.exec(
        'INSERT OR REPLACE INTO request_durations (route, method, status_class, histogram) VALUES (?, ?, ?, ?)',
        entry.route,
        entry.method,
        entry.statusClass,
        JSON.stringify(total),
      );
    }
  }

  all(): RequestDurations[] {
    return this.sql
      .exec<{ route: string; method: string; status_class: string; histogram: string }>(
        'SELECT route, method, status_class, histogram FROM request_durations ORDER BY route, method, status_class',
      )
      .toArray()
      .map((row) => ({ route: row.route, method: row.method, statusClass: row.status_class, histogram: JSON.parse(row.histogram) as DurationHistogram }));
  }
}
