// The price of one SQLite statement inside a Durable Object in this runtime: a probe Worker
// (workerd-sqlite-probe/) under `wrangler dev` with file-backed storage, as the stack runs the
// TenantMeter, timed from outside.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWranglerDev, waitUntilServing } from '../../local/wrangler-dev.ts';
import { median } from './stats.ts';

const probeDir = fileURLToPath(new URL('./workerd-sqlite-probe/', import.meta.url));
const statementsPerRequest = 5_000;
const rounds = 15;
const commitRounds = 100;

export interface StatementCost {
  /** Microseconds per primary-key look-up that finds nothing (a dedup check). */
  selectMicros: number;
  /** Microseconds per insert of a new key into a table with one secondary index. */
  insertMicros: number;
  /**
   * Milliseconds one committed write adds to a request: a one-row transaction against a request
   * that writes nothing. Local workerd syncs each commit to disk on its only thread, so this is
   * time in which no other request or Durable Object of the stack runs.
   */
  commitMillis: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Times one kind of probe request: the median of `repeat` sequential requests, the first 3 left out. */
type TimeProbe = (statement: 'none' | 'select' | 'insert', count: number, repeat: number) => Promise<number>;

/** Runs `work` against a probe Worker whose storage lives under `scratchDir`. */
async function withSqliteProbe<T>(scratchDir: string, work: (time: TimeProbe) => Promise<T>): Promise<T> {
  const dir = join(scratchDir, 'sqlite-probe');
  await mkdir(dir, { recursive: true });
  const envFile = join(dir, 'probe.vars');
  await writeFile(envFile, '');
  const port = await freePort();
  const wrangler = startWranglerDev({ cwd: probeDir, port, persistTo: join(dir, 'state'), envFile, vars: {}, quiet: true });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitUntilServing(url, wrangler, 90_000);
    return await work(async (statement, count, repeat) => {
      const samples: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const start = performance.now();
        const response = await fetch(`${url}?statement=${statement}&count=${count}`);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`the probe answered ${response.status}`);
        samples.push(performance.now() - start);
      }
      return median(samples.slice(3));
    });
  } finally {
    await wrangler.stop();
  }
}

/** A one-row commit's time beyond a request that writes nothing. */
async function commitMillis(time: TimeProbe): Promise<number> {
  const nothingWritten = await time('none', 0, commitRounds);
  const oneRowWritten = await time('insert', 1, commitRounds);
  return oneRowWritten - nothingWritten;
}

export function measureWorkerdStatementCost(scratchDir: string): Promise<StatementCost> {
  return withSqliteProbe(scratchDir, async (time) => {
    const none = await time('none', statementsPerRequest, rounds);
    const select = await time('select', statementsPerRequest, rounds);
    const insert = await time('insert', statementsPerRequest, rounds);
    return {
      selectMicros: ((select - none) * 1000) / statementsPerRequest,
      insertMicros: ((insert - none) * 1000) / statementsPerRequest,
      commitMillis: await commitMillis(time),
    };
  });
}

/** Only the commit's price, for storage elsewhere (tmpfs) beside the full measurement on disk. */
export function measureWorkerdCommitMillis(scratchDir: string): Promise<number> {
  return withSqliteProbe(scratchDir, commitMillis);
}
