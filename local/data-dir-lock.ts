// One owner per data directory: PGlite and workerd's local storage each assume a single writer,
// and a second `npm start` on the same files would corrupt them. The lock file names the owner's
// pid, so a lock left behind by a killed process is recognised (its pid is gone) and taken over.
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const lockFileName = 'owner.pid';

export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
  readonly dataDir: string;
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super(
      `The data directory ${dataDir} is in use by another \`npm start\` (pid ${pid}). ` +
        `Stop that one first (Ctrl-C in its terminal, or \`kill ${pid}\`) and try again. ` +
        `If no such process is yours, delete ${join(dataDir, lockFileName)} by hand.`,
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLockPid(lockPath: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** The pid of the live process holding `dataDir`, or null when nobody does. */
export async function findLiveLockHolder(dataDir: string): Promise<number | null> {
  const pid = await readLockPid(join(dataDir, lockFileName));
  return pid !== null && isProcessAlive(pid) ? pid : null;
}

/**
 * Takes the lock on `dataDir` (created if missing) for this process, or throws DataDirInUseError
 * naming the live holder. The lock file appears atomically with its content (written aside, then
 * hard-linked into place), so a reader never sees a half-written pid.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, lockFileName);
  const draftPath = `${lockPath}.${process.pid}.draft`;
  const ownContent = `${process.pid}\n`;
  await writeFile(draftPath, ownContent);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draftPath, lockPath);
        return { release: () => releaseIfOwned(lockPath, ownContent) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLockPid(lockPath);
      if (holder !== null && isProcessAlive(holder)) throw new DataDirInUseError(dataDir, holder);
      await rm(lockPath, { force: true });
    }
    throw new Error(`Could not take the lock on ${dataDir}: other processes keep taking it over.`);
  } finally {
    await rm(draftPath, { force: true });
  }
}

async function releaseIfOwned(lockPath: string, ownContent: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) !== ownContent) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(lockPath, { force: true });
}
