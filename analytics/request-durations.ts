// How long the Worker takes to answer, per route, as a cumulative histogram: the Worker counts
// durations into these buckets in isolate memory, the PlatformMeter adds the batches up for good,
// and GET /metrics exposes them as `le` buckets that Prometheus can rate and aggregate.

/** Upper bounds in seconds: Prometheus' default buckets, which span the dashboards' targets (P95 under 100 ms to 2 s). */
export const requestDurationBoundsSeconds: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface DurationHistogram {
  bounds: readonly number[];
  /** Observations per bucket, not cumulative: one per bound, then one above the last bound. */
  counts: number[];
  sumSeconds: number;
}

export interface RequestRoute {
  /** The registered route pattern that answered (`/api/ops/calls/:customer_id/:call_id`), never the raw path. */
  route: string;
  method: string;
  /** `2xx`, `4xx`, ... */
  statusClass: string;
}

export interface RequestDurations extends RequestRoute {
  histogram: DurationHistogram;
}

export function emptyDurationHistogram(bounds: readonly number[] = requestDurationBoundsSeconds): DurationHistogram {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), sumSeconds: 0 };
}

/** Counts one duration in place: this runs on every request, so it allocates nothing. */
export function observeDuration(histogram: DurationHistogram, seconds: number): void {
  let bucket = 0;
  while (bucket < histogram.bounds.length && seconds > (histogram.bounds[bucket] ?? Infinity)) bucket++;
  histogram.counts[bucket] = (histogram.counts[bucket] ?? 0) + 1;
  histogram.sumSeconds += seconds;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}

/**
 * `total` plus `batch`. A batch counted with other bounds (a deploy that changed them) starts the
 * total over: Prometheus reads that as a counter reset, which is what it is.
 */
export function addDurations(total: DurationHistogram, batch: DurationHistogram): DurationHistogram {
  if (!sameBounds(total.bounds, batch.bounds)) return { bounds: batch.bounds, counts: [...batch.counts], sumSeconds: batch.sumSeconds };
  return {
    bounds: total.bounds,
    counts: total.counts.map((count, i) => count + (batch.counts[i] ?? 0)),
    sumSeconds: total.sumSeconds + batch.sumSeconds,
  };
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
