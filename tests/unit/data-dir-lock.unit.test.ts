import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { acquireDataDirLock, DataDirInUseError, findLiveLockHolder, lockFileName } from '../../local/data-dir-lock.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-lock-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('the holder writes its pid, and releasing removes the lock', async () => {
  const lock = await acquireDataDirLock(dir);
  expect(await readFile(join(dir, lockFileName), 'utf8')).toBe(`${process.pid}\n`);
  expect(await findLiveLockHolder(dir)).toBe(process.pid);
  await lock.release();
  expect(await findLiveLockHolder(dir)).toBeNull();
});

test('a second opener is refused while the holder lives, with a message naming it', async () => {
  const lock = await acquireDataDirLock(dir);
  const second = acquireDataDirLock(dir);
  await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
  await expect(second).rejects.toThrow(`in use by another \`npm start\` (pid ${process.pid})`);
  await lock.release();
});

test('a lock left by a dead process is taken over', async () => {
  const pid = await deadPid();
  await writeFile(join(dir, lockFileName), `${pid}\n`);
  expect(await findLiveLockHolder(dir)).toBeNull();
  const lock = await acquireDataDirLock(dir);
  expect(await findLiveLockHolder(dir)).toBe(process.pid);
  await lock.release();
});

test('an unreadable lock file is treated as stale', async () => {
  await writeFile(join(dir, lockFileName), 'not a pid');
  const lock = await acquireDataDirLock(dir);
  expect(await findLiveLockHolder(dir)).toBe(process.pid);
  await lock.release();
});

test('releasing does not remove a lock that another process has since taken', async () => {
  const lock = await acquireDataDirLock(dir);
  await writeFile(join(dir, lockFileName), '1\n');
  await lock.release();
  expect(await readFile(join(dir, lockFileName), 'utf8')).toBe('1\n');
});
