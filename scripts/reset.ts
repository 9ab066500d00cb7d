// `npm run reset`: deletes the local data directory (embedded Postgres, Durable Object storage,
// the generated JWT secret), refusing while an `npm start` is using it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirInUseError, findLiveLockHolder } from '../local/data-dir-lock.ts';
import { defaultDataDir } from '../local/stack.ts';

try {
  // Holding the lock while deleting keeps a starting stack from opening half-deleted files.
  await acquireDataDirLock(defaultDataDir);
  const postgresHolder = await findLiveLockHolder(join(defaultDataDir, 'postgres'));
  if (postgresHolder !== null) throw new DataDirInUseError(join(defaultDataDir, 'postgres'), postgresHolder);
} catch (error) {
  if (!(error instanceof DataDirInUseError)) throw error;
  console.error(`Not deleting anything. ${error.message}`);
  process.exit(1);
}
await rm(defaultDataDir, { recursive: true, force: true });
console.log(`Deleted ${defaultDataDir}. The next \`npm start\` begins with an empty database and a new JWT secret.`);
