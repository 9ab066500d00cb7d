// Starts tests/support/test-services.ts for the workerd test project and hands its addresses to
// the Worker as bindings (vitest.workers.config.ts reads them with inject).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { TestServices } from './test-services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    neonWsProxy: string;
    redisRestUrl: string;
    redisRestToken: string;
  }
}

export default async function setup(project: TestProject) {
  const script = fileURLToPath(new URL('./test-services.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`test services exited with code ${code} before starting`);
    }),
  ])) as [string];
  const services = JSON.parse(line) as TestServices;
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('neonWsProxy', services.neonWsProxy);
  project.provide('redisRestUrl', services.redisRestUrl);
  project.provide('redisRestToken', services.redisRestToken);
  return async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
}
