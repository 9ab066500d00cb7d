// What a TenantMeter must know about its customer to count live money and load: the rate cards
// (billed cost per hour), the configured normal rate, the hourly spend limit. Written by the
// admin functions whenever a customer is created or changed.
import type { RateCard } from '../../analytics/money.ts';

export interface MeterRateCard {
  effectiveFromMs: number;
  markupBps: number;
  feePerMinuteMicros: number;
}

export interface MeterConfig {
  customerId: string;
  rateCards: MeterRateCard[];
  normalCallsPerHour: number | null;
  hourlySpendLimitMicros: number;
}

const defaultCard: MeterRateCard = { effectiveFromMs: 0, markupBps: 2000, feePerMinuteMicros: 10_000 };

/** The card in force at `tsMs`: the latest one that took effect at or before it. */
export function rateCardAt(config: MeterConfig | null, tsMs: number): RateCard {
  const inForce = (config?.rateCards ?? []).filter((card) => card.effectiveFromMs <= tsMs);
  const chosen = inForce.reduce((latest, card) => (card.effectiveFromMs > latest.effectiveFromMs ? card : latest), inForce[0] ?? defaultCard);
  return { markupBps: chosen.markupBps, feePerMinuteMicros: BigInt(chosen.feePerMinuteMicros) };
}
