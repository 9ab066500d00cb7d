import { TimeChart } from '../charts/time-chart.tsx';
import { drillDownHref, type TimeWindow } from '../drill-down.ts';
import { formatShortDateTime } from '../format.ts';
import type { Router } from '../router.ts';
import { timeRangeLabels, type ChartView, type Overview } from './model.ts';

export function OverviewCharts({ model, router }: { model: Overview; router: Router }) {
  const range = model.range.value;
  const end = model.rangeEndMs.value;
  return (
    <section aria-labelledby="charts-heading" class="ops-section">
      <h2 id="charts-heading">
        Over time{' '}
        <span class="heading-note">
          {range === 'live' ? 'last hour, live' : `${timeRangeLabels[range]}${end === null ? '' : ` to ${formatShortDateTime(end)}`}`}
        </span>
      </h2>
      <p class="muted section-hint">Click a point or drag across a chart to list the calls in that window.</p>
      {model.rangeLoading.value && <p class="muted">Loading the {timeRangeLabels[range]} series…</p>}
      {model.seriesError.value && (
        <p class="notice notice-error">Some series could not be loaded: {model.seriesError.value.message}</p>
      )}
      <div class="chart-grid">
        {model.charts.value.map((chart) => (
          <ChartCard key={chart.spec.id} chart={chart} model={model} router={router} />
        ))}
      </div>
    </section>
  );
}

function ChartCard({ chart, model, router }: { chart: ChartView; model: Overview; router: Router }) {
  const region = model.region.value;
  const whole = chart.t.length === 0 ? null : { fromMs: chart.t[0] ?? 0, toMs: (chart.t.at(-1) ?? 0) + chart.stepMs };
  const open = (picked: TimeWindow) => router.navigate(drillDownHref(picked, region, chart.spec.drill));
  return (
    <figure class="chart-card" data-chart={chart.spec.id}>
      <figcaption>
        <h3 title={chart.spec.explanation}>{chart.spec.title}</h3>
        <p class="visually-hidden">{chart.spec.explanation}</p>
      </figcaption>
      <TimeChart
        label={chart.spec.title}
        t={chart.t}
        columns={chart.columns}
        series={chart.spec.series}
        unit={chart.spec.unit}
        stepMs={chart.stepMs}
        height={200}
        onPick={open}
      />
      {whole && (
        <p class="chart-footer">
          <a href={drillDownHref(whole, region, chart.spec.drill)}>Calls in this window</a>
        </p>
      )}
    </figure>
  );
}
