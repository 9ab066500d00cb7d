// A table of 10-second live buckets per (bucket, region) in a Durable Object's SQLite storage,
// with a parsed copy in memory. Storage is the truth and is written first; the copy is read
// from it once per object lifetime, so an evicted or restarted object answers the same values.
// Merged windows are kept for the current as_of: a window [as_of - span, as_of) only changes
// when as_of moves or a late delta lands before as_of, and merging an hour of sketches on every
// report or read was most of a meter's work.
import { mergeBuckets, type LiveBucket } from '../analytics/live-window.ts';
import { execJsonRows } from './sql-json-rows.ts';

export interface BucketRow {
  bucketMs: number;
  region: string;
  bucket: LiveBucket;
}

export type BucketTable = 'live_buckets' | 'pending_deltas' | 'platform_buckets';

function keyOf(bucketMs: number, region: string): string {
  return `${bucketMs}|${region}`;
}

export class StoredBuckets {
  private readonly sql: SqlStorage;
  private readonly table: BucketTable;
  private loaded: Map<string, BucketRow> | null = null;
  private windows: { asOfMs: number; merged: Map<string, LiveBucket> } | null = null;

  constructor(sql: SqlStorage, table: BucketTable) {
    this.sql = sql;
    this.table = table;
    sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (bucket_ms INTEGER NOT NULL, region TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (bucket_ms, region))`);
  }

  private rows(): Map<string, BucketRow> {
    if (!this.loaded) {
      this.loaded = new Map();
      for (const row of this.sql.exec<{ bucket_ms: number; region: string; data: string }>(`SELECT bucket_ms, region, data FROM ${this.table}`)) {
        this.loaded.set(keyOf(row.bucket_ms, row.region), { bucketMs: row.bucket_ms, region: row.region, bucket: JSON.parse(row.data) as LiveBucket });
      }
    }
    return this.loaded;
  }

  /** Adds additive deltas into their buckets: one statement for the lot. */
  add(deltas: readonly BucketRow[]): void {
    if (deltas.length === 0) return;
    const rows = this.rows();
    const merged = new Map<string, BucketRow>();
    for (const delta of deltas) {
      const key = keyOf(delta.bucketMs, delta.region);
      const existing = merged.get(key) ?? rows.get(key);
      merged.set(key, { bucketMs: delta.bucketMs, region: delta.region, bucket: existing ? mergeBuckets([existing.bucket, delta.bucket]) : delta.bucket });
    }
    execJsonRows(
      this.sql,
      `INSERT OR REPLACE INTO ${this.table} (bucket_ms, region, data) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`,
      [...merged.values()].map((row) => [row.bucketMs, row.region, JSON.stringify(row.bucket)]),
    );
    for (const [key, row] of merged) {
      rows.set(key, row);
      if (this.windows && row.bucketMs < this.windows.asOfMs) this.windows = null;
    }
  }

  all(): BucketRow[] {
    return [...this.rows().values()];
  }

  isEmpty(): boolean {
    return this.rows().size === 0;
  }

  clear(): void {
    this.sql.exec(`DELETE FROM ${this.table}`);
    this.rows().clear();
    this.windows = null;
  }

  /** Rows of [fromMs, toMs), for one region or all. */
  range(fromMs: number, toMs: number, region: string | null): BucketRow[] {
    return this.all().filter((row) => row.bucketMs >= fromMs && row.bucketMs < toMs && (region === null || row.region === region));
  }

  /** The merged bucket of [asOf - span, asOf), for one region or all. */
  window(asOfMs: number, spanMs: number, region: string | null): LiveBucket {
    if (this.windows?.asOfMs !== asOfMs) this.windows = { asOfMs, merged: new Map() };
    const key = `${spanMs}|${region ?? ''}`;
    let merged = this.windows.merged.get(key);
    if (!merged) {
      merged = mergeBuckets(this.range(asOfMs - spanMs, asOfMs, region).map((row) => row.bucket));
      this.windows.merged.set(key, merged);
    }
    return merged;
  }

  regionsSince(sinceMs: number): string[] {
    return [...new Set(this.all().filter((row) => row.bucketMs >= sinceMs).map((row) => row.region))].sort();
  }

  /** The distinct bucket starts held, for every region. */
  bucketStarts(): Set<number> {
    return new Set(this.all().map((row) => row.bucketMs));
  }

  anySince(sinceMs: number): boolean {
    return this.all().some((row) => row.bucketMs >= sinceMs);
  }

  /** Drops buckets before `oldestMs`. */
  prune(oldestMs: number): void {
    const rows = this.rows();
    const old = [...rows].filter(([, row]) => row.bucketMs < oldestMs);
    if (old.length === 0) return;
    this.sql.exec(`DELETE FROM ${this.table} WHERE bucket_ms < ?`, oldestMs);
    for (const [key] of old) rows.delete(key);
    this.windows = null;
  }
}
