// How a chart writes its values: in tooltips and legends in full ("1,240 ms", "$12.40/h"), on
// axes short enough to fit.
import { formatCount, formatMoney, noValue } from '../../shared/format.ts';
import { formatMs, formatPercentOneDecimal } from '../format.ts';
import type { ChartUnit } from '../overview/chart-specs.ts';

const microsPerDollar = 1_000_000;
const rate = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const axisPercent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const axisDollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 2 });

export function formatChartValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined) return noValue;
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'per_minute':
      return `${rate.format(value)}/min`;
    case 'usd_per_hour':
      return `${formatMoney(value)}/h`;
    case 'ratio':
      return formatPercentOneDecimal(value);
    case 'count':
      return formatCount(value);
  }
}

export function formatAxisValue(unit: ChartUnit, value: number): string {
  switch (unit) {
    case 'ms':
      return `${compact.format(value)} ms`;
    case 'usd_per_hour':
      return axisDollars.format(value / microsPerDollar);
    case 'ratio':
      return axisPercent.format(value);
    default:
      return compact.format(value);
  }
}
