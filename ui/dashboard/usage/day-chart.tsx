// One uPlot bar chart of a value per UTC day. Built once per mount (and again when the system
// switches between light and dark, because canvas pixels do not follow CSS), fed with setData,
// sized with its container, destroyed when it leaves the page. Days are plotted by position, so
// no time zone can move a bar to the wrong date.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatUtcDay } from '../../shared/format.ts';

export interface DaySeries {
  label: string;
  /** Index into the theme's --series-N palette. */
  colour: number;
  /** One value per date; null where the series has nothing to draw that day. */
  values: Array<number | null>;
}

export interface DayChartProps {
  /** What the chart shows, for people who cannot see it. */
  label: string;
  dates: string[];
  series: DaySeries[];
  /** A value as the tooltip writes it ("12 calls", "$4.20"). */
  formatValue: (value: number) => string;
  /** A value as the y axis writes it, short. */
  formatAxis: (value: number) => string;
  height: number;
}

function cssToken(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** The date and every series that has a value that day, as text nodes: no label can inject markup. */
function tooltip(props: { current: DayChartProps }): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;
  const show = (u: uPlot) => {
    const idx = u.cursor.idx;
    const date = idx === null || idx === undefined ? undefined : props.current.dates[idx];
    if (!tip) return;
    if (idx === null || idx === undefined || date === undefined) {
      tip.hidden = true;
      return;
    }
    const lines = [formatUtcDay(date)];
    props.current.series.forEach((series) => {
      const value = series.values[idx];
      if (value !== null && value !== undefined) lines.push(`${series.label}: ${props.current.formatValue(value)}`);
    });
    tip.replaceChildren(...lines.map((line, i) => Object.assign(document.createElement(i === 0 ? 'strong' : 'span'), { textContent: line })));
    tip.hidden = false;
    const left = u.cursor.left ?? 0;
    const x = left > u.over.clientWidth / 2 ? left - tip.offsetWidth - 12 : left + 12;
    tip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, (u.cursor.top ?? 0) - tip.offsetHeight - 8)}px)`;
  };
  return {
    hooks: {
      init: (u) => {
        tip = Object.assign(document.createElement('div'), { className: 'chart-tip', hidden: true });
        tip.setAttribute('aria-hidden', 'true');
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', () => tip && (tip.hidden = true));
      },
      setCursor: show,
      destroy: () => {
        tip = null;
      },
    },
  };
}

function options(props: { current: DayChartProps }, width: number): uPlot.Options {
  const { series, height, dates, formatAxis } = props.current;
  const text = cssToken('--color-text-muted');
  const grid = { stroke: cssToken('--color-border'), width: 1 };
  return {
    width,
    height,
    legend: { show: series.length > 1, live: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: false, range: [-0.5, dates.length - 0.5] },
      y: { range: (_u, _min, max) => [0, max === null || max <= 0 ? 1 : max * 1.1] },
    },
    axes: [
      {
        stroke: text,
        grid: { show: false },
        ticks: grid,
        space: 56,
        incrs: [1, 2, 3, 5, 7, 10, 14],
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && dates[i] !== undefined ? formatUtcDay(dates[i]) : '')),
      },
      { stroke: text, grid, ticks: grid, size: 64, values: (_u, splits) => splits.map(formatAxis) },
    ],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        fill: cssToken(`--series-${s.colour}`),
        stroke: cssToken(`--series-${s.colour}`),
        width: 0,
        paths: uPlot.paths.bars?.({ size: [0.7, 40], gap: 1 }),
        points: { show: false },
      })),
    ],
    plugins: [tooltip(props)],
  };
}

function columns(props: DayChartProps): uPlot.AlignedData {
  return [props.dates.map((_, i) => i), ...props.series.map((s) => s.values)];
}

export function DayChart(props: DayChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The chart's hooks read the latest props without a rebuild.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const build = () => {
      plot.current?.destroy();
      plot.current = new uPlot(options(latest, Math.max(element.clientWidth, 200)), columns(latest.current), element);
    };
    build();
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    const resize = new ResizeObserver(() => {
      const chart = plot.current;
      const width = Math.floor(element.clientWidth);
      if (chart && width > 0 && width !== chart.width) chart.setSize({ width, height: latest.current.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', build);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(columns(props));
  }, [props.dates, props.series]);

  return <div ref={host} class="day-chart" role="img" aria-label={props.label} />;
}
