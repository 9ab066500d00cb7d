// The two Postgres engines every migration and SQL test runs on: the machine's PostgreSQL 15 (as
// in CI, and like Neon a real server) and the embedded PGlite that `npm start` uses by default.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { applyMigrations } from '../../scripts/migrate.ts';
import { createTestDatabase } from './postgres.ts';

export interface SqlTarget {
  engine: 'postgres' | 'pglite';
  url: string;
  stop(): Promise<void>;
}

export const sqlEngines = ['postgres', 'pglite'] as const;

export async function startSqlTarget(engine: SqlTarget['engine'], label: string): Promise<SqlTarget> {
  if (engine === 'postgres') {
    const database = await createTestDatabase(label);
    return { engine, url: database.url, stop: database.drop };
  }
  const dataDir = await mkdtemp(join(tmpdir(), `sb-${label}-`));
  const embedded = await startEmbeddedPostgres({ dataDir });
  await applyMigrations(embedded.url);
  return {
    engine,
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
