// One per platform. Merges what every TenantMeter reports (additive 5-second bucket deltas and
// a snapshot of the customer's own row) into the operator's live view: platform values, provider
// health, per-region filters and the per-customer table. It never touches Postgres, so the live
// view keeps answering while Postgres is down. A report is applied once: its seq is remembered.
// Storage is the truth; the buckets, seqs and snapshots are also held parsed in memory (read back
// from storage after an eviction), so a report costs a few statements and a read of the live view
// parses nothing.
import { DurableObject } from 'cloudflare:workers';
import {
  attemptsWindowMs,
  hourWindowMs,
  liveAsOf,
  mergeBuckets,
  providerHealth,
  rateMetrics,
  rateWindowMs,
  type LiveBucket,
} from '../analytics/live-window.ts';
import { customerFlags, loadRatio, noisyLoadRatio } from '../analytics/load.ts';
import { alertDesk } from './AlertDesk.ts';
import { ConditionTracker } from './alerts/condition-tracker.ts';
import { platformObservations } from './alerts/platform-rules.ts';
import { thresholdsFor } from './alerts/rules-config.ts';
import type { RequestDurations } from '../analytics/request-durations.ts';
import {
  allRegions,
  type CustomerLiveRow,
  type LiveView,
  type PlatformMetricsView,
  type TenantReport,
  type TenantSnapshot,
} from './platform/live-view.ts';
import { RequestDurationsStore } from './platform/request-durations-store.ts';
import type { RefreshOutcome } from './platform/service-health.ts';
import { ServiceHealthStore } from './platform/service-health-store.ts';
import { gzip } from '../workers/http/gzip.ts';
import type { CacheReadCounts } from '../workers/metrics/cache-read-tally.ts';
import { execJsonRows } from './sql-json-rows.ts';
import { StoredBuckets } from './stored-buckets.ts';

const bucketRetentionMs = hourWindowMs + 5 * 60_000;
/** Platform rules are re-evaluated this often while there is traffic or an unhealthy condition. */
export const platformTickMs = 10_000;
const minuteMs = 60_000;
/** Live views kept as JSON text at most; more regions asked for between two reports start over. */
const maxCachedViews = 32;

/** Which live view: a region's (null: all of them) at an instant. */
interface LiveViewAt {
  region?: string | null;
  nowMs?: number;
}

interface LiveViewText {
  asOfMs: number;
  json: string;
  gzip: Promise<Uint8Array<ArrayBuffer>> | null;
}

/** Whether a meter's row is still exact at `asOfMs`: it changes at validUntilMs, and reports again then. */
function holdsAt(snapshot: TenantSnapshot, asOfMs: number): boolean {
  const validUntilMs = snapshot.validUntilMs ?? null;
  return asOfMs >= snapshot.asOfMs && (validUntilMs === null || asOfMs < validUntilMs);
}

/** The last instant a row was known exact: until its validity ends, or when computed if open-ended. */
function lastExactMs(snapshot: TenantSnapshot): number {
  return snapshot.validUntilMs ?? snapshot.asOfMs;
}

export class PlatformMeter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly conditions: ConditionTracker;
  private readonly requestDurations: RequestDurationsStore;
  private readonly serviceHealth: ServiceHealthStore;
  private readonly liveBuckets: StoredBuckets;
  private alarmScheduled: boolean | null = null;
  private appliedSeqs: Map<string, number> | null = null;
  private storedSnapshots: Map<string, TenantSnapshot> | null = null;
  private prunedAsOfMs = 0;
  /**
   * The live view as JSON text per region (null: all), for one as_of: it changes only when a report
   * lands or as_of moves, and a thousand customers' view costs tens of milliseconds to build and
   * serialise, while operators' dashboards poll it every few seconds. Its gzip bytes are made
   * once, when a client that takes them first asks.
   */
  private readonly liveTextCache = new Map<string | null, LiveViewText>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.conditions = new ConditionTracker(this.sql);
    this.requestDurations = new RequestDurationsStore(this.sql);
    this.serviceHealth = new ServiceHealthStore(this.sql);
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS applied_reports (customer_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS tenant_snapshots (customer_id TEXT PRIMARY KEY, as_of_ms INTEGER NOT NULL, data TEXT NOT NULL);
    `);
    this.liveBuckets = new StoredBuckets(this.sql, 'platform_buckets');
  }

  private seqs(): Map<string, number> {
    this.appliedSeqs ??= new Map(this.sql.exec<{ customer_id: string; seq: number }>('SELECT customer_id, seq FROM applied_reports').toArray().map((row) => [row.customer_id, row.seq]));
    return this.appliedSeqs;
  }

  private snapshotsByCustomer(): Map<string, TenantSnapshot> {
    this.storedSnapshots ??= new Map(
      this.sql
        .exec<{ customer_id: string; data: string }>('SELECT customer_id, data FROM tenant_snapshots')
        .toArray()
        .map((row) => [row.customer_id, JSON.parse(row.data) as TenantSnapshot]),
    );
    return this.storedSnapshots;
  }

  async report(report: TenantReport, nowMs: number = Date.now()): Promise<void> {
    const seqs = this.seqs();
    const snapshots = this.snapshotsByCustomer();
    const applies = report.seq > (seqs.get(report.customerId) ?? 0);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        'INSERT OR REPLACE INTO tenant_snapshots (customer_id, as_of_ms, data) VALUES (?, ?, ?)',
        report.customerId,
        report.snapshot.asOfMs,
        JSON.stringify(report.snapshot),
      );
      if (applies) {
        this.sql.exec('INSERT OR REPLACE INTO applied_reports (customer_id, seq) VALUES (?, ?)', report.customerId, report.seq);
        this.liveBuckets.add(report.deltas);
      }
    });
    if (applies) seqs.set(report.customerId, report.seq);
    snapshots.set(report.customerId, report.snapshot);
    this.liveTextCache.clear();
    this.prune(nowMs);
    await this.ensureAlarm(nowMs);
  }

  /** Drops buckets and customer rows that have left the hour; they only can once per bucket. */
  private prune(nowMs: number): void {
    const asOfMs = liveAsOf(nowMs);
    if (asOfMs === this.prunedAsOfMs) return;
    this.prunedAsOfMs = asOfMs;
    this.liveBuckets.prune(asOfMs - bucketRetentionMs);
    const snapshots = this.snapshotsByCustomer();
    // A row that still holds is kept however old its as_of; one the meter stopped renewing an hour ago goes.
    const cutoffMs = nowMs - hourWindowMs;
    const old = [...snapshots].filter(([, snapshot]) => lastExactMs(snapshot) < cutoffMs).map(([customerId]) => customerId);
    if (old.length === 0) return;
    execJsonRows(this.sql, 'DELETE FROM tenant_snapshots WHERE customer_id IN (SELECT value FROM json_each(?))', old);
    for (const customerId of old) snapshots.delete(customerId);
  }

  private async ensureAlarm(nowMs: number): Promise<void> {
    if (this.alarmScheduled === null) this.alarmScheduled = (await this.ctx.storage.getAlarm()) !== null;
    if (this.alarmScheduled) return;
    await this.ctx.storage.setAlarm(nowMs + platformTickMs);
    this.alarmScheduled = true;
  }

  override async alarm(): Promise<void> {
    this.alarmScheduled = false;
    await this.tick(Date.now());
  }

  /** Evaluates the platform rules over the merged buckets and tells the AlertDesk what changed. */
  async tick(nowMs: number = Date.now()): Promise<void> {
    const asOfMs = liveAsOf(nowMs);
    const minuteEnd = Math.floor(nowMs / minuteMs) * minuteMs;
    const lastFiveMinutes = this.liveBuckets.window(asOfMs, rateWindowMs, null);
    const regions: Record<string, LiveBucket> = {};
    for (const region of this.liveBuckets.regionsSince(asOfMs - rateWindowMs)) regions[region] = this.liveBuckets.window(asOfMs, rateWindowMs, region);
    try {
      const thresholds = thresholdsFor(await alertDesk(this.env).rules(), null);
      const observations = platformObservations({
        lastHour: this.liveBuckets.totals(asOfMs, hourWindowMs, null),
        lastFiveMinutes,
        fullMinutes: [5, 4, 3, 2, 1].map((ago) => this.liveBuckets.window(minuteEnd - (ago - 1) * minuteMs, minuteMs, null)),
        regions,
        thresholds,
      });
      const changed = this.conditions.changed(observations);
      if (changed.length > 0) {
        await alertDesk(this.env).observe(changed, nowMs);
        this.conditions.sent(changed);
      }
    } catch (error) {
      console.error('platform alert evaluation failed; retrying on the next tick', error);
    }
    const recentTraffic = this.liveBuckets.anySince(asOfMs - rateWindowMs - minuteMs);
    if (recentTraffic || this.conditions.anyUnhealthy()) {
      await this.ctx.storage.setAlarm(nowMs + platformTickMs);
      this.alarmScheduled = true;
    }
  }

  private snapshots(): Array<{ customerId: string; snapshot: TenantSnapshot }> {
    return [...this.snapshotsByCustomer()]
      .map(([customerId, snapshot]) => ({ customerId, snapshot }))
      .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  }

  private liveText({ region = null, nowMs = Date.now() }: LiveViewAt): LiveViewText {
    const asOfMs = liveAsOf(nowMs);
    const cached = this.liveTextCache.get(region);
    if (cached?.asOfMs === asOfMs) return cached;
    const text: LiveViewText = { asOfMs, json: JSON.stringify(this.live({ region, nowMs })), gzip: null };
    if (this.liveTextCache.size >= maxCachedViews) this.liveTextCache.clear();
    this.liveTextCache.set(region, text);
    return text;
  }

  /** GET /api/ops/live's body: the live view as JSON text, built once per as_of and report. */
  liveJson(at: LiveViewAt = {}): string {
    return this.liveText(at).json;
  }

  /** The same body gzip-compressed, about a tenth of its bytes, made once per built view. */
  liveGzip(at: LiveViewAt = {}): Promise<Uint8Array<ArrayBuffer>> {
    const text = this.liveText(at);
    text.gzip ??= gzip(text.json);
    return text.gzip;
  }

  live({ region = null, nowMs = Date.now() }: LiveViewAt = {}): LiveView {
    const asOfMs = liveAsOf(nowMs);
    const fiveMinutes = this.liveBuckets.window(asOfMs, rateWindowMs, region);
    const hour = this.liveBuckets.totals(asOfMs, hourWindowMs, region);
    const lastMinute = this.liveBuckets.totals(asOfMs, attemptsWindowMs, region);
    const metrics = rateMetrics(fiveMinutes);
    const snapshots = this.snapshots();
    const rowKey = region ?? allRegions;

    const customers: CustomerLiveRow[] = [];
    let activeCalls = 0;
    for (const { customerId, snapshot } of snapshots) {
      const row = snapshot.rows[rowKey];
      if (!row) continue;
      activeCalls += row.active_calls;
      const ratio = loadRatio(snapshot.startedLast15Minutes, snapshot.normalCallsPerHour);
      const noisy = ratio > noisyLoadRatio;
      const overall = snapshot.rows[allRegions] ?? row;
      customers.push({
        customer_id: customerId,
        as_of: new Date(holdsAt(snapshot, asOfMs) ? asOfMs : snapshot.asOfMs).toISOString(),
        ...row,
        load_ratio: ratio,
        noisy,
        normal_calls_per_hour: snapshot.normalCallsPerHour,
        flags: customerFlags({
          noisy,
          errorRate: row.error_rate.value,
          p95E2eMs: row.p95_e2e_ms,
          platformP95E2eMs: metrics.e2e_ms.p95,
          spendLimitExceeded: overall.cost_per_hour_micros > snapshot.hourlySpendLimitMicros,
        }),
      });
    }
    customers.sort((a, b) => b.load_ratio - a.load_ratio || b.calls_per_hour - a.calls_per_hour || a.customer_id.localeCompare(b.customer_id));

    return {
      as_of: new Date(asOfMs).toISOString(),
      window_s: rateWindowMs / 1000,
      region,
      platform: {
        active_calls: activeCalls,
        call_attempts_per_minute: lastMinute.callsStarted,
        calls_per_hour: hour.callsStarted,
        ended_calls: fiveMinutes.callsEnded,
        cost_per_hour_micros: hour.billedMicros,
        provider_cost_per_hour_micros: hour.providerCostMicros,
        provider_cost_per_hour_by_component_micros: hour.costByComponentMicros,
        ...metrics,
      },
      providers: providerHealth(fiveMinutes),
      customers,
    };
  }

  /** Adds a Worker isolate's batch of request durations and cache reads to the running totals. */
  recordWorkerHealth({ requestDurations, cacheReads }: { requestDurations: RequestDurations[]; cacheReads: CacheReadCounts | null }): void {
    this.ctx.storage.transactionSync(() => {
      this.requestDurations.add(requestDurations);
      if (cacheReads) this.serviceHealth.addCacheReads(cacheReads);
    });
  }

  /** Counts one customer metrics refresh (the hourly cron's or POST /api/ops/refresh's). */
  recordRefresh(outcome: RefreshOutcome): void {
    this.serviceHealth.addRefresh(outcome);
  }

  /** Everything GET /metrics exposes, read at one `nowMs`. */
  metrics({ nowMs = Date.now() }: { nowMs?: number } = {}): PlatformMetricsView {
    const snapshots = this.snapshots();
    // A meter's rows name every region it has buckets or open calls in, so together they name the platform's.
    const regions = new Set(snapshots.flatMap(({ snapshot }) => Object.keys(snapshot.rows)).filter((region) => region !== allRegions));
    return {
      nowMs,
      live: this.live({ nowMs }),
      regions: [...regions].sort().map((region) => this.live({ region, nowMs })),
      // A snapshot stored before meters reported their buffer has none; it is replaced on the meter's next report.
      eventBuffers: snapshots.flatMap(({ customerId, snapshot }) => (snapshot.eventBuffer ? [{ customerId, ...snapshot.eventBuffer }] : [])),
      requestDurations: this.requestDurations.all(),
      ...this.serviceHealth.view(),
    };
  }

  /**
   * The live hour as points of `stepMs` (each the merge of the buckets it spans) starting in
   * [fromMs, toMs), oldest first, for one region or all.
   */
  points({ region = null, fromMs, toMs, stepMs }: { region?: string | null; fromMs: number; toMs: number; stepMs: number }): Array<{ startMs: number; bucket: LiveBucket }> {
    const firstMs = Math.ceil(fromMs / stepMs) * stepMs;
    const byPoint = new Map<number, LiveBucket[]>();
    for (const row of this.liveBuckets.range(firstMs, Math.ceil(toMs / stepMs) * stepMs, region)) {
      const startMs = Math.floor(row.bucketMs / stepMs) * stepMs;
      byPoint.set(startMs, [...(byPoint.get(startMs) ?? []), row.bucket]);
    }
    const out: Array<{ startMs: number; bucket: LiveBucket }> = [];
    for (let ms = firstMs; ms < toMs; ms += stepMs) out.push({ startMs: ms, bucket: mergeBuckets(byPoint.get(ms) ?? []) });
    return out;
  }
}

export function platformMeter(env: Env): DurableObjectStub<PlatformMeter> {
  return env.PLATFORM_METER.get(env.PLATFORM_METER.idFromName('platform'));
}
