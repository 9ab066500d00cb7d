// Numbers and times for people, in the browser's locale. Money arrives as integer micro-USD and
// becomes dollars only here; times arrive as RFC 3339 UTC and are shown in the zone the reader
// picked (their own, or UTC). Pure: no DOM, so Node tests can pin the locale through the runtime.

export const noValue = '—';
const microsPerDollar = 1_000_000;

/** Where times are shown: the browser's own time zone, or UTC. */
export type TimeZoneChoice = 'local' | 'utc';

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
/** To the micro-dollar, zeros beyond the cents dropped: "$0.0875", "$0.123457", "$1.20". */
const dollarsExact = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });
/** To a hundredth of a cent, for averages: "$0.0508". */
const dollarsFine = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const percentFormats = new Map<number, Intl.NumberFormat>();

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : count.format(value);
}

/**
 * A measured value as an exact decimal: a ratio such as 29/100 is stored as a float a hair below
 * 0.29, which Intl would otherwise round from. Twelve digits are far beyond any figure shown.
 */
function decimal(value: number): `${number}` {
  return value.toPrecision(12) as `${number}`;
}

export function formatOneDecimal(value: number | null | undefined): string {
  return value === null || value === undefined ? noValue : oneDecimal.format(decimal(value));
}

/**
 * A fraction in [0, 1] as a percentage, rounded to `digits` decimals, except that rounding never
 * turns a failure into "0%" or a shortfall into "100%": those read "<0.1%" and ">99.9%".
 */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return noValue;
  let format = percentFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits });
    percentFormats.set(digits, format);
  }
  const step = 10 ** -(digits + 2);
  const shown = format.format(decimal(value));
  if (value > 0 && shown === format.format(0)) return `<${format.format(step)}`;
  if (value < 1 && shown === format.format(1)) return `>${format.format(decimal(1 - step))}`;
  return shown;
}

/**
 * Integer micro-USD as an exact decimal string ("1234.565000"): Intl rounds a decimal string
 * exactly (half away from zero), where `micros / 1e6` as a float can land a hair below a half.
 */
function dollarsOf(micros: number): `${number}` {
  const magnitude = Math.abs(micros);
  const fraction = String(magnitude % microsPerDollar).padStart(6, '0');
  return `${micros < 0 ? '-' : ''}${Math.floor(magnitude / microsPerDollar)}.${fraction}` as `${number}`;
}

/** Dollars and cents: totals, invoices. */
export function formatMoney(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? noValue : dollars.format(dollarsOf(micros));
}

/** To a hundredth of a cent: an average cost per call, where cents alone would hide the trend. */
export function formatMoneyFine(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? noValue : dollarsFine.format(dollarsOf(micros));
}

/** Exact to the micro-dollar: what one call costs is often a fraction of a cent. */
export function formatMoneyExact(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? noValue : dollarsExact.format(dollarsOf(micros));
}

/** A length of time in words: "45 s", "3 min 4 s", "1 h 2 min". */
export function formatDurationWords(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return noValue;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(zone: TimeZoneChoice, shape: 'date_time' | 'date' | 'clock' | 'day' | 'month'): Intl.DateTimeFormat {
  const key = `${zone}|${shape}`;
  let format = timeFormats.get(key);
  if (!format) {
    const timeZone = zone === 'utc' ? { timeZone: 'UTC' } : {};
    const options: Record<typeof shape, Intl.DateTimeFormatOptions> = {
      date_time: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' },
      date: { year: 'numeric', month: 'short', day: 'numeric' },
      clock: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' },
      day: { month: 'short', day: 'numeric' },
      month: { year: 'numeric', month: 'long' },
    };
    format = new Intl.DateTimeFormat(undefined, { ...options[shape], ...timeZone });
    timeFormats.set(key, format);
  }
  return format;
}

/** "Nov 24, 2026, 14:03:07 UTC". */
export function formatDateTime(iso: string | null | undefined, zone: TimeZoneChoice): string {
  return iso ? timeFormat(zone, 'date_time').format(new Date(iso)) : noValue;
}

/** "Nov 24, 2026": the day a moment fell on in the chosen zone. */
export function formatDate(iso: string | null | undefined, zone: TimeZoneChoice): string {
  return iso ? timeFormat(zone, 'date').format(new Date(iso)) : noValue;
}

/** "14:00 UTC", with the day in front when it is not today in that zone. */
export function formatUpdatedAt(iso: string, zone: TimeZoneChoice, now: Date = new Date()): string {
  const at = new Date(iso);
  const clock = timeFormat(zone, 'clock').format(at);
  const day = timeFormat(zone, 'day');
  return day.format(at) === day.format(now) ? clock : `${day.format(at)}, ${clock}`;
}

/** A UTC calendar date ("2026-11-24") as "Nov 24": days are UTC everywhere in the product. */
export function formatUtcDay(date: string | number): string {
  return timeFormat('utc', 'day').format(typeof date === 'number' ? new Date(date) : new Date(`${date}T00:00:00Z`));
}

/** A month ("2026-11") as "November 2026". */
export function formatMonth(month: string): string {
  return timeFormat('utc', 'month').format(new Date(`${month}-01T00:00:00Z`));
}
