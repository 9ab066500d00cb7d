// Calls and billed cost per day over the last 30 days: two charts, and the same figures as a
// table for keyboard and screen-reader users (chart tooltips follow a mouse).
import { useMemo } from 'preact/hooks';
import { formatCount, formatMoney, formatUtcDay } from '../../shared/format.ts';
import type { UsageDay } from '../wire.ts';
import { DayChart } from './day-chart.tsx';
import { callsSummary, costSummary, usageColumns } from './usage-series.ts';

const axisCount = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const axisDollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 2 });
const formatCalls = (value: number) => `${formatCount(value)} ${value === 1 ? 'call' : 'calls'}`;
const formatAxisDollars = (micros: number) => axisDollars.format(micros / 1_000_000);

export function UsageCharts({ days }: { days: UsageDay[] }) {
  const columns = useMemo(() => usageColumns(days), [days]);
  const callSeries = useMemo(() => [{ label: 'Calls', colour: 1, values: columns.calls }], [columns]);
  const costSeries = useMemo(
    () => [
      { label: 'Reconciled', colour: 1, values: columns.reconciledCost },
      { label: 'Estimated, reconciled daily', colour: 2, values: columns.estimatedCost },
    ],
    [columns],
  );

  return (
    <>
      <div class="charts">
        <figure class="chart-card">
          <figcaption>Calls per day</figcaption>
          <DayChart label={callsSummary(days)} dates={columns.dates} series={callSeries} formatValue={formatCalls} formatAxis={axisCount.format} height={200} />
        </figure>
        <figure class="chart-card">
          <figcaption>Billed cost per day</figcaption>
          <DayChart label={costSummary(days)} dates={columns.dates} series={costSeries} formatValue={formatMoney} formatAxis={formatAxisDollars} height={200} />
        </figure>
      </div>
      <details class="day-table">
        <summary>Show the daily figures as a table</summary>
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Calls and billed cost per UTC day, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" class="number">Calls</th>
                <th scope="col" class="number">Billed cost</th>
                <th scope="col">Cost status</th>
              </tr>
            </thead>
            <tbody>
              {[...days].reverse().map((day) => (
                <tr key={day.date}>
                  <td>{formatUtcDay(day.date)}</td>
                  <td class="number">{formatCount(day.calls)}</td>
                  <td class="number">{formatMoney(day.cost_micros)}</td>
                  <td>{day.estimated ? 'Estimated, reconciled daily' : day.calls === 0 && day.cost_micros === 0 ? 'No calls' : 'Reconciled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
