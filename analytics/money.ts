// Money, exactly (CONTRACT section 2): integer micro-USD as bigint, so sums past 2^53 stay exact
// and no float ever touches an amount. Formatting to dollars happens only in the UI.

export interface RateCard {
  markupBps: number;
  feePerMinuteMicros: bigint;
}

const basisPoints = 10_000n;
const msPerMinute = 60_000n;

/** round_half_up(numerator / denominator) for a non-negative numerator and a positive denominator. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideRoundHalfUp takes a non-negative numerator and a positive denominator');
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** ceil(numerator / denominator) for a non-negative numerator and a positive denominator. */
export function divideCeil(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideCeil takes a non-negative numerator and a positive denominator');
  return (numerator + denominator - 1n) / denominator;
}

/**
 * The billed amount of one call: its provider cost with the markup, rounded half up, plus the
 * per-minute fee for every started minute.
 */
export function billedAmountMicros(providerCostMicros: bigint, durationMs: bigint, card: RateCard): bigint {
  const markedUp = divideRoundHalfUp(providerCostMicros * (basisPoints + BigInt(card.markupBps)), basisPoints);
  return markedUp + divideCeil(durationMs, msPerMinute) * card.feePerMinuteMicros;
}
