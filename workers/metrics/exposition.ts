// Prometheus text exposition format 0.0.4, written by hand: metric families in, text out. The
// format is small (HELP, TYPE, one line per sample), and a client library would bring registries
// and global state the Worker does not need; this module only formats and escapes.
export const expositionContentType = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'gauge' | 'counter' | 'summary' | 'histogram';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum` or `_count` for histograms, else none. */
  suffix?: '_bucket' | '_sum' | '_count';
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Go's ParseFloat reads JavaScript's shortest round-trip form; only the non-finite values differ. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(familyName: string, labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  const parts = entries.map(([name, value]) => {
    if (!labelName.test(name) || name.startsWith('__')) throw new Error(`${familyName}: "${name}" is not a valid label name`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * The exposition of `families`, in the order given. Families without samples are left out (as
 * client libraries do); two families with one name are a programming error, as is an invalid name.
 */
export function formatExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!metricName.test(family.name)) throw new Error(`"${family.name}" is not a valid metric name`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} is listed twice`);
    seen.add(family.name);
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(`${family.name}${sample.suffix ?? ''}${formatLabels(family.name, sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** A summary's quantile lines; quantiles without a value (an empty window) are left out. */
export function quantileSamples(labels: Labels, quantiles: ReadonlyArray<readonly [number, number | null]>): Sample[] {
  return quantiles.flatMap(([quantile, value]) => (value === null ? [] : [{ labels: { ...labels, quantile: String(quantile) }, value }]));
}

export interface HistogramCounts {
  /** Upper bounds of the finite buckets, ascending. */
  bounds: readonly number[];
  /** Observations per bucket (not cumulative): one per bound, then one above the last bound. */
  counts: readonly number[];
  sum: number;
}

/** A histogram's `_bucket` lines (cumulative, `le` ending at `+Inf`), `_sum` and `_count`. */
export function histogramSamples(labels: Labels, histogram: HistogramCounts): Sample[] {
  if (histogram.counts.length !== histogram.bounds.length + 1) throw new Error('a histogram needs one count per bound and one above the last');
  const samples: Sample[] = [];
  let cumulative = 0;
  histogram.counts.forEach((count, i) => {
    cumulative += count;
    const bound = histogram.bounds[i] ?? Infinity;
    samples.push({ suffix: '_bucket', labels: { ...labels, le: formatValue(bound) }, value: cumulative });
  });
  samples.push({ suffix: '_sum', labels, value: histogram.sum }, { suffix: '_count', labels, value: cumulative });
  return samples;
}
