// When a number on the operator dashboard turns amber or red. The colour is a cue only: every
// judged value also says its state in words. Where CONTRACT section 4 raises an alert, the red
// line is the alert's threshold, so a red tile and an alert in the feed mean the same thing.

/** Platform error rate: the error-rate alert fires above 5%. */
export const errorRateRed = 0.05;
/** Platform error rate: half the alert threshold is worth a look before it pages. */
export const errorRateAmber = 0.025;
/** Call success: below 95% deserves attention... */
export const successRateAmber = 0.95;
/** ...and below 90% is an incident minute by the uptime definition (CONTRACT section 2). */
export const successRateRed = 0.9;
/** Provider success: the degraded alert's threshold. */
export const providerSuccessAmber = 0.95;
/** Provider success: the outage alert's threshold. */
export const providerSuccessRed = 0.5;
/** Tool calls: one in twenty failing is visible to callers. */
export const toolFailureAmber = 0.05;
export const toolFailureRed = 0.1;
/** Escalations to a human: above these the agent is not handling its intents. */
export const escalationAmber = 0.15;
export const escalationRed = 0.3;
/** P95 end-to-end turn latency: past 1.5 s callers talk over the agent; past 3 s they hang up. */
export const e2eP95AmberMs = 1_500;
export const e2eP95RedMs = 3_000;
/** A live view older than this is called stale on the page (two missed polls and a bucket). */
export const staleAfterMs = 30_000;

export type Tone = 'good' | 'warn' | 'bad' | 'unknown';

export interface Judgement {
  tone: Tone;
  /** The state in words, for people who cannot tell the colours apart. */
  word: string;
}

const unknown: Judgement = { tone: 'unknown', word: 'No data' };

/** Higher is better (success rates). */
export function judgeFloor(value: number | null, amberBelow: number, redBelow: number): Judgement {
  if (value === null) return unknown;
  if (value < redBelow) return { tone: 'bad', word: 'Critical' };
  if (value < amberBelow) return { tone: 'warn', word: 'Degraded' };
  return { tone: 'good', word: 'Healthy' };
}

/** Lower is better (error rates, latency). */
export function judgeCeiling(value: number | null, amberAbove: number, redAbove: number): Judgement {
  if (value === null) return unknown;
  if (value > redAbove) return { tone: 'bad', word: 'Critical' };
  if (value > amberAbove) return { tone: 'warn', word: 'Elevated' };
  return { tone: 'good', word: 'Healthy' };
}

export const judge = {
  successRate: (value: number | null) => judgeFloor(value, successRateAmber, successRateRed),
  errorRate: (value: number | null) => judgeCeiling(value, errorRateAmber, errorRateRed),
  providerSuccess: (value: number | null) => judgeFloor(value, providerSuccessAmber, providerSuccessRed),
  toolFailure: (value: number | null) => judgeCeiling(value, toolFailureAmber, toolFailureRed),
  escalation: (value: number | null) => judgeCeiling(value, escalationAmber, escalationRed),
  e2eP95: (value: number | null) => judgeCeiling(value, e2eP95AmberMs, e2eP95RedMs),
};
