// What Durable Objects keep on disk under `wrangler dev --persist-to`: one SQLite file (plus its
// WAL) per object, in a directory named after the Worker and class. This is the local
// counterpart of `ctx.storage.sql.databaseSize`, read from outside.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClassStorage {
  objects: number;
  /** The database files themselves (what databaseSize reports). */
  databaseBytes: number;
  /** Write-ahead logs not yet checkpointed into them. */
  walBytes: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))));
  return nested.flat();
}

/** Objects of the class `className` under a stack's data directory, and their bytes on disk. */
export async function durableObjectStorage(dataDir: string, className: string): Promise<ClassStorage> {
  const files = (await filesUnder(dataDir)).filter((path) => path.includes(`-${className}/`) && /\.sqlite(-wal)?$/.test(path));
  // A write-ahead log is removed when its object closes its database: one gone since the listing holds nothing.
  const sizeOf = (path: string) => stat(path).then((found) => found.size, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 0 : Promise.reject(error)));
  const sized = await Promise.all(files.map(async (path) => ({ path, bytes: await sizeOf(path) })));
  const total = (wal: boolean) => sized.filter((file) => file.path.endsWith('-wal') === wal).reduce((sum, file) => sum + file.bytes, 0);
  return { objects: files.filter((path) => path.endsWith('.sqlite')).length, databaseBytes: total(false), walBytes: total(true) };
}
