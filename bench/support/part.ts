// What a bench part is and what it hands back. A part is one file in bench/parts/ whose default
// export is a BenchPart; bench/run.ts finds it there, so adding a part needs nothing else.

/** A goal for one figure: on its value, or on its ratio to the baseline. */
export interface Target {
  on: 'value' | 'ratio';
  atLeast?: number;
  atMost?: number;
  /** An aim rather than a requirement: missing it reads "below aim", not "MISS". */
  aim?: boolean;
}

export interface Figure {
  label: string;
  value: number;
  unit: string;
  /** The figure it is compared with, measured in the same run. */
  baseline?: { label: string; value: number };
  targets?: Target[];
}

export interface PartResult {
  /** One line on what was measured against what (database, load, sizes). */
  setup: string[];
  figures: Figure[];
  /** "What bounds it": written from this run's measurements. */
  notes: string[];
  /** Raw measurements kept in bench/results.json for later comparison. */
  details: Record<string, unknown>;
}

export interface PartContext {
  seed: number;
  /** A scratch directory of this run (bench/tmp/...), removed afterwards. */
  scratchDir: string;
  log(message: string): void;
}

export interface BenchPart {
  name: string;
  title: string;
  /** The issue whose goals the part checks. */
  issue: string;
  /** Whether `npm run bench` without arguments runs it. */
  runsByDefault: boolean;
  run(context: PartContext): Promise<PartResult>;
}

export type Verdict = 'ok' | 'MISS' | 'below aim' | '';

export function ratioOf(figure: Figure): number | null {
  if (!figure.baseline || figure.baseline.value === 0) return null;
  return figure.value / figure.baseline.value;
}

function meets(target: Target, figure: Figure): boolean {
  const measured = target.on === 'value' ? figure.value : ratioOf(figure);
  if (measured === null || !Number.isFinite(measured)) return false;
  if (target.atLeast !== undefined && measured < target.atLeast) return false;
  if (target.atMost !== undefined && measured > target.atMost) return false;
  return true;
}

export function verdictOf(figure: Figure): Verdict {
  const targets = figure.targets ?? [];
  if (targets.length === 0) return '';
  const missed = targets.filter((target) => !meets(target, figure));
  if (missed.length === 0) return 'ok';
  return missed.every((target) => target.aim) ? 'below aim' : 'MISS';
}
