// One uPlot instance per chart: built once (again only when its shape or the colour scheme
// changes), fed with setData, sized with its container, destroyed when the chart leaves the page.
// A click on a point or a dragged range reports the time window it covers.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TimeWindow } from '../drill-down.ts';
import { formatShortDateTime, formatTimeTick } from '../format.ts';
import type { ChartUnit } from '../overview/chart-specs.ts';
import { chartColours, prefersDark } from './theme.ts';
import { tooltipPlugin } from './tooltip.ts';
import { formatAxisValue, formatChartValue } from './units.ts';

export interface TimeChartSeries {
  label: string;
  /** Index into the theme's --series-N palette (a sparkline draws in the accent colour). */
  colour: number;
}

export interface TimeChartProps {
  /** What the chart shows, for people who cannot see it; a summary of its values is added. */
  label: string;
  /** Times in ms. */
  t: number[];
  columns: Array<Array<number | null>>;
  series: TimeChartSeries[];
  unit: ChartUnit;
  /** The time one point covers, so a clicked point opens its own window. */
  stepMs: number;
  height: number;
  /** A sparkline: no axes, no legend. */
  compact?: boolean;
  onPick?: (window: TimeWindow) => void;
}

/** A click that moved more than this is a drag (uPlot reports those as a selection). */
const clickSlopPx = 4;

/** The least a value axis spans, so a quiet chart reads "0 to 100 ms", not "0 to 1 ms". */
const minimumTop: Record<ChartUnit, number> = { ms: 100, per_minute: 1, usd_per_hour: 1_000_000, ratio: 0.1, count: 1 };

function yRange(unit: ChartUnit) {
  return (_u: uPlot, _min: number | null, max: number | null): uPlot.Range.MinMax => {
    const top = Math.max(minimumTop[unit], (max ?? 0) * 1.15);
    return [0, unit === 'ratio' ? Math.min(1, top) : top];
  };
}

function withAlpha(colour: string, alpha: string): string | undefined {
  return /^#[0-9a-f]{6}$/i.test(colour) ? colour + alpha : undefined;
}

function describe(props: TimeChartProps): string {
  const parts = props.series.map((series, i) => {
    const values = (props.columns[i] ?? []).filter((v): v is number => v !== null);
    const latest = values.at(-1);
    if (latest === undefined) return `${series.label}: no data`;
    return `${series.label}: latest ${formatChartValue(props.unit, latest)}, highest ${formatChartValue(props.unit, Math.max(...values))}`;
  });
  return `${props.label}. ${parts.join('; ')}.`;
}

export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Hooks read the latest props without rebuilding the chart.
  const latest = useRef(props);
  latest.current = props;
  const dark = prefersDark.value;
  const shape = `${props.unit}|${props.height}|${props.compact ? 1 : 0}|${props.series.map((s) => `${s.label}:${s.colour}`).join(',')}`;
  const data = useMemo<uPlot.AlignedData>(() => [props.t, ...props.columns], [props.t, props.columns]);
  const hasPoints = props.t.length > 0;

  useEffect(() => {
    const element = host.current;
    if (!element || !hasPoints) return;
    const { unit, compact, height, series } = latest.current;
    const colours = chartColours();
    const pick = (window: TimeWindow) => latest.current.onPick?.(window);
    let pressedAtX = 0;

    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height,
      ms: 1,
      legend: { show: !compact, live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 7 } },
      scales: { x: { time: true }, y: { range: yRange(unit) } },
      axes: [
        {
          show: !compact,
          stroke: colours.text,
          grid: { stroke: colours.grid, width: 1 },
          ticks: { stroke: colours.grid, width: 1 },
          values: (u, splits) => splits.map((value) => formatTimeTick(value, (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0))),
        },
        {
          show: !compact,
          stroke: colours.text,
          size: 64,
          grid: { stroke: colours.grid, width: 1 },
          ticks: { stroke: colours.grid, width: 1 },
          values: (_u, splits) => splits.map((value) => formatAxisValue(unit, value)),
        },
      ],
      series: [
        { label: 'Time', value: (_u, value) => (value === null ? '—' : formatShortDateTime(value)) },
        ...series.map((s) => {
          const stroke = compact ? colours.accent : colours.series(s.colour);
          const fill = compact ? withAlpha(stroke, '26') : undefined;
          return {
            label: s.label,
            stroke,
            width: compact ? 1.5 : 2,
            ...(fill ? { fill } : {}),
            // A line needs two points: until then (a sparkline just opened) the values show as dots.
            points: { show: (_u: uPlot, _series: number, first: number, last: number) => last - first < 2 },
            value: (_u: uPlot, value: number | null) => formatChartValue(unit, value),
          };
        }),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            // Without points there is no time scale to read a window from.
            if (width < clickSlopPx || u.data[0].length === 0) return;
            const fromMs = u.posToVal(left, 'x');
            const toMs = u.posToVal(left + width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            pick({ fromMs, toMs });
          },
        ],
      },
      plugins: [tooltipPlugin({ time: formatShortDateTime, value: (value) => formatChartValue(unit, value) })],
    };

    const chart = new uPlot(options, [latest.current.t, ...latest.current.columns], element);
    plot.current = chart;
    chart.over.addEventListener('mousedown', (event) => {
      pressedAtX = event.clientX;
    });
    chart.over.addEventListener('click', (event) => {
      if (Math.abs(event.clientX - pressedAtX) > clickSlopPx) return;
      const idx = chart.cursor.idx;
      const at = idx === null || idx === undefined ? undefined : chart.data[0][idx];
      if (at === undefined) return;
      pick({ fromMs: at, toMs: at + latest.current.stepMs });
    });
    if (latest.current.onPick) chart.over.style.cursor = 'pointer';

    const resize = new ResizeObserver(() => {
      const width = Math.floor(element.clientWidth);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: latest.current.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, dark, hasPoints]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  if (!hasPoints) {
    return props.compact ? (
      <div class="chart-empty chart-host-compact" style={{ height: `${props.height}px` }} aria-hidden="true" />
    ) : (
      <div class="chart-empty" style={{ height: `${props.height}px` }}>
        Waiting for data…
      </div>
    );
  }
  return <div ref={host} class={props.compact ? 'chart-host chart-host-compact' : 'chart-host'} role="img" aria-label={describe(props)} />;
}
