// `wrangler dev` as a child process the stack owns. It runs in its own process group because
// wrangler starts workerd as a grandchild: signalling the group is the only way to be sure both
// are gone (killing wrangler alone leaves workerd serving the port). The group's leader is
// process-group-guard.ts, which ends the group if this process dies without stopping it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WranglerDevOptions {
  /** The directory holding wrangler.toml. */
  cwd: string;
  port: number;
  persistTo: string;
  envFile: string;
  vars: Record<string, string>;
  quiet: boolean;
}

export interface WranglerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WranglerDev {
  pid: number;
  exited: Promise<WranglerExit>;
  /** The last lines wrangler and workerd printed, for error messages. */
  outputTail(): string;
  /** SIGTERM to the group, SIGKILL to whatever is left after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL to the group at once, as a crash would. */
  kill(): Promise<void>;
}

// Secrets come from the env file only: wrangler also reads them from its own environment, where
// a developer's shell values would silently win over the stack's.
const secretNames = ['JWT_SECRET', 'DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];
const tailLines = 80;
const guardEntry = fileURLToPath(new URL('./process-group-guard.ts', import.meta.url));
const stopGraceMs = 5_000;
const killGraceMs = 3_000;

function wranglerEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function signalGroupAndWait(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  while (groupExists(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    // wrangler's local trace collector streams every invocation's tail events to a worker of its
    // own; Switchboard's own /metrics is its observability, and the stream took a fifth of
    // workerd's CPU with a thousand Durable Objects (a CPU profile of the live bench).
    X_LOCAL_OBSERVABILITY: 'false',
  };
  for (const name of secretNames) delete env[name];
  const args = [
    guardEntry,
    process.execPath,
    wranglerEntry(),
    'dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--persist-to', options.persistTo,
    '--env-file', options.envFile,
    '--show-interactive-dev-session=false',
    ...Object.entries(options.vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  // The guard's stdin is a pipe nobody writes to: it closes when this process ends.
  const child = spawn(process.execPath, args, { cwd: options.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('Could not start wrangler dev');
  const pgid = child.pid;

  const lines: string[] = [];
  const record = (chunk: Buffer, forward: NodeJS.WriteStream): void => {
    if (!options.quiet) forward.write(chunk);
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    if (lines.length > tailLines) lines.splice(0, lines.length - tailLines);
  };
  child.stdout.on('data', (chunk: Buffer) => record(chunk, process.stdout));
  child.stderr.on('data', (chunk: Buffer) => record(chunk, process.stderr));

  const exited = new Promise<WranglerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const endGroup = async (first: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (await signalGroupAndWait(pgid, first, graceMs)) return;
    if (first !== 'SIGKILL' && (await signalGroupAndWait(pgid, 'SIGKILL', killGraceMs))) return;
    throw new Error(`wrangler dev (process group ${pgid}) is still running after SIGKILL`);
  };

  return {
    pid: pgid,
    exited,
    outputTail: () => lines.join('\n'),
    stop: () => endGroup('SIGTERM', stopGraceMs),
    kill: () => endGroup('SIGKILL', killGraceMs),
  };
}

/**
 * Resolves once `url` answers below 500 (the Worker is serving, whatever the state of its
 * dependencies); rejects with wrangler's last output if wrangler exits or the deadline passes.
 */
export async function waitUntilServing(url: string, wrangler: WranglerDev, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: WranglerExit | undefined;
  void wrangler.exited.then((result) => (exit = result));
  let lastAnswer = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(`wrangler dev exited (${exit.signal ?? `code ${exit.code}`}) before the Worker served ${url}.\n${wrangler.outputTail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      if (response.status < 500) return;
      lastAnswer = `HTTP ${response.status}: ${body.slice(0, 300)}`;
    } catch (error) {
      lastAnswer = (error as Error).message;
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 200)), wrangler.exited]);
  }
  throw new Error(`The Worker did not serve ${url} within ${timeoutMs / 1000} s (last: ${lastAnswer}).\n${wrangler.outputTail()}`);
}
