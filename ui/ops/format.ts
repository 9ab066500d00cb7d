// The operator pages' own ways of writing values, in the browser's locale and time zone: what
// the customer dashboard shares with them (counts, money, full dates, one-decimal numbers) comes
// from ui/shared/format.ts; these are the shapes only /ops shows, kept here so the customer
// dashboard does not download them.
import { formatCount, formatOneDecimal, noValue } from '../shared/format.ts';
import type { Rate } from './wire.ts';

const quantity = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });
const percentOneDecimal = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const monthDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A measured amount (minutes, seconds, tokens, a mean rating) as it came, to 3 decimals at most. */
export function formatQuantity(value: number): string {
  return quantity.format(value);
}

/**
 * Always one decimal: "97.0%", "100.0%". Operators read rates down columns and against thresholds
 * a tenth of a point apart, so every figure keeps its decimal. Near the ends it rounds (9,996 of
 * 10,000 reads 100.0%) where the customer dashboard's `formatPercent` says ">99.9%": on /ops a
 * rate's tile, table row or provider line shows its counts beside it, and they tell the failures.
 */
export function formatPercentOneDecimal(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : percentOneDecimal.format(value);
}

/** "(421/433 calls)": the sample a rate travels with. */
export function formatSample(rate: Rate, noun: string): string {
  return `(${formatCount(rate.numerator)}/${formatCount(rate.denominator)} ${noun})`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : `${formatCount(Math.round(value))} ms`;
}

/** A load multiple: "3.1x". */
export function formatMultiple(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? noValue : `${formatOneDecimal(ratio)}x`;
}

/** A call's length: "3:04", or "1:02:09" past an hour. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return noValue;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "4 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatAge(ageMs: number): string {
  const seconds = Math.max(0, Math.floor(ageMs / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function formatClock(ms: number): string {
  return clock.format(new Date(ms));
}

/** A time axis tick: the time of day within two days, the date beyond. */
export function formatTimeTick(ms: number, spanMs: number): string {
  return spanMs > 2 * 86_400_000 ? monthDay.format(new Date(ms)) : hourMinute.format(new Date(ms));
}

export function formatShortDateTime(ms: number): string {
  return shortDateTime.format(new Date(ms));
}

/** Where in the call something happened: "+0:05" after its start. */
export function formatOffset(iso: string, startIso: string | null): string {
  if (!startIso) return formatClock(Date.parse(iso));
  const ms = Date.parse(iso) - Date.parse(startIso);
  return ms >= 0 ? `+${formatDuration(ms)}` : `−${formatDuration(-ms)}`;
}
