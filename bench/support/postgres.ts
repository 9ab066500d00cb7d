// The machine's Postgres for the benches: a fresh, migrated database per measured stack (the
// helper the integration tests use), and the server's version for the report.
import pg from 'pg';
import { serverUrl } from '../../tests/support/postgres.ts';

export { createTestDatabase, serverUrl, type TestDatabase } from '../../tests/support/postgres.ts';

export async function postgresServerVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** Runs `query` on a short-lived connection: the benches poll from outside the stack. */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
