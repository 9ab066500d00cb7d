// How a run is shown and kept: a table per part on the console, bench/results.json (every part's
// latest successful result, so running one part keeps the others), and BENCHMARKS.md rendered
// from that file.
import type { MachineInfo } from './machine.ts';
import { ratioOf, verdictOf, type Figure, type PartResult, type Target } from './part.ts';
import { renderCapacity } from './capacity.ts';

export interface PartRecord extends PartResult {
  name: string;
  title: string;
  issue: string;
  seed: number;
  measuredAt: string;
  durationSeconds: number;
  machine: MachineInfo;
}

export interface ResultsFile {
  parts: Record<string, PartRecord & { figures: Array<Figure & { ratio: number | null; verdict: string }> }>;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function targetText(target: Target): string {
  const subject = target.on === 'ratio' ? 'ratio ' : '';
  const bounds = [
    target.atLeast !== undefined ? `≥ ${formatNumber(target.atLeast)}` : null,
    target.atMost !== undefined ? `≤ ${formatNumber(target.atMost)}` : null,
  ].filter((b) => b !== null);
  return `${subject}${bounds.join(' and ')}${target.aim ? ' (aim)' : ''}`;
}

const columns = ['figure', 'value', 'unit', 'baseline', 'ratio', 'target', 'verdict'] as const;

function rowsOf(figures: readonly Figure[]): string[][] {
  return figures.map((figure) => {
    const ratio = ratioOf(figure);
    return [
      figure.label,
      formatNumber(figure.value),
      figure.unit,
      figure.baseline ? `${formatNumber(figure.baseline.value)} (${figure.baseline.label})` : '',
      ratio === null ? '' : `${formatNumber(ratio)}x`,
      (figure.targets ?? []).map(targetText).join('; '),
      verdictOf(figure),
    ];
  });
}

export function consoleTable(figures: readonly Figure[]): string {
  const rows = [columns.map(String), ...rowsOf(figures)];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const numeric = new Set([1, 4]);
  const line = (row: string[]) => row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function markdownTable(figures: readonly Figure[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map((_, i) => (i === 1 || i === 4 ? '---:' : '---')).join('|')}|`];
  for (const row of rowsOf(figures)) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}

export function toStored(record: PartRecord): ResultsFile['parts'][string] {
  return { ...record, figures: record.figures.map((figure) => ({ ...figure, ratio: ratioOf(figure), verdict: verdictOf(figure) })) };
}

function machineLine(machine: MachineInfo): string {
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}, Postgres server ${machine.postgresServer}, PGlite ${machine.pglite}`;
}

export function renderBenchmarks(results: ResultsFile): string {
  const parts = Object.values(results.parts).sort((a, b) => a.name.localeCompare(b.name));
  const newest = [...parts].sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0];
  const out = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts) from bench/results.json; run it again rather than editing this file.',
    'Each ratio divides the value by a baseline measured in the same run on the same machine.',
    '',
  ];
  if (newest) out.push('## Machine', '', `- ${machineLine(newest.machine)}`, `- Last run: ${newest.measuredAt}`, '');
  for (const part of parts) {
    out.push(`## ${part.name}: ${part.title}`, '');
    out.push(`Issue "${part.issue}". Measured ${part.measuredAt} in ${Math.round(part.durationSeconds)} s, seed ${part.seed} (\`npm run bench -- ${part.name} --seed ${part.seed}\`).`);
    if (newest && machineLine(part.machine) !== machineLine(newest.machine)) out.push(`Machine: ${machineLine(part.machine)}.`);
    out.push('', ...part.setup.map((line) => `- ${line}`), '', markdownTable(part.figures), '', '### What bounds it', '', ...part.notes.map((note) => `- ${note}`), '');
  }
  out.push(...renderCapacity(results.parts));
  return out.join('\n');
}
