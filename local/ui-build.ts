// The production build of the dashboards into dist/ui, where wrangler serves them from. vite runs
// in its own process with NODE_ENV=production: under vitest NODE_ENV is `test`, which would make
// vite emit a development build.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
export const uiOutDir = join(repoRoot, 'dist', 'ui');
export const uiConfig = join(repoRoot, 'ui', 'vite.config.ts');

export async function buildUi(): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', uiConfig, '--logLevel', 'warn'], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`Building the dashboards failed (vite exited with ${code}):\n${output.join('').slice(-4000)}`);
}
