// `npm test`: every runner in turn (type checks, unit and integration tests in Node, Worker and
// Durable Object tests in workerd, browser tests in Chromium, Deno, the production bundle), then
// one plain line `N passed, N failed` totalled over all of them, which CI reads.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reportDir = `${root}test-results/`;

interface StepResult {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  success: boolean;
}

/** A vitest run counts its tests; a run that crashed before reporting counts as one failure. */
async function vitest(name: string, config: string): Promise<StepResult> {
  const started = Date.now();
  const output = `${reportDir}${name}.json`;
  await rm(output, { force: true });
  const code = await run('npx', ['vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`]);
  let passed = 0;
  let failed = 0;
  try {
    const report = JSON.parse(await readFile(output, 'utf8')) as VitestJsonReport;
    passed = report.numPassedTests;
    failed = report.numFailedTests;
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1;
  return { name, passed, failed, seconds: (Date.now() - started) / 1000 };
}

/** A command that either succeeds or not counts as one check. */
async function check(name: string, command: string, args: string[]): Promise<StepResult> {
  const started = Date.now();
  const code = await run(command, args);
  return { name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, seconds: (Date.now() - started) / 1000 };
}

async function denoTests(): Promise<StepResult> {
  const started = Date.now();
  const output = `${reportDir}deno.junit.xml`;
  const code = await run('npx', ['deno', 'test', '--quiet', '--allow-read', '--reporter=dot', `--junit-path=${output}`, 'tests/deno/']);
  let passed = 0;
  let failed = 0;
  try {
    const xml = await readFile(output, 'utf8');
    const tests = Number(/<testsuites[^>]*tests="(\d+)"/.exec(xml)?.[1] ?? 0);
    const failures = Number(/<testsuites[^>]*failures="(\d+)"/.exec(xml)?.[1] ?? 0);
    passed = tests - failures;
    failed = failures;
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  return { name: 'deno test', passed, failed, seconds: (Date.now() - started) / 1000 };
}

async function bundleSize(): Promise<StepResult> {
  const result = await check('wrangler deploy --dry-run', 'npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist/worker']);
  if (result.failed === 0) {
    const bytes = (await stat(`${root}dist/worker/index.js`)).size;
    console.log(`worker bundle: ${(bytes / 1024).toFixed(1)} KiB (dist/worker/index.js, before compression)`);
  }
  return result;
}

await mkdir(reportDir, { recursive: true });
const only = process.argv.slice(2);
const steps: Array<[string, () => Promise<StepResult>]> = [
  ['types', () => check('wrangler types --check', 'npx', ['wrangler', 'types', 'workers/worker-configuration.d.ts', '--include-runtime=false', '--strict-vars=false', '--check'])],
  ['tsc', () => check('tsc (workerd, browser, node, tests)', process.execPath, ['scripts/typecheck.ts'])],
  ['deno-check', () => check('deno check', 'npx', ['deno', 'check', '--quiet', 'workers/index.ts', 'analytics/'])],
  ['deno', denoTests],
  ['build', () => check('vite build', 'npx', ['vite', 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'])],
  ['ui-budget', () => check('UI JavaScript budgets', process.execPath, ['scripts/ui-budget.ts'])],
  ['bundle', bundleSize],
  ['node', () => vitest('node', 'vitest.node.config.ts')],
  ['workerd', () => vitest('workerd', 'vitest.workers.config.ts')],
  ['browser', () => vitest('browser', 'vitest.browser.config.ts')],
];

const results: StepResult[] = [];
for (const [key, step] of steps) {
  if (only.length > 0 && !only.includes(key)) continue;
  console.log(`\n=== ${key} ===`);
  results.push(await step());
}

console.log('\nsummary:');
for (const r of results) console.log(`  ${r.name.padEnd(40)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1)} s`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
