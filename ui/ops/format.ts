// Numbers for people: one formatter per kind of value, in the browser's locale and time zone.
// Money arrives as integer micro-USD and becomes dollars only here, by one division for display.
import type { Rate } from './wire.ts';

export const noValue = '—';
const microsPerDollar = 1_000_000;

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const quantity = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Exact to the micro-dollar, trailing zeros beyond the cents dropped: a call's cost lines. */
const dollarsExact = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const monthDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : integer.format(value);
}

/** A measured amount (minutes, seconds, tokens, a mean rating) as it came, to 3 decimals at most. */
export function formatQuantity(value: number): string {
  return quantity.format(value);
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : percent.format(value);
}

/** "97.2% (421/433 calls)": a rate always travels with its sample. */
export function formatRate(rate: Rate, noun: string): string {
  return `${formatPercent(rate.value)} (${formatCount(rate.numerator)}/${formatCount(rate.denominator)} ${noun})`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : `${integer.format(Math.round(value))} ms`;
}

export function formatDollars(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? noValue : dollars.format(micros / microsPerDollar);
}

export function formatDollarsExact(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? noValue : dollarsExact.format(micros / microsPerDollar);
}

/** A load multiple: "3.1x". */
export function formatMultiple(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? noValue : `${oneDecimal.format(ratio)}x`;
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

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : noValue;
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
