// The demo's scripted incidents, repeating on a 20-minute cycle counted from the moment the demo
// started, so a newcomer sees each one within minutes and every alert both fire and resolve:
//
//   minute  1-7   TTS outage: cartesia fails 75% of its requests for 6 minutes (the contract's
//                 outage alert needs 5 full minutes below 50%, at least 5 requests each); agents
//                 retry, then fall back to elevenlabs, and some callers hang up on the pause.
//   minute  8     a runaway call at harborline-insurance: a long call whose model context holds a
//                 year of statements, billed above $1.00 (the per-call cost alert).
//   minute 10-20  noisy neighbor: parcelpal starts calls at 3x its normal rate for 10 minutes.
//                 `load_ratio` counts the last 15 minutes, so 5 minutes at 3x would peak at 1.67,
//                 below the noisy threshold of 2; 10 minutes at 3x reaches 2.33 and reads noisy
//                 from about minute 17.5 to 27.5, then quiet until the next cycle.
import type { ProviderName } from './providers.ts';

export const INCIDENT_CYCLE_MS = 20 * 60_000;

export const TTS_OUTAGE = {
  provider: 'cartesia',
  startOffsetMs: 1 * 60_000,
  durationMs: 6 * 60_000,
  failureProbability: 0.75,
  /** After a retry, agents fall back to the other TTS provider; the pause loses this share of callers. */
  hangUpAfterFallback: 0.15,
} as const satisfies { provider: ProviderName<'tts'>; startOffsetMs: number; durationMs: number; failureProbability: number; hangUpAfterFallback: number };

export const NOISY_NEIGHBOR = {
  customerId: 'parcelpal',
  startOffsetMs: 10 * 60_000,
  durationMs: 10 * 60_000,
  /** Times the customer's normal calls per hour, whatever the time of day. */
  rateMultiplier: 3,
} as const;

export const RUNAWAY_CALL = {
  customerId: 'harborline-insurance',
  startOffsetMs: 8 * 60_000,
  turnCount: 24,
  /** A year of statements read into the model's context and kept there for the whole call. */
  statementTokens: 30_000,
} as const;

export interface Incidents {
  /** The largest value noisyRateMultiplierAt ever answers (1 when there are no bursts). */
  maxRateMultiplier: number;
  /** The TTS provider that is failing at `atMs`, if any. */
  ttsOutageAt(atMs: number): ProviderName<'tts'> | null;
  /** The customer's call rate as a multiple of its normal rate at `atMs`, or null when it has its usual rhythm. */
  noisyRateMultiplierAt(customerId: string, atMs: number): number | null;
  /** Runaway calls starting in [fromMs, toMs). */
  runawayCallsBetween(fromMs: number, toMs: number): Array<{ customerId: string; startedAtMs: number }>;
  /** One line per incident starting in [fromMs, toMs), for the log. */
  announcementsBetween(fromMs: number, toMs: number): Array<{ atMs: number; text: string }>;
}

/** History is calm: the backfill runs without incidents. */
export const NO_INCIDENTS: Incidents = {
  maxRateMultiplier: 1,
  ttsOutageAt: () => null,
  noisyRateMultiplierAt: () => null,
  runawayCallsBetween: () => [],
  announcementsBetween: () => [],
};

function inWindow(anchorMs: number, atMs: number, startOffsetMs: number, durationMs: number): boolean {
  if (atMs < anchorMs) return false;
  const offset = (atMs - anchorMs) % INCIDENT_CYCLE_MS;
  return offset >= startOffsetMs && offset < startOffsetMs + durationMs;
}

/** Times in [fromMs, toMs) that sit `offsetMs` into a cycle starting at `anchorMs`. */
function occurrencesBetween(anchorMs: number, offsetMs: number, fromMs: number, toMs: number): number[] {
  const times: number[] = [];
  const firstCycle = Math.max(0, Math.floor((fromMs - anchorMs - offsetMs) / INCIDENT_CYCLE_MS));
  for (let cycle = firstCycle; ; cycle++) {
    const at = anchorMs + cycle * INCIDENT_CYCLE_MS + offsetMs;
    if (at >= toMs) break;
    if (at >= fromMs) times.push(at);
  }
  return times;
}

export function scriptedIncidents(anchorMs: number): Incidents {
  return {
    maxRateMultiplier: NOISY_NEIGHBOR.rateMultiplier,
    ttsOutageAt: (atMs) => (inWindow(anchorMs, atMs, TTS_OUTAGE.startOffsetMs, TTS_OUTAGE.durationMs) ? TTS_OUTAGE.provider : null),
    noisyRateMultiplierAt: (customerId, atMs) =>
      customerId === NOISY_NEIGHBOR.customerId && inWindow(anchorMs, atMs, NOISY_NEIGHBOR.startOffsetMs, NOISY_NEIGHBOR.durationMs)
        ? NOISY_NEIGHBOR.rateMultiplier
        : null,
    runawayCallsBetween: (fromMs, toMs) =>
      occurrencesBetween(anchorMs, RUNAWAY_CALL.startOffsetMs, fromMs, toMs).map((startedAtMs) => ({ customerId: RUNAWAY_CALL.customerId, startedAtMs })),
    announcementsBetween: (fromMs, toMs) =>
      [
        ...occurrencesBetween(anchorMs, TTS_OUTAGE.startOffsetMs, fromMs, toMs).map((atMs) => ({
          atMs,
          text: `${TTS_OUTAGE.provider} TTS outage for ${TTS_OUTAGE.durationMs / 60_000} minutes (${TTS_OUTAGE.failureProbability * 100}% of its requests fail)`,
        })),
        ...occurrencesBetween(anchorMs, RUNAWAY_CALL.startOffsetMs, fromMs, toMs).map((atMs) => ({
          atMs,
          text: `a runaway call at ${RUNAWAY_CALL.customerId} (${RUNAWAY_CALL.turnCount} turns over a huge model context, billed above $1.00)`,
        })),
        ...occurrencesBetween(anchorMs, NOISY_NEIGHBOR.startOffsetMs, fromMs, toMs).map((atMs) => ({
          atMs,
          text: `noisy neighbor: ${NOISY_NEIGHBOR.customerId} at ${NOISY_NEIGHBOR.rateMultiplier}x its normal call rate for ${NOISY_NEIGHBOR.durationMs / 60_000} minutes`,
        })),
      ].sort((a, b) => a.atMs - b.atMs),
  };
}
