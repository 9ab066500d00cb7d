// The operator's real-time values (CONTRACT section 2, "Operator real-time values"), defined once
// over 5-second buckets: the TenantMeter fills them per customer and region, the PlatformMeter
// merges them across customers, and both summarise them with the functions here. Windows end at
// a bucket boundary, so the bucket width is how old `as_of` can be when a view is built: 5 s
// leaves the other half of the contract's 10 s to reach the operator (decision 0010).
import { emptySketchState, mergeSketchStates, sketchQuantile, type SketchState } from './quantiles.ts';
import { rate, type Rate } from './rate.ts';

export const bucketMs = 5_000;
/** The live charts' resolution: two buckets a point, as the operator's charts ask for 10 s. */
export const chartStepMs = 10_000;
export const rateWindowMs = 5 * 60_000;
export const hourWindowMs = 60 * 60_000;
export const attemptsWindowMs = 60_000;
export const staleAfterMs = 4 * 3_600_000;

export const providerKinds = ['stt', 'llm', 'tts', 'telephony'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export function bucketStart(ms: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

/** Live values are computed up to the last completed bucket, so `as_of` is under 5 s old when built. */
export function liveAsOf(nowMs: number): number {
  return bucketStart(nowMs);
}

/**
 * The first as_of after `asOfMs` at which a window of one of `spansMs` ending at as_of gains or
 * loses one of the buckets starting at `bucketStarts`: until then, with no new events, every such
 * window keeps its value. A bucket b is in the window [as_of - span, as_of) from as_of = b + one
 * bucket (once it is complete) until as_of = b + span + one bucket. Null when none will move.
 */
export function nextWindowChangeMs(bucketStarts: Iterable<number>, spansMs: readonly number[], asOfMs: number): number | null {
  let next: number | null = null;
  for (const startMs of bucketStarts) {
    for (const edgeMs of [startMs + bucketMs, ...spansMs.map((spanMs) => startMs + spanMs + bucketMs)]) {
      if (edgeMs > asOfMs && (next === null || edgeMs < next)) next = edgeMs;
    }
  }
  return next;
}

export interface ProviderCounter {
  ok: number;
  total: number;
  latency: SketchState;
}

/**
 * The additive part of a bucket: sums that merge by adding. The `*_per_hour` values and the
 * load window read only these, so their windows skip the sketches.
 */
export interface BucketTotals {
  callsStarted: number;
  callsEnded: number;
  completed: number;
  failed: number;
  abandoned: number;
  /** Ended calls that failed or had at least one call.error. */
  endedWithError: number;
  escalated: number;
  /** Ended calls with at least one interrupted turn. */
  endedInterrupted: number;
  taskSuccess: number;
  taskKnown: number;
  toolCalls: number;
  toolFailures: number;
  csatSum: number;
  csatCount: number;
  providerCostMicros: number;
  billedMicros: number;
  /** Provider cost of ended calls by component (stt, llm, tts, telephony, ...). */
  costByComponentMicros: Record<string, number>;
}

/** Everything counted in one 5-second bucket (for one customer and region, or merged). */
export interface LiveBucket extends BucketTotals {
  /** provider.request outcomes by `kind|provider`. */
  providerRequests: Record<string, ProviderCounter>;
  e2e: SketchState;
  stt: SketchState;
  llm: SketchState;
  tts: SketchState;
  ttfa: SketchState;
}

const countFields = [
  'callsStarted',
  'callsEnded',
  'completed',
  'failed',
  'abandoned',
  'endedWithError',
  'escalated',
  'endedInterrupted',
  'taskSuccess',
  'taskKnown',
  'toolCalls',
  'toolFailures',
  'csatSum',
  'csatCount',
  'providerCostMicros',
  'billedMicros',
] as const satisfies ReadonlyArray<keyof BucketTotals>;

const sketchFields = ['e2e', 'stt', 'llm', 'tts', 'ttfa'] as const satisfies ReadonlyArray<keyof LiveBucket>;

export function emptyTotals(): BucketTotals {
  const totals = { costByComponentMicros: {} } as BucketTotals;
  for (const field of countFields) totals[field] = 0;
  return totals;
}

export function emptyBucket(): LiveBucket {
  return {
    ...emptyTotals(),
    providerRequests: {},
    e2e: emptySketchState,
    stt: emptySketchState,
    llm: emptySketchState,
    tts: emptySketchState,
    ttfa: emptySketchState,
  };
}

/** Adds `source`'s sums into `target`. */
function addTotals(target: BucketTotals, source: BucketTotals): void {
  for (const field of countFields) target[field] += source[field];
  for (const [key, value] of Object.entries(source.costByComponentMicros)) {
    target.costByComponentMicros[key] = (target.costByComponentMicros[key] ?? 0) + value;
  }
}

export function sumTotals(buckets: readonly BucketTotals[]): BucketTotals {
  const totals = emptyTotals();
  for (const bucket of buckets) addTotals(totals, bucket);
  return totals;
}

export function mergeBuckets(buckets: readonly LiveBucket[]): LiveBucket {
  const merged = emptyBucket();
  for (const bucket of buckets) {
    addTotals(merged, bucket);
    for (const [key, counter] of Object.entries(bucket.providerRequests)) {
      const current = merged.providerRequests[key];
      merged.providerRequests[key] = current
        ? { ok: current.ok + counter.ok, total: current.total + counter.total, latency: mergeSketchStates([current.latency, counter.latency]) }
        : counter;
    }
  }
  for (const field of sketchFields) merged[field] = mergeSketchStates(buckets.map((b) => b[field]));
  return merged;
}

export interface Quantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

function quantilesOf(sketch: SketchState): Quantiles {
  return { p50: sketchQuantile(sketch, 0.5), p95: sketchQuantile(sketch, 0.95), p99: sketchQuantile(sketch, 0.99) };
}

export interface ProviderHealth {
  kind: string;
  provider: string | null;
  success_rate: Rate;
  latency_ms: Quantiles;
}

/** One entry per kind and per kind+provider, sorted by kind then provider (the kind first). */
export function providerHealth(window: LiveBucket): ProviderHealth[] {
  const byKind = new Map<string, ProviderCounter[]>();
  const entries: ProviderHealth[] = [];
  for (const [key, counter] of Object.entries(window.providerRequests)) {
    // The kind is one of four words; everything after the first '|' is the provider's name.
    const separator = key.indexOf('|');
    const kind = key.slice(0, separator);
    const provider = key.slice(separator + 1);
    byKind.set(kind, [...(byKind.get(kind) ?? []), counter]);
    entries.push({ kind, provider, success_rate: rate(counter.ok, counter.total), latency_ms: quantilesOf(counter.latency) });
  }
  for (const [kind, counters] of byKind) {
    const ok = counters.reduce((sum, c) => sum + c.ok, 0);
    const total = counters.reduce((sum, c) => sum + c.total, 0);
    entries.push({ kind, provider: null, success_rate: rate(ok, total), latency_ms: quantilesOf(mergeSketchStates(counters.map((c) => c.latency))) });
  }
  return entries.sort((a, b) => a.kind.localeCompare(b.kind) || (a.provider ?? '').localeCompare(b.provider ?? ''));
}

export interface RateMetrics {
  success_rate: Rate;
  error_rate: Rate;
  completion_rate: Rate;
  escalation_rate: Rate;
  interruption_rate: Rate;
  task_success_rate: Rate;
  tool_failure_rate: Rate;
  csat: number | null;
  e2e_ms: Quantiles;
  stt_ms: Quantiles;
  llm_ms: Quantiles;
  tts_ms: Quantiles;
  ttfa_ms: Quantiles;
}

/** Rates and quantiles of a window's merged bucket. */
export function rateMetrics(window: LiveBucket): RateMetrics {
  const ended = window.callsEnded;
  return {
    success_rate: rate(ended - window.failed, ended),
    error_rate: rate(window.endedWithError, ended),
    completion_rate: rate(ended - window.abandoned, ended),
    escalation_rate: rate(window.escalated, ended),
    interruption_rate: rate(window.endedInterrupted, ended),
    task_success_rate: rate(window.taskSuccess, window.taskKnown),
    tool_failure_rate: rate(window.toolFailures, window.toolCalls),
    csat: window.csatCount === 0 ? null : window.csatSum / window.csatCount,
    e2e_ms: quantilesOf(window.e2e),
    stt_ms: quantilesOf(window.stt),
    llm_ms: quantilesOf(window.llm),
    tts_ms: quantilesOf(window.tts),
    ttfa_ms: quantilesOf(window.ttfa),
  };
}

/** Buckets whose start lies in [asOf - spanMs, asOf). */
export function inWindow(bucketStartMs: number, asOfMs: number, spanMs: number): boolean {
  return bucketStartMs >= asOfMs - spanMs && bucketStartMs < asOfMs;
}
