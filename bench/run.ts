// `npm run bench [-- part ...] [--seed N]`: runs the named parts (all default parts without
// names) against the real local stack, prints each part's table, and keeps the results in
// bench/results.json and BENCHMARKS.md. A part is a file in bench/parts/; a part that fails keeps
// its previous results and makes the run exit 1.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './support/machine.ts';
import type { BenchPart } from './support/part.ts';
import { consoleTable, renderBenchmarks, toStored, type PartRecord, type ResultsFile } from './support/report.ts';
import { randomSeed } from './support/rng.ts';

const benchDir = fileURLToPath(new URL('./', import.meta.url));
const partsDir = join(benchDir, 'parts');
const resultsPath = join(benchDir, 'results.json');
const benchmarksPath = join(benchDir, '..', 'BENCHMARKS.md');

function isBenchPart(value: unknown): value is BenchPart {
  const part = value as Partial<BenchPart> | null;
  return typeof part?.name === 'string' && typeof part.run === 'function' && typeof part.runsByDefault === 'boolean';
}

async function discoverParts(): Promise<BenchPart[]> {
  const files = (await readdir(partsDir)).filter((file) => file.endsWith('.ts')).sort();
  const parts: BenchPart[] = [];
  for (const file of files) {
    const module = (await import(join(partsDir, file))) as { default?: unknown };
    if (!isBenchPart(module.default)) throw new Error(`bench/parts/${file} has no BenchPart as its default export`);
    if (`${module.default.name}.ts` !== file) throw new Error(`bench/parts/${file} names itself "${module.default.name}"`);
    parts.push(module.default);
  }
  return parts;
}

async function readResults(): Promise<ResultsFile> {
  try {
    return JSON.parse(await readFile(resultsPath, 'utf8')) as ResultsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { parts: {} };
    throw error;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' } } });
  const available = await discoverParts();
  const unknown = positionals.filter((name) => !available.some((part) => part.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown part(s): ${unknown.join(', ')}. Parts: ${available.map((part) => part.name).join(', ')}.`);
    return 2;
  }
  const selected = positionals.length > 0 ? available.filter((part) => positionals.includes(part.name)) : available.filter((part) => part.runsByDefault);
  const seed = values.seed !== undefined ? Number(values.seed) : randomSeed();
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed must be an integer, not "${values.seed}"`);
    return 2;
  }
  console.log(`Seed ${seed} (repeat with: npm run bench -- ${selected.map((part) => part.name).join(' ')} --seed ${seed})`);
  const machine = await describeMachine();
  console.log(`Machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, Postgres ${machine.postgresServer}, PGlite ${machine.pglite}\n`);

  const tmpRoot = join(benchDir, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  const results = await readResults();
  const failed: string[] = [];
  for (const part of selected) {
    console.log(`== ${part.name}: ${part.title}`);
    const scratchDir = await mkdtemp(join(tmpRoot, `${part.name}-`));
    const startedAt = new Date();
    try {
      const result = await part.run({ seed, scratchDir, log: (message) => console.log(`  ${message}`) });
      const record: PartRecord = {
        name: part.name,
        title: part.title,
        issue: part.issue,
        seed,
        measuredAt: startedAt.toISOString(),
        durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
        machine,
        ...result,
      };
      console.log(`\n${consoleTable(record.figures)}\n`);
      for (const note of record.notes) console.log(`  - ${note}`);
      console.log('');
      results.parts[part.name] = toStored(record);
    } catch (error) {
      failed.push(part.name);
      console.error(`Part ${part.name} failed; its previous results are kept.`, error);
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  }
  if (selected.length > failed.length) {
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(benchmarksPath, renderBenchmarks(results));
    console.log(`Wrote bench/results.json and BENCHMARKS.md.`);
  }
  if (failed.length > 0) console.error(`Failed: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

// Stacks, sockets and pools may keep handles open; the run is over once main() answers.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
