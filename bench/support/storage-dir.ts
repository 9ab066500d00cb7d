// Where a bench stack keeps its local storage (Durable Objects, R2, PGlite): on tmpfs when the
// machine has one. Local workerd syncs every Durable Object commit to disk on its only thread
// (three fsyncs a commit, seen with strace), and nothing else in the stack runs meanwhile; what
// that costs follows this virtual machine's disk from minute to minute (from under 1 ms to about
// 11 ms a commit, measured), while Durable Objects in production commit off the isolate's thread.
// On tmpfs the figures are the code's, and repeatable. The ingest part prices a commit on both.
// tmpfs survives a killed workerd, which is all a bench stack needs; `npm start` keeps its data
// on disk.
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
