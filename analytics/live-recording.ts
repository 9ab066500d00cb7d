// How each event moves the live counters (CONTRACT section 2): which bucket it lands in, what
// counts as an error, an interruption, a success. The TenantMeter calls recordEvent for every
// accepted event whose `ts` is inside the live hour; stored history is Postgres's business.
import type { DDSketch } from '@datadog/sketches-js';
import type { SwitchboardEvent } from '../workers/ingest/event-schema.ts';
import { bucketStart, emptyBucket, type LiveBucket } from './live-window.ts';
import { billedAmountMicros, type RateCard } from './money.ts';
import { emptySketchState, newSketch, sketchToState } from './quantiles.ts';

export const unknownRegion = 'unknown';

/** What the meter remembers about a call while it is live (started, or ended within the hour). */
export interface LiveCall {
  callId: string;
  region: string;
  startedMs: number | null;
  endedMs: number | null;
  /** The bucket its call.ended was counted in, so late errors and interruptions can amend it. */
  endedBucketMs: number | null;
  failed: boolean;
  interrupted: boolean;
  errorCount: number;
  countedError: boolean;
  countedInterrupted: boolean;
}

export function newLiveCall(callId: string): LiveCall {
  return {
    callId,
    region: unknownRegion,
    startedMs: null,
    endedMs: null,
    endedBucketMs: null,
    failed: false,
    interrupted: false,
    errorCount: 0,
    countedError: false,
    countedInterrupted: false,
  };
}

type SketchField = 'e2e' | 'stt' | 'llm' | 'tts' | 'ttfa';

interface DeltaUnderConstruction {
  bucketMs: number;
  region: string;
  bucket: LiveBucket;
  sketches: Partial<Record<SketchField, DDSketch>>;
  providerLatency: Map<string, DDSketch>;
}

/** Counts accumulated by one batch of events, per (bucket, region); additive into any bucket. */
export class LiveDelta {
  private readonly parts = new Map<string, DeltaUnderConstruction>();

  private part(bucketMs: number, region: string): DeltaUnderConstruction {
    const key = `${bucketMs}|${region}`;
    let part = this.parts.get(key);
    if (!part) {
      part = { bucketMs, region, bucket: emptyBucket(), sketches: {}, providerLatency: new Map() };
      this.parts.set(key, part);
    }
    return part;
  }

  count(bucketMs: number, region: string, change: (bucket: LiveBucket) => void): void {
    change(this.part(bucketMs, region).bucket);
  }

  observe(bucketMs: number, region: string, field: SketchField, value: number): void {
    const part = this.part(bucketMs, region);
    const sketch = (part.sketches[field] ??= newSketch());
    sketch.accept(value);
  }

  observeProvider(bucketMs: number, region: string, key: string, ok: boolean, latencyMs: number): void {
    const part = this.part(bucketMs, region);
    const counter = (part.bucket.providerRequests[key] ??= { ok: 0, total: 0, latency: emptySketchState });
    counter.total += 1;
    if (ok) counter.ok += 1;
    let sketch = part.providerLatency.get(key);
    if (!sketch) {
      sketch = newSketch();
      part.providerLatency.set(key, sketch);
    }
    sketch.accept(latencyMs);
  }

  isEmpty(): boolean {
    return this.parts.size === 0;
  }

  toBuckets(): Array<{ bucketMs: number; region: string; bucket: LiveBucket }> {
    return [...this.parts.values()].map((part) => {
      const bucket: LiveBucket = { ...part.bucket, providerRequests: { ...part.bucket.providerRequests } };
      for (const [field, sketch] of Object.entries(part.sketches) as Array<[SketchField, DDSketch]>) bucket[field] = sketchToState(sketch);
      for (const [key, sketch] of part.providerLatency) {
        const counter = bucket.providerRequests[key];
        if (counter) bucket.providerRequests[key] = { ...counter, latency: sketchToState(sketch) };
      }
      return { bucketMs: part.bucketMs, region: part.region, bucket };
    });
  }
}

function sumCost(event: Extract<SwitchboardEvent, { type: 'call.ended' }>): { total: number; byComponent: Record<string, number> } {
  const byComponent: Record<string, number> = {};
  let total = 0;
  for (const line of event.cost) {
    total += line.cost_micros;
    byComponent[line.component] = (byComponent[line.component] ?? 0) + line.cost_micros;
  }
  return { total, byComponent };
}

/**
 * Folds one event into the delta and answers the call's new live state. `windowStartMs` is the
 * start of the live hour: amendments to calls that ended before it are history, not live.
 */
export function recordEvent(delta: LiveDelta, event: SwitchboardEvent, call: LiveCall, card: RateCard, windowStartMs: number): LiveCall {
  const tsMs = Date.parse(event.ts);
  const bucketMs = bucketStart(tsMs);
  const next: LiveCall = { ...call };
  const endedInWindow = () => next.endedBucketMs !== null && next.endedBucketMs >= windowStartMs;

  switch (event.type) {
    case 'call.started':
      next.startedMs = tsMs;
      next.region = event.region;
      delta.count(bucketMs, next.region, (b) => (b.callsStarted += 1));
      break;
    case 'call.turn':
      delta.observe(bucketMs, next.region, 'e2e', event.e2e_ms);
      delta.observe(bucketMs, next.region, 'stt', event.stt_ms);
      delta.observe(bucketMs, next.region, 'llm', event.llm_ms);
      delta.observe(bucketMs, next.region, 'tts', event.tts_ms);
      if (event.interrupted) {
        next.interrupted = true;
        if (endedInWindow() && !next.countedInterrupted && next.endedBucketMs !== null) {
          delta.count(next.endedBucketMs, next.region, (b) => (b.endedInterrupted += 1));
          next.countedInterrupted = true;
        }
      }
      break;
    case 'provider.request':
      delta.observeProvider(bucketMs, next.region, `${event.kind}|${event.provider}`, event.ok, event.latency_ms);
      break;
    case 'tool.call':
      delta.count(bucketMs, next.region, (b) => {
        b.toolCalls += 1;
        if (!event.ok) b.toolFailures += 1;
      });
      break;
    case 'call.error':
      next.errorCount += 1;
      if (endedInWindow() && !next.countedError && next.endedBucketMs !== null) {
        delta.count(next.endedBucketMs, next.region, (b) => (b.endedWithError += 1));
        next.countedError = true;
      }
      break;
    case 'call.feedback':
      delta.count(bucketMs, next.region, (b) => {
        b.csatSum += event.csat;
        b.csatCount += 1;
      });
      break;
    case 'call.ended': {
      next.endedMs = tsMs;
      next.endedBucketMs = bucketMs;
      next.failed = event.status === 'failed';
      next.countedError = next.failed || next.errorCount > 0;
      next.countedInterrupted = next.interrupted;
      const cost = sumCost(event);
      const billed = billedAmountMicros(BigInt(cost.total), BigInt(event.duration_ms), card);
      delta.count(bucketMs, next.region, (b) => {
        b.callsEnded += 1;
        b[event.status] += 1;
        if (next.countedError) b.endedWithError += 1;
        if (next.countedInterrupted) b.endedInterrupted += 1;
        if (event.escalated) b.escalated += 1;
        if (event.task_success !== null) {
          b.taskKnown += 1;
          if (event.task_success) b.taskSuccess += 1;
        }
        b.providerCostMicros += cost.total;
        b.billedMicros += Number(billed);
        for (const [component, micros] of Object.entries(cost.byComponent)) {
          b.costByComponentMicros[component] = (b.costByComponentMicros[component] ?? 0) + micros;
        }
      });
      delta.observe(bucketMs, next.region, 'ttfa', event.ttfa_ms);
      break;
    }
  }
  return next;
}
