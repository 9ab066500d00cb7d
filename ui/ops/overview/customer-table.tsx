import type { ComponentChildren } from 'preact';
import { formatCount, formatMoney } from '../../shared/format.ts';
import { drillDownHref } from '../drill-down.ts';
import { formatMs, formatMultiple, formatPercentOneDecimal } from '../format.ts';
import { TableScroll } from '../scroll-region.tsx';
import { judge } from '../thresholds.ts';
import type { CustomerFlag } from '../wire.ts';
import type { CustomerSortKey, Overview } from './model.ts';

const flagWords: Record<CustomerFlag, string> = {
  noisy: 'noisy',
  error_rate: 'errors above 5%',
  p95_latency: 'P95 over 2x platform',
  spend_limit_exceeded: 'over hourly spend limit',
};

const hourMs = 3_600_000;

/** Every customer with live traffic, busiest first; rows over 2x their normal load stand out. */
export function CustomerTable({ model }: { model: Overview }) {
  const rows = model.customers.value;
  const asOf = model.asOfMs.value;
  const region = model.region.value;
  return (
    <section aria-labelledby="customers-heading" class="ops-section">
      <h2 id="customers-heading">
        Customers <span class="heading-note">rates over 5 minutes, per hour over 60 minutes</span>
      </h2>
      {rows.length === 0 ? (
        <p class="muted">No customer has live traffic.</p>
      ) : (
        <TableScroll label="Customers">
          <table class="data-table customer-table">
            <caption class="visually-hidden">Customers by load; activate a column heading to sort by it</caption>
            <thead>
              <tr>
                <SortHeader model={model} column="customer_id">
                  Customer
                </SortHeader>
                <SortHeader model={model} column="load_ratio" numeric>
                  Load
                </SortHeader>
                <SortHeader model={model} column="active_calls" numeric>
                  Active
                </SortHeader>
                <SortHeader model={model} column="calls_per_hour" numeric>
                  Calls/h
                </SortHeader>
                <SortHeader model={model} column="cost_per_hour_micros" numeric>
                  Cost/h
                </SortHeader>
                <SortHeader model={model} column="error_rate" numeric>
                  Error rate
                </SortHeader>
                <SortHeader model={model} column="p95_e2e_ms" numeric>
                  P95 latency
                </SortHeader>
                <th scope="col">Flags</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const errors = judge.errorRate(row.error_rate.value);
                const calls =
                  asOf === null ? null : drillDownHref({ fromMs: asOf - hourMs, toMs: asOf }, region, { sort: '-latency_ms', customerId: row.customer_id });
                return (
                  <tr key={row.customer_id} class={row.noisy ? 'row-noisy' : undefined} data-customer={row.customer_id}>
                    <th scope="row">{calls ? <a href={calls}>{row.customer_id}</a> : row.customer_id}</th>
                    <td class="num">
                      {row.noisy ? (
                        <strong class="badge badge-bad">Noisy {formatMultiple(row.load_ratio)}</strong>
                      ) : (
                        formatMultiple(row.load_ratio)
                      )}
                    </td>
                    <td class="num">{formatCount(row.active_calls)}</td>
                    <td class="num">{formatCount(row.calls_per_hour)}</td>
                    <td class="num">{formatMoney(row.cost_per_hour_micros)}</td>
                    <td class={`num tone-text-${errors.tone}`}>
                      {formatPercentOneDecimal(row.error_rate.value)}{' '}
                      <span class="muted sample">
                        ({formatCount(row.error_rate.numerator)}/{formatCount(row.error_rate.denominator)})
                      </span>
                    </td>
                    <td class="num">{formatMs(row.p95_e2e_ms)}</td>
                    <td>{row.flags.filter((flag) => flag !== 'noisy').map((flag) => flagWords[flag] ?? flag).join(', ')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

function SortHeader({ model, column, numeric, children }: { model: Overview; column: CustomerSortKey; numeric?: boolean; children: ComponentChildren }) {
  const sort = model.customerSort.value;
  const active = sort.key === column;
  return (
    <th scope="col" class={numeric ? 'num' : undefined} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}>
      <button type="button" class="sort-button" onClick={() => model.sortCustomersBy(column)}>
        {children}
        <span aria-hidden="true" class="sort-mark">
          {active ? (sort.descending ? '▼' : '▲') : ''}
        </span>
      </button>
    </th>
  );
}
