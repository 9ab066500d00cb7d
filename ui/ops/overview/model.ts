// The operator overview as signals: the live view polled every few seconds, the chart series, the
// alert feed, and the page's own choices (region and time range, kept in the URL). Components
// read it; its actions are the only way anything changes.
import { computed, createModel, effect, signal, untracked, type ReadonlySignal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { TimeWindow } from '../drill-down.ts';
import type { OpsApi } from '../ops-api.ts';
import { repeat, type Repeating, type Timers } from '../poll.ts';
import { mergePoints, toPoints, type Points } from '../series-points.ts';
import { staleAfterMs } from '../thresholds.ts';
import type { Alert, CustomerLiveRow, LiveView, ProviderHealth, SeriesMetric } from '../wire.ts';
import { chartColumns, chartSeriesMetrics, overviewCharts, type ChartColumns, type ChartSpec } from './chart-specs.ts';
import { coreTiles, polledValues, sparkSeriesMetrics, type PolledMetric, type TileView } from './tiles.ts';

/** See docs/decisions/0008-operator-dashboard-polling.md. */
export const livePollMs = 5_000;
export const seriesPollMs = 10_000;
const clockTickMs = 1_000;

const hourMs = 3_600_000;
/** Series requests start this far inside the live hour, so server and browser clocks a little apart still get the 10 s points. */
const liveHourMarginMs = 30_000;
/** Each series refresh asks again for the last points, which late reports may still change. */
const seriesOverlapMs = 30_000;

export const timeRanges = ['live', '1h', '24h', '7d'] as const;
export type TimeRange = (typeof timeRanges)[number];
export const timeRangeLabels: Record<TimeRange, string> = { live: 'Live', '1h': '1 h', '24h': '24 h', '7d': '7 d' };
const rangeSpanMs: Record<Exclude<TimeRange, 'live'>, number> = { '1h': hourMs, '24h': 24 * hourMs, '7d': 7 * 24 * hourMs };

/** Regions offered in the filter; the live view does not list regions, so these are the contract's examples. */
export const knownRegions = ['us', 'eu', 'ap'] as const;

export type Connection = 'connecting' | 'live' | 'lost' | 'signed_out';

export type CustomerSortKey = 'customer_id' | 'active_calls' | 'calls_per_hour' | 'cost_per_hour_micros' | 'error_rate' | 'p95_e2e_ms' | 'load_ratio';

export interface PolledPoint {
  atMs: number;
  values: Record<PolledMetric, number | null>;
}

export interface ProviderGroup {
  kind: string;
  total: ProviderHealth | null;
  providers: ProviderHealth[];
}

export interface ChartView extends ChartColumns {
  spec: ChartSpec;
}

export interface SparkView extends ChartColumns {
  tile: TileView;
}

/** The window the live values cover: the 5 minutes ending at as_of. */
const liveWindowMs = 5 * 60_000;

export interface OverviewDeps {
  api: Pick<OpsApi, 'live' | 'series' | 'alerts' | 'acknowledgeAlert' | 'alertTargets'>;
  /** The overview's query string (the router's `search`). */
  search: ReadonlySignal<string>;
  /** Replaces the overview's query string (no new history entry). */
  setSearch: (search: string) => void;
  now: () => number;
  timers: Timers;
}

/** as_of is the start of the server's current 5 s bucket, so it arrives 0-5 s old (plus the round trip). */
const expectedLagMs = { min: -2_000, max: 15_000 };
const midBucketLagMs = 2_500;

/**
 * Browser clock minus server clock, judged from one live view: 0 while the lag of as_of is what
 * the bucket explains (clocks agree), else the lag beyond a mid-bucket as_of. Ages on the page
 * and series windows use the server's time, so a browser clock that is off does not make them lie.
 */
export function estimateClockSkew(receivedMs: number, asOfMs: number): number {
  const lag = receivedMs - asOfMs;
  return lag >= expectedLagMs.min && lag <= expectedLagMs.max ? 0 : lag - midBucketLagMs;
}

export function readRegion(search: string): string | null {
  const region = new URLSearchParams(search).get('region');
  return region && /^[a-z][a-z0-9-]{0,31}$/.test(region) ? region : null;
}

export function readRange(search: string): TimeRange {
  const range = new URLSearchParams(search).get('range');
  return timeRanges.find((r) => r === range) ?? 'live';
}

function customerSortValue(row: CustomerLiveRow, key: CustomerSortKey): number | string {
  switch (key) {
    case 'customer_id':
      return row.customer_id;
    case 'error_rate':
      return row.error_rate.value ?? -1;
    case 'p95_e2e_ms':
      return row.p95_e2e_ms ?? -1;
    default:
      return row[key];
  }
}

export function sortCustomers(rows: readonly CustomerLiveRow[], key: CustomerSortKey, descending: boolean): CustomerLiveRow[] {
  return [...rows].sort((a, b) => {
    const x = customerSortValue(a, key);
    const y = customerSortValue(b, key);
    const order = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return (descending ? -order : order) || a.customer_id.localeCompare(b.customer_id);
  });
}

export function groupProviders(entries: readonly ProviderHealth[]): ProviderGroup[] {
  const kinds = [...new Set(entries.map((entry) => entry.kind))];
  return kinds.map((kind) => ({
    kind,
    total: entries.find((entry) => entry.kind === kind && entry.provider === null) ?? null,
    providers: entries.filter((entry) => entry.kind === kind && entry.provider !== null),
  }));
}

export const OverviewModel = createModel((deps: OverviewDeps) => {
  const region = computed(() => readRegion(deps.search.value));
  const range = computed(() => readRange(deps.search.value));

  const live = signal<LiveView | null>(null);
  const connection = signal<Connection>('connecting');
  const lastError = signal<ApiError | null>(null);
  /** Browser clock minus server clock (0 unless they clearly disagree). */
  const clockSkewMs = signal(0);
  const clock = signal(deps.now());
  const polled = signal<PolledPoint[]>([]);
  const liveHourSeries = signal<Partial<Record<SeriesMetric, Points>>>({});
  const rangeSeries = signal<Partial<Record<SeriesMetric, Points>>>({});
  const rangeEndMs = signal<number | null>(null);
  const rangeLoading = signal(false);
  const seriesError = signal<ApiError | null>(null);
  const alerts = signal<Alert[]>([]);
  const alertsError = signal<ApiError | null>(null);
  const targetNames = signal<Record<string, string>>({});
  const acknowledging = signal<string[]>([]);
  const ackError = signal<{ alertId: string; error: ApiError } | null>(null);
  const customerSort = signal<{ key: CustomerSortKey; descending: boolean }>({ key: 'load_ratio', descending: true });

  const serverNow = () => deps.now() - clockSkewMs.value;

  const asOfMs = computed(() => (live.value ? Date.parse(live.value.as_of) : null));
  const ageMs = computed(() => (asOfMs.value === null ? null : Math.max(0, clock.value - clockSkewMs.value - asOfMs.value)));
  const stale = computed(() => connection.value === 'lost' || (ageMs.value !== null && ageMs.value > staleAfterMs));
  const tiles = computed(() => (live.value ? coreTiles(live.value) : []));
  const providerGroups = computed(() => groupProviders(live.value?.providers ?? []));
  const customers = computed(() => sortCustomers(live.value?.customers ?? [], customerSort.value.key, customerSort.value.descending));
  const openAlerts = computed(() => alerts.value.filter((alert) => alert.status !== 'resolved'));
  const resolvedAlerts = computed(() => alerts.value.filter((alert) => alert.status === 'resolved'));
  /** The series the charts draw: the rolling live hour, or the fixed window a range picked. */
  const chartSeries = computed(() => (range.value === 'live' ? liveHourSeries.value : rangeSeries.value));

  const charts = computed<ChartView[]>(() => overviewCharts.map((spec) => ({ spec, ...chartColumns(spec, chartSeries.value) })));
  const sparks = computed<SparkView[]>(() =>
    tiles.value.map((tile) => {
      if ('series' in tile.spark) {
        const points = liveHourSeries.value[tile.spark.series];
        return { tile, t: points?.t ?? [], columns: [points?.values ?? []], stepMs: points?.stepMs ?? 10_000 };
      }
      const metric = tile.spark.polled;
      return { tile, t: polled.value.map((p) => p.atMs), columns: [polled.value.map((p) => p.values[metric])], stepMs: 10_000 };
    }),
  );
  const liveWindow = computed<TimeWindow | null>(() => (asOfMs.value === null ? null : { fromMs: asOfMs.value - liveWindowMs, toMs: asOfMs.value }));

  const liveHourMetrics = computed<SeriesMetric[]>(() =>
    range.value === 'live' ? [...new Set([...sparkSeriesMetrics, ...chartSeriesMetrics])] : sparkSeriesMetrics,
  );

  function failed(error: ApiError): void {
    lastError.value = error;
    // The session ended (expired, revoked, signed out elsewhere). Polls go on, so signing in
    // again in another tab brings this one back.
    connection.value = error.status === 401 ? 'signed_out' : 'lost';
  }

  async function pollLive(signal: AbortSignal): Promise<void> {
    // Both go out together, but the tiles show the live view as soon as it lands: the alert feed
    // is often the slower answer and has no say in them.
    const pendingFeed = deps.api.alerts(signal);
    const view = await deps.api.live(region.value, signal);
    if (signal.aborted) return;
    if (!view.ok) {
      failed(view.error);
      return;
    }
    const receivedMs = deps.now();
    const asOf = Date.parse(view.data.as_of);
    clockSkewMs.value = estimateClockSkew(receivedMs, asOf);
    live.value = view.data;
    connection.value = 'live';
    lastError.value = null;
    clock.value = receivedMs;
    const point: PolledPoint = { atMs: asOf, values: polledValues(view.data) };
    polled.value = [...polled.value.filter((p) => p.atMs !== asOf && p.atMs >= asOf - hourMs), point];
    const feed = await pendingFeed;
    if (signal.aborted) return;
    if (feed.ok) {
      alerts.value = feed.data.data;
      alertsError.value = null;
    } else {
      alertsError.value = feed.error;
    }
  }

  async function fetchSeries(metrics: readonly SeriesMetric[], window: (metric: SeriesMetric) => { fromMs: number; toMs: number } | null, signal: AbortSignal) {
    const answers = await Promise.all(
      metrics.map(async (metric) => {
        const bounds = window(metric);
        if (!bounds) return null;
        return { metric, result: await deps.api.series({ metric, region: region.value, ...bounds }, signal) };
      }),
    );
    if (signal.aborted) return null;
    const points: Partial<Record<SeriesMetric, Points>> = {};
    for (const answer of answers) {
      if (!answer) continue;
      if (!answer.result.ok) {
        seriesError.value = answer.result.error;
        continue;
      }
      points[answer.metric] = toPoints(answer.result.data);
    }
    return points;
  }

  async function pollLiveHour(signal: AbortSignal): Promise<void> {
    const toMs = serverNow();
    const keepFromMs = toMs - hourMs + liveHourMarginMs;
    const current = liveHourSeries.value;
    const fresh = await fetchSeries(
      liveHourMetrics.value,
      (metric) => {
        const last = current[metric]?.t.at(-1);
        const fromMs = last === undefined ? keepFromMs : Math.max(keepFromMs, last - seriesOverlapMs);
        return fromMs < toMs ? { fromMs, toMs } : null;
      },
      signal,
    );
    if (!fresh) return;
    const merged = { ...liveHourSeries.value };
    for (const [metric, points] of Object.entries(fresh) as Array<[SeriesMetric, Points]>) {
      merged[metric] = mergePoints(merged[metric], points, keepFromMs);
    }
    liveHourSeries.value = merged;
    if (Object.keys(fresh).length === liveHourMetrics.value.length) seriesError.value = null;
  }

  async function loadRange(chosen: Exclude<TimeRange, 'live'>, signal: AbortSignal): Promise<void> {
    const toMs = serverNow();
    const span = rangeSpanMs[chosen];
    // The 1 h window stays inside the live hour, where points are 10 s apart.
    const fromMs = toMs - span + (chosen === '1h' ? liveHourMarginMs : 0);
    const fresh = await fetchSeries(chartSeriesMetrics, () => ({ fromMs, toMs }), signal);
    if (!fresh) return;
    rangeSeries.value = fresh;
    rangeEndMs.value = toMs;
    rangeLoading.value = false;
  }

  const running: Repeating[] = [];

  // Region and range come from the URL: whenever either changes, everything is fetched afresh.
  effect(() => {
    const chosenRange = range.value;
    region.value;
    // Only region and range restart the polls; what the polls read must not.
    return untracked(() => {
      live.value = null;
      connection.value = 'connecting';
      polled.value = [];
      liveHourSeries.value = {};
      rangeSeries.value = {};
      rangeEndMs.value = null;
      rangeLoading.value = chosenRange !== 'live';
      seriesError.value = null;
      const loops = [repeat(pollLive, livePollMs, deps.timers), repeat(pollLiveHour, seriesPollMs, deps.timers)];
      const rangeAbort = new AbortController();
      if (chosenRange !== 'live') void loadRange(chosenRange, rangeAbort.signal);
      running.push(...loops);
      return () => {
        rangeAbort.abort();
        for (const loop of loops) {
          loop.stop();
          running.splice(running.indexOf(loop), 1);
        }
      };
    });
  });

  effect(() => {
    const id = deps.timers.setTimeout(function tick() {
      clock.value = deps.now();
    }, clockTickMs);
    // Re-armed after each tick by reading `clock` here.
    clock.value;
    return () => deps.timers.clearTimeout(id);
  });

  void deps.api.alertTargets().then((answer) => {
    if (answer.ok) targetNames.value = Object.fromEntries(answer.data.data.map((target) => [target.id, target.name]));
  });

  function setQuery(name: 'region' | 'range', value: string | null, fallback: string): void {
    const params = new URLSearchParams(deps.search.value);
    if (value === null || value === fallback) params.delete(name);
    else params.set(name, value);
    const search = params.toString();
    deps.setSearch(search === '' ? '' : `?${search}`);
  }

  return {
    region,
    range,
    live,
    /** The browser's clock, ticking once a second, for ages on the page. */
    clock,
    connection,
    lastError,
    asOfMs,
    ageMs,
    stale,
    tiles,
    sparks,
    charts,
    liveWindow,
    rangeEndMs,
    rangeLoading,
    seriesError,
    providerGroups,
    customers,
    customerSort,
    alerts,
    openAlerts,
    resolvedAlerts,
    alertsError,
    targetNames,
    acknowledging,
    ackError,
    setRegion(value: string | null) {
      setQuery('region', value, '');
    },
    setRange(value: TimeRange) {
      setQuery('range', value, 'live');
    },
    sortCustomersBy(key: CustomerSortKey) {
      const current = customerSort.value;
      // A new column starts with its largest values (the busiest customers), names A to Z.
      customerSort.value =
        current.key === key ? { key, descending: !current.descending } : { key, descending: key !== 'customer_id' };
    },
    /** Polls now, e.g. when the tab becomes visible again after the browser slowed its timers. */
    refreshNow() {
      for (const loop of running) loop.now();
    },
    async acknowledge(alertId: string) {
      if (acknowledging.value.includes(alertId)) return;
      acknowledging.value = [...acknowledging.value, alertId];
      ackError.value = null;
      const answer = await deps.api.acknowledgeAlert(alertId);
      acknowledging.value = acknowledging.value.filter((id) => id !== alertId);
      if (!answer.ok) {
        ackError.value = { alertId, error: answer.error };
        return;
      }
      alerts.value = alerts.value.map((alert) =>
        alert.id === alertId && alert.status === 'triggered' ? { ...alert, status: 'acknowledged', acknowledged_at: new Date(deps.now()).toISOString() } : alert,
      );
      for (const loop of running) loop.now();
    },
  };
});

export type Overview = InstanceType<typeof OverviewModel>;
