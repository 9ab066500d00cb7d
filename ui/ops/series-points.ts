// Columnar series as the charts hold them: times in ms, one value per time (null is a gap), and
// the step each point covers, so a clicked point maps back to the window it counts.
import type { SeriesResponse } from './wire.ts';

export interface Points {
  t: number[];
  values: Array<number | null>;
  stepMs: number;
}

const minuteMs = 60_000;
const hourMs = 3_600_000;

export function toPoints(response: SeriesResponse): Points {
  return { t: response.t.map((iso) => Date.parse(iso)), values: response.values, stepMs: response.resolution_s * 1000 };
}

/**
 * `update` laid over `previous`: points from the update's first time on are replaced (a bucket
 * still receiving late reports changes), and points older than `keepFromMs` are dropped.
 */
export function mergePoints(previous: Points | undefined, update: Points, keepFromMs: number): Points {
  const firstNew = update.t[0];
  const t: number[] = [];
  const values: Array<number | null> = [];
  if (previous && previous.stepMs === update.stepMs) {
    previous.t.forEach((time, i) => {
      if (time >= keepFromMs && (firstNew === undefined || time < firstNew)) {
        t.push(time);
        values.push(previous.values[i] ?? null);
      }
    });
  }
  update.t.forEach((time, i) => {
    if (time >= keepFromMs) {
      t.push(time);
      values.push(update.values[i] ?? null);
    }
  });
  return { t, values, stepMs: update.stepMs };
}

/**
 * Sums of an additive series (counts, micro-USD) per whole minute. Finer points are added up and
 * minutes the series covers only in part (its two ends) are left out, so no edge looks like a
 * dip; coarser points pass through unchanged.
 */
export function sumPerMinute(points: Points): Points {
  if (points.stepMs >= minuteMs) return points;
  const perMinute = minuteMs / points.stepMs;
  const sums = new Map<number, { sum: number; count: number }>();
  points.t.forEach((time, i) => {
    const minute = Math.floor(time / minuteMs) * minuteMs;
    const entry = sums.get(minute) ?? { sum: 0, count: 0 };
    entry.sum += points.values[i] ?? 0;
    entry.count += 1;
    sums.set(minute, entry);
  });
  const t: number[] = [];
  const values: number[] = [];
  for (const [minute, entry] of sums) {
    if (entry.count < perMinute) continue;
    t.push(minute);
    values.push(entry.sum);
  }
  return { t, values, stepMs: minuteMs };
}

/** An additive series as a rate per `unitMs` (per minute, per hour), from its per-step sums. */
export function ratePer(points: Points, unitMs: typeof minuteMs | typeof hourMs): Points {
  const coarse = points.stepMs < minuteMs ? sumPerMinute(points) : points;
  // Integer factors where the step divides the unit, so money stays whole micro-USD.
  const scale = (value: number) => (unitMs >= coarse.stepMs ? value * (unitMs / coarse.stepMs) : value / (coarse.stepMs / unitMs));
  return { t: coarse.t, values: coarse.values.map((value) => (value === null ? null : scale(value))), stepMs: coarse.stepMs };
}

export { minuteMs, hourMs };
