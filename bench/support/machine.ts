// The machine a run measured, for the top of BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { postgresServerVersion } from './postgres.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgresServer: string;
  pglite: string;
  date: string;
}

function packageVersion(name: string): string {
  const path = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

export async function describeMachine(now: Date = new Date()): Promise<MachineInfo> {
  const cores = cpus();
  return {
    cores: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgresServer: await postgresServerVersion(),
    pglite: packageVersion('@electric-sql/pglite'),
    date: now.toISOString(),
  };
}
