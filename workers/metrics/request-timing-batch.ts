// A Worker isolate's request durations since its last send to the PlatformMeter, added up per
// (route, method, status class): its size follows the number of routes, not of requests.
import { emptyDurationHistogram, observeDuration, type RequestDurations, type RequestRoute } from '../../analytics/request-durations.ts';

export const requestTimingSendEveryMs = 5_000;

export class RequestTimingBatch {
  private readonly pending = new Map<string, RequestDurations>();
  private lastSentMs = -Infinity;

  observe(route: RequestRoute, seconds: number): void {
    const key = `${route.method} ${route.statusClass} ${route.route}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { ...route, histogram: emptyDurationHistogram() };
      this.pending.set(key, entry);
    }
    observeDuration(entry.histogram, seconds);
  }

  /** What was observed since the last send, once `sendEveryMs` have passed since it; taking it starts the next batch. */
  takeDue(nowMs: number, sendEveryMs: number = requestTimingSendEveryMs): RequestDurations[] | null {
    if (this.pending.size === 0 || nowMs - this.lastSentMs < sendEveryMs) return null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.lastSentMs = nowMs;
    return batch;
  }
}
