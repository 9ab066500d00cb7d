// The "raw Postgres" floor for ingestion: the same rows written straight into a fresh database by
// one Node client, through the same ingest_events() the TenantMeter flush calls (the events,
// their idempotency keys and the per-call projection), in 1,000-event statements as the flush
// sends them. Anything faster would skip work the product must do.
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { applyMigrations } from '../../scripts/migrate.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { createTestDatabase } from './postgres.ts';
import type { PostgresKind } from './stack.ts';

export const rawChunkSize = 1_000;

async function freshDatabase(kind: PostgresKind, scratchDir: string): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === 'server') {
    const database = await createTestDatabase('bench_raw');
    return { url: database.url, close: () => database.drop() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: join(scratchDir, 'raw-pglite') });
  await applyMigrations(embedded.url);
  return { url: embedded.url, close: () => embedded.stop() };
}

/** Events per second of ingest_events() over `events`, on a fresh database of `kind`. */
export async function rawInsertRate({ kind, scratchDir, customerIds, events }: {
  kind: PostgresKind;
  scratchDir: string;
  customerIds: readonly string[];
  events: readonly SwitchboardEvent[];
}): Promise<{ eventsPerSecond: number; seconds: number; stored: number }> {
  const database = await freshDatabase(kind, scratchDir);
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    for (const id of customerIds) {
      await client.query('INSERT INTO customers (id, name) VALUES ($1, $1)', [id]);
      await client.query(`INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by) VALUES ($1, 'epoch', 2000, 10000, 'bench')`, [id]);
    }
    // Built before the clock starts, as the flush reads ready-made JSON text from its buffer.
    const statements: string[] = [];
    for (let i = 0; i < events.length; i += rawChunkSize) {
      const texts = events.slice(i, i + rawChunkSize).map((event) => JSON.stringify(event));
      statements.push(`[${texts.map((text) => `{"event":${text},"raw":${text}}`).join(',')}]`);
    }
    let stored = 0;
    const start = performance.now();
    for (const batch of statements) {
      const result = await client.query<{ stored: number }>('SELECT ingest_events($1::jsonb) AS stored', [batch]);
      stored += result.rows[0]?.stored ?? 0;
    }
    const seconds = (performance.now() - start) / 1000;
    return { eventsPerSecond: stored / seconds, seconds, stored };
  } finally {
    await client.end().catch(() => {});
    await database.close();
  }
}
