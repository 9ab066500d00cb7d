// Quantiles (CONTRACT section 2). Exact: the value at 0-based index floor(q * (n - 1)) of the
// sorted values. Live: a DDSketch (@datadog/sketches-js) with 1% relative accuracy, mergeable
// across buckets and tenants, whose rank rule is the same floor(q * (n - 1)).
import { DDSketch } from '@datadog/sketches-js';

export const sketchRelativeAccuracy = 0.01;

export function exactQuantile(sortedAscending: readonly number[], q: number): number | null {
  if (sortedAscending.length === 0) return null;
  return sortedAscending[Math.floor(q * (sortedAscending.length - 1))] ?? null;
}

/** A sketch as plain JSON, for Durable Object storage and RPC: non-empty bins (keys[i] holds counts[i]), plus the summary. */
export interface SketchState {
  keys: number[];
  counts: number[];
  zeroCount: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export const emptySketchState: SketchState = { keys: [], counts: [], zeroCount: 0, count: 0, sum: 0, min: 0, max: 0 };

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: sketchRelativeAccuracy });
}

export function sketchFromState(state: SketchState): DDSketch {
  const sketch = newSketch();
  if (state.count === 0) return sketch;
  state.keys.forEach((key, i) => sketch.store.add(key, state.counts[i] ?? 0));
  sketch.zeroCount = state.zeroCount;
  sketch.count = state.count;
  sketch.sum = state.sum;
  sketch.min = state.min;
  sketch.max = state.max;
  return sketch;
}

export function sketchToState(sketch: DDSketch): SketchState {
  if (sketch.count === 0) return emptySketchState;
  const keys: number[] = [];
  const counts: number[] = [];
  sketch.store.bins.forEach((count, index) => {
    if (count > 0) {
      keys.push(index + sketch.store.offset);
      counts.push(count);
    }
  });
  return { keys, counts, zeroCount: sketch.zeroCount, count: sketch.count, sum: sketch.sum, min: sketch.min, max: sketch.max };
}

/** Adds non-negative values (latencies); the library's merge ignores negative stores. */
export function addToSketchState(state: SketchState, values: readonly number[]): SketchState {
  if (values.length === 0) return state;
  const sketch = sketchFromState(state);
  for (const value of values) {
    if (value < 0) throw new RangeError('latency sketches take non-negative values');
    sketch.accept(value);
  }
  return sketchToState(sketch);
}

export function mergeSketchStates(states: readonly SketchState[]): SketchState {
  const merged = newSketch();
  for (const state of states) if (state.count > 0) merged.merge(sketchFromState(state));
  return sketchToState(merged);
}

export function sketchQuantile(state: SketchState, q: number): number | null {
  if (state.count === 0) return null;
  // The sketch answers a bin's representative; the exact extremes are known, so stay within them.
  const value = sketchFromState(state).getValueAtQuantile(q);
  return Math.min(state.max, Math.max(state.min, value));
}
