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

/** The largest amount a stored money column (Postgres bigint) holds: 2^63 - 1 micro-USD. */
export const maxStoredMicros = 2n ** 63n - 1n;

/**
 * The billed amount of a call.ended, or null when it could not be stored exactly. Each cost line
 * may be up to 2^53 - 1 and a rate card may carry a large fee, so a valid event can still bill
 * past what a bigint holds; such an event is refused rather than left to fail every flush.
 */
export function storableBilledAmount(costLinesMicros: readonly number[], durationMs: number, card: RateCard): bigint | null {
  const providerCost = costLinesMicros.reduce((sum, micros) => sum + BigInt(micros), 0n);
  const billed = billedAmountMicros(providerCost, BigInt(durationMs), card);
  return billed <= maxStoredMicros ? billed : null;
}

/** round_half_up for any sign: halves go toward +infinity (an invoice total may be a credit). */
export function divideRoundHalfUpSigned(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('divideRoundHalfUpSigned takes a positive denominator');
  const twice = numerator * 2n + denominator;
  const divisor = denominator * 2n;
  // BigInt division truncates toward zero; floor it for negative quotients.
  const quotient = twice / divisor;
  return twice % divisor !== 0n && twice < 0n ? quotient - 1n : quotient;
}

export interface AllocationItem {
  customerId: string;
  callId: string;
  /** The estimate on this line: the item's share of the total is in proportion to it. */
  weight: bigint;
}

export interface AllocatedPart extends AllocationItem {
  part: bigint;
}

function byCustomerThenCall(a: AllocationItem, b: AllocationItem): number {
  if (a.customerId !== b.customerId) return a.customerId < b.customerId ? -1 : 1;
  if (a.callId !== b.callId) return a.callId < b.callId ? -1 : 1;
  return 0;
}

/**
 * Splits `total` over the items in proportion to their weights (equal weights when every weight
 * is 0): each gets the floor of its exact share, then the micros left over go one each to the
 * largest remainders, ties by customer_id then call_id ascending. The parts sum to `total`
 * exactly and do not depend on the items' order.
 */
export function allocateLargestRemainder(total: bigint, items: readonly AllocationItem[]): AllocatedPart[] {
  if (total < 0n) throw new RangeError('an invoiced total cannot be negative');
  if (items.length === 0) throw new RangeError('there is nothing to allocate over');
  if (items.some((item) => item.weight < 0n)) throw new RangeError('weights cannot be negative');
  const ordered = [...items].sort(byCustomerThenCall);
  const allZero = ordered.every((item) => item.weight === 0n);
  const weights = ordered.map((item) => (allZero ? 1n : item.weight));
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  const shares = ordered.map((item, i) => {
    const exact = total * (weights[i] ?? 0n);
    return { item, floor: exact / weightSum, remainder: exact % weightSum };
  });
  let left = total - shares.reduce((sum, s) => sum + s.floor, 0n);
  // Stable sort keeps the customer/call order among equal remainders.
  const byRemainder = shares.map((share, index) => ({ share, index })).sort((a, b) => (a.share.remainder === b.share.remainder ? a.index - b.index : a.share.remainder > b.share.remainder ? -1 : 1));
  const extra = new Set<number>();
  for (const { index } of byRemainder) {
    if (left === 0n) break;
    extra.add(index);
    left -= 1n;
  }
  return shares.map((share, index) => ({ ...share.item, part: share.floor + (extra.has(index) ? 1n : 0n) }));
}

/**
 * Exact dollars for people (invoice documents, alert summaries), computed on integers: whole
 * cents always shown, sub-cent micros only when present. Dashboards format in the browser.
 */
export function formatMicrosAsUsd(micros: number | bigint): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const dollars = abs / 1_000_000n;
  const micros6 = (abs % 1_000_000n).toString().padStart(6, '0');
  const trimmed = micros6.replace(/0+$/, '');
  const fraction = trimmed.length < 2 ? micros6.slice(0, 2) : trimmed;
  const grouped = dollars.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${fraction}`;
}
