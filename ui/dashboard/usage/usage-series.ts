// The last 30 days as chart columns and as words. Cost is split into two series, reconciled and
// estimated, so an estimated day is marked by its colour, its legend entry and its tooltip.
import { formatCount, formatMoney, formatUtcDay } from '../../shared/format.ts';
import type { UsageDay } from '../wire.ts';

export interface UsageColumns {
  dates: string[];
  calls: number[];
  reconciledCost: Array<number | null>;
  estimatedCost: Array<number | null>;
}

export function usageColumns(days: UsageDay[]): UsageColumns {
  return {
    dates: days.map((d) => d.date),
    calls: days.map((d) => d.calls),
    reconciledCost: days.map((d) => (d.estimated ? null : d.cost_micros)),
    estimatedCost: days.map((d) => (d.estimated ? d.cost_micros : null)),
  };
}

/** "Calls per day, Oct 26 to Nov 24: 1,234 in total." (the table below the charts has each day) */
export function callsSummary(days: UsageDay[]): string {
  return `Calls per day, ${rangeWords(days)}: ${formatCount(days.reduce((sum, d) => sum + d.calls, 0))} in total.`;
}

export function costSummary(days: UsageDay[]): string {
  const estimated = days.filter((d) => d.estimated).length;
  const pending = estimated === 0 ? 'every day reconciled' : `${estimated} ${estimated === 1 ? 'day' : 'days'} still estimated`;
  return `Billed cost per day, ${rangeWords(days)}: ${formatMoney(days.reduce((sum, d) => sum + d.cost_micros, 0))} in total; ${pending}.`;
}

function rangeWords(days: UsageDay[]): string {
  const first = days[0];
  const last = days.at(-1);
  return first && last ? `${formatUtcDay(first.date)} to ${formatUtcDay(last.date)}` : 'no days';
}
