// `npm run drills [-- NAME ...] [--seed N]`: the fault drills against the real local stack on the
// wall clock, each on a fresh stack and a throwaway database. Prints what each sent, stored and
// delivered, then a summary table, which also replaces the drills' rows in docs/drills.md
// (section "Results"). Exits 1 when any drill failed.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from '../../bench/support/machine.ts';
import { alertOutboxCrash } from './alert-outbox-crash.ts';
import { alertSinkOutage } from './alert-sink-outage.ts';
import type { Drill, DrillReport } from './drill.ts';
import { duplicateStorm } from './duplicate-storm.ts';
import { lateEvents } from './late-events.ts';
import { postgresOutage } from './postgres-outage.ts';
import { redisOutage } from './redis-outage.ts';
import { startDrillStack } from './support/drill-stack.ts';
import { tenantIsolation } from './tenant-isolation.ts';
import { workerCrash } from './worker-crash.ts';

// Each drill's parameters are its own type; the runner only hands `full` back to `run`.
type AnyDrill = Drill<unknown>;
const drills: AnyDrill[] = [workerCrash, postgresOutage, redisOutage, alertSinkOutage, alertOutboxCrash, duplicateStorm, lateEvents, tenantIsolation];

const docsPath = fileURLToPath(new URL('../../docs/drills.md', import.meta.url));
const startMarker = '<!-- drill results: written by `npm run drills` -->';
const endMarker = '<!-- end of drill results -->';

interface RunResult {
  drill: AnyDrill;
  report: DrillReport;
  seconds: number;
  date: string;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function row(result: RunResult): string {
  const verdict = result.report.failures.length === 0 ? 'passed' : `**failed**: ${result.report.failures.join('; ')}`;
  const facts = result.report.facts.map(([label, value]) => `${label}: ${value}`).join('<br>');
  return `| \`${result.drill.name}\` | ${cell(verdict)} | ${result.date} | ${result.seconds.toFixed(0)} s | ${cell(facts)} |`;
}

async function writeDocs(results: RunResult[], machine: string): Promise<void> {
  const text = await readFile(docsPath, 'utf8');
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  if (start === -1 || end === -1) throw new Error(`${docsPath} has no results markers`);
  const kept = new Map<string, string>();
  for (const line of text.slice(start, end).split('\n')) {
    const name = /^\| `([a-z-]+)` \|/.exec(line)?.[1];
    if (name) kept.set(name, line);
  }
  for (const result of results) kept.set(result.drill.name, row(result));
  const rows = drills.map((drill) => kept.get(drill.name)).filter((line): line is string => line !== undefined);
  const section = [
    startMarker,
    `Last run on ${machine}.`,
    '',
    '| drill | result | run | took | sent, stored, delivered |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  await writeFile(docsPath, text.slice(0, start) + section + text.slice(end));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' } } });
  const unknown = positionals.filter((name) => !drills.some((drill) => drill.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown drill(s): ${unknown.join(', ')}. Drills: ${drills.map((d) => d.name).join(', ')}.`);
    return 2;
  }
  const selected = positionals.length > 0 ? drills.filter((drill) => positionals.includes(drill.name)) : drills;
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1_000_000);
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed must be an integer, not "${values.seed}"`);
    return 2;
  }
  const info = await describeMachine();
  const machine = `${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, Postgres ${info.postgresServer}`;
  console.log(`Seed ${seed} (repeat with: npm run drills -- ${selected.map((d) => d.name).join(' ')} --seed ${seed})`);
  console.log(`Machine: ${machine}\n`);

  const results: RunResult[] = [];
  for (const drill of selected) {
    console.log(`== ${drill.name}: ${drill.title}`);
    const started = Date.now();
    const log = (line: string): void => console.log(`  ${line}`);
    let report: DrillReport;
    try {
      const stack = await startDrillStack({ label: drill.name.replaceAll('-', '_'), ...drill.needs });
      try {
        report = await drill.run({ stack, log, seed }, drill.full);
      } finally {
        await stack.stop();
      }
    } catch (error) {
      report = { facts: [], failures: [`the drill crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`] };
    }
    const result: RunResult = { drill, report, seconds: (Date.now() - started) / 1000, date: new Date(started).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' };
    results.push(result);
    for (const [label, value] of report.facts) console.log(`  ${label}: ${value}`);
    for (const failure of report.failures) console.log(`  FAILED: ${failure}`);
    console.log(`  ${report.failures.length === 0 ? 'passed' : 'FAILED'} in ${result.seconds.toFixed(0)} s\n`);
  }

  console.log('Summary');
  const width = Math.max(...results.map((r) => r.drill.name.length));
  for (const result of results) {
    const facts = result.report.facts.map(([label, value]) => `${label}: ${value}`).join(' | ');
    console.log(`  ${result.drill.name.padEnd(width)}  ${result.report.failures.length === 0 ? 'passed' : 'FAILED'}  ${result.seconds.toFixed(0).padStart(5)} s  ${facts}`);
  }
  await writeDocs(results, machine);
  console.log(`\nResults written to docs/drills.md.`);
  return results.every((r) => r.report.failures.length === 0) ? 0 : 1;
}

process.exit(await main());
