// Postgres bigints (money, counts) leave the API as JSON numbers: exact up to 2^53 - 1, which
// the contract makes the ceiling for every integer it carries.
export function bigintToJson(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`integer ${value} exceeds 2^53 - 1 and cannot be sent as JSON`);
  }
  return Number(value);
}

/** RFC 3339 UTC with milliseconds, the contract's timestamp format. */
export function timestampToJson(value: Date): string {
  return value.toISOString();
}
