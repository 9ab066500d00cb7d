// Where a bench stack keeps its local storage (Durable Objects, R2, PGlite): on tmpfs when the
// machine has one. Local workerd syncs every Durable Object commit to disk on its only thread,
// and nothing else in the stack runs meanwhile (the ingest part prices one commit on disk and on
// tmpfs); Durable Objects in production commit off the isolate's thread. On tmpfs the figures
// are the code's rather than this disk's. tmpfs survives a killed workerd, which is all a bench
// stack needs; `npm start` keeps its data on disk.
import { access, constants, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

const tmpfsRoot = '/dev/shm';

/** A new directory for `label` on tmpfs, or under `fallbackDir` where there is none. */
export async function stackStorageDir(label: string, fallbackDir: string): Promise<string> {
  const onTmpfs = await access(tmpfsRoot, constants.W_OK).then(
    () => true,
    () => false,
  );
  return mkdtemp(join(onTmpfs ? tmpfsRoot : fallbackDir, `switchboard-bench-${label}-`));
}
