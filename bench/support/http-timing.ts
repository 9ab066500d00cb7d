// Read latency as a dashboard user sees it: one GET at a time, timed from the request leaving to
// the last byte of the body, interleaved with GET /healthz so the endpoint and its baseline see
// the same machine at the same moments (others share its two cores).
import { median, quantile } from './stats.ts';

export interface TimedGet {
  ms: number;
  status: number;
  bytes: number;
  headers: Headers;
  body: string;
}

/** A request that takes longer than this has failed the part rather than measured it. */
const requestTimeoutMs = 120_000;

export async function timedGet(url: string, headers: Record<string, string> = {}, timeoutMs = requestTimeoutMs): Promise<TimedGet> {
  const started = performance.now();
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, bytes: Buffer.byteLength(body), headers: response.headers, body };
}

/** A GET that must answer 200: anything else stops the part with what it answered. */
export async function timedGetOk(url: string, headers: Record<string, string> = {}, timeoutMs = requestTimeoutMs): Promise<TimedGet> {
  const answer = await timedGet(url, headers, timeoutMs);
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return answer;
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  return { n: samples.length, p50: median(samples), p95: quantile(samples, 0.95) };
}

/**
 * `rounds` times: one `measure()` then one GET /healthz. Answers both sets of milliseconds;
 * `warmup` unmeasured rounds go first (a first request pays for a cold isolate and connections).
 * A `measure()` answering null failed (the caller keeps why) and is no sample.
 */
export async function interleavedWithHealth(baseUrl: string, measure: (round: number) => Promise<number | null>, { rounds, warmup = 3 }: { rounds: number; warmup?: number }): Promise<{ samples: number[]; health: number[] }> {
  const samples: number[] = [];
  const health: number[] = [];
  for (let round = -warmup; round < rounds; round++) {
    const ms = await measure(round);
    const healthMs = (await timedGetOk(`${baseUrl}/healthz`)).ms;
    if (round < 0) continue;
    if (ms !== null) samples.push(ms);
    health.push(healthMs);
  }
  return { samples, health };
}

/** Answers that were not 200, kept with what they said, so a part can report them instead of dying on the first. */
export class FailedReads {
  readonly byPath = new Map<string, { count: number; first: string }>();

  /** The request's milliseconds when it answered 200, else null (and the failure counted). */
  async time(url: string, headers: Record<string, string> = {}): Promise<number | null> {
    const answer = await timedGet(url, headers);
    if (answer.status === 200) return answer.ms;
    const path = new URL(url).pathname;
    const seen = this.byPath.get(path);
    if (seen) seen.count += 1;
    else this.byPath.set(path, { count: 1, first: `${answer.status} ${answer.body.slice(0, 200)}` });
    return null;
  }

  get total(): number {
    return [...this.byPath.values()].reduce((sum, f) => sum + f.count, 0);
  }

  describe(): string {
    return [...this.byPath].map(([path, f]) => `${path}: ${f.count} (first: ${f.first})`).join('; ');
  }
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
