// A table of 5-second live buckets per (bucket, region) in a Durable Object's SQLite storage,
// with a parsed copy in memory. Storage is the truth and is written first; the copy is read
// from it once per object lifetime, so an evicted or restarted object answers the same values.
// Merged windows are kept per (as_of, span, region): a window [as_of - span, as_of) only changes
// when a late delta lands before its as_of, and merging an hour of sketches on every report or
// read was most of a meter's work. Several as_of are kept, since the platform's alert rules ask
// for the five full minutes before now beside the windows ending at the current as_of. Windows
// read only for their sums (an hour is 720 buckets) are added up without merging sketches.
import { mergeBuckets, sumTotals, type BucketTotals, type LiveBucket } from '../analytics/live-window.ts';
import { execJsonRows } from './sql-json-rows.ts';

export interface BucketRow {
  bucketMs: number;
  region: string;
  bucket: LiveBucket;
}

export type BucketTable = 'live_buckets' | 'pending_deltas' | 'platform_buckets';

/** Merged windows kept at most; past this they start over (a new as_of every 5 s leaves old ones behind). */
const maxKeptWindows = 64;

/** Windows computed from the buckets, each kept until a bucket before its as_of changes. */
class KeptWindows<T> {
  private readonly kept = new Map<string, { asOfMs: number; value: T }>();

  get(key: string, asOfMs: number, compute: () => T): T {
    const kept = this.kept.get(key);
    if (kept) return kept.value;
    const value = compute();
    if (this.kept.size >= maxKeptWindows) this.kept.clear();
    this.kept.set(key, { asOfMs, value });
    return value;
  }

  /** Forgets the windows a change to the bucket at `bucketMs` falls in. */
  changed(bucketMs: number): void {
    for (const [key, window] of this.kept) if (bucketMs < window.asOfMs) this.kept.delete(key);
  }

  clear(): void {
    this.kept.clear();
  }
}

function keyOf(bucketMs: number, region: string): string {
  return `${bucketMs}|${region}`;
}

export class StoredBuckets {
  private readonly sql: SqlStorage;
  private readonly table: BucketTable;
  private loaded: Map<string, BucketRow> | null = null;
  private readonly merged = new KeptWindows<LiveBucket>();
  private readonly totalled = new KeptWindows<BucketTotals>();

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
      this.merged.changed(row.bucketMs);
      this.totalled.changed(row.bucketMs);
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
    this.merged.clear();
    this.totalled.clear();
  }

  /** Rows of [fromMs, toMs), for one region or all. */
  range(fromMs: number, toMs: number, region: string | null): BucketRow[] {
    return this.all().filter((row) => row.bucketMs >= fromMs && row.bucketMs < toMs && (region === null || row.region === region));
  }

  /** The merged bucket of [asOf - span, asOf), for one region or all. */
  window(asOfMs: number, spanMs: number, region: string | null): LiveBucket {
    return this.merged.get(`${asOfMs}|${spanMs}|${region ?? ''}`, asOfMs, () => mergeBuckets(this.range(asOfMs - spanMs, asOfMs, region).map((row) => row.bucket)));
  }

  /** The sums of [asOf - span, asOf), for one region or all. */
  totals(asOfMs: number, spanMs: number, region: string | null): BucketTotals {
    return this.totalled.get(`${asOfMs}|${spanMs}|${region ?? ''}`, asOfMs, () => sumTotals(this.range(asOfMs - spanMs, asOfMs, region).map((row) => row.bucket)));
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
    this.merged.clear();
    this.totalled.clear();
  }
}
