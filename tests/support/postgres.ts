// Each suite gets a database of its own on the machine's Postgres, migrated, and dropped after.
import pg from 'pg';
import { applyMigrations } from '../../scripts/migrate.ts';

export const serverUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label: string, { migrate = true } = {}): Promise<TestDatabase> {
  const name = `sbtest_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  if (migrate) await applyMigrations(url);
  return {
    url,
    name,
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
