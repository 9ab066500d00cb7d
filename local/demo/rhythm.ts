// When demo calls start: a daily rhythm (busiest mid-afternoon UTC, quietest at night, quieter at
// weekends) applied to each customer's normal rate, and a Poisson process over it.
import type { DemoCustomer } from './customers.ts';
import type { Incidents } from './incidents.ts';
import { chance, exponentialGap, type Rng } from './random.ts';

const HOUR_MS = 3_600_000;
const PEAK_HOUR_UTC = 14;
/** The rhythm swings ±40% around the normal rate: busy hours stay below the noisy threshold of 2x. */
const DAILY_SWING = 0.4;
const WEEKEND_FACTOR = 0.7;
const MAX_RHYTHM = 1 + DAILY_SWING;

/** The share of a customer's normal rate at `atMs`; averages 1 over a weekday. */
export function dailyRhythm(atMs: number): number {
  const at = new Date(atMs);
  const hour = at.getUTCHours() + at.getUTCMinutes() / 60;
  const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
  return (weekend ? WEEKEND_FACTOR : 1) * (1 + DAILY_SWING * Math.cos((2 * Math.PI * (hour - PEAK_HOUR_UTC)) / 24));
}

export interface RateShape {
  incidents: Incidents;
  /** Multiplies every rate: 1 live, lower for the backfill. */
  scale: number;
}

/** Calls per hour the customer starts at `atMs`: a noisy-neighbor burst replaces the rhythm. */
export function callsPerHourAt(customer: DemoCustomer, atMs: number, { incidents, scale }: RateShape): number {
  const burst = incidents.noisyRateMultiplierAt(customer.id, atMs);
  return customer.normalCallsPerHour * scale * (burst ?? dailyRhythm(atMs));
}

/**
 * Start times of the customer's calls from `fromMs` on, forever, in order: a Poisson process whose
 * rate follows callsPerHourAt, drawn by thinning a faster homogeneous one.
 */
export function* callArrivals(rng: Rng, customer: DemoCustomer, fromMs: number, shape: RateShape): Generator<number, never> {
  const maxPerHour = customer.normalCallsPerHour * shape.scale * Math.max(MAX_RHYTHM, shape.incidents.maxRateMultiplier);
  const maxPerMs = maxPerHour / HOUR_MS;
  let at = fromMs;
  for (;;) {
    at += exponentialGap(rng, maxPerMs);
    if (chance(rng, callsPerHourAt(customer, at, shape) / maxPerHour)) yield Math.round(at);
  }
}
