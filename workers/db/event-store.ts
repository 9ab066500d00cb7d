// Hands a batch of validated events to Postgres's ingest_events(), the one writer of the event
// tables (migrations/0002): idempotent per (customer_id, id), all or nothing.
import { sql } from 'drizzle-orm';
import type { Queryable } from './client.ts';

export interface StoredEventInput {
  /** The validated event (canonical `ts`), as JSON text. */
  event: string;
  /** The event as received, unknown fields included. */
  raw: string;
}

/** Builds the function's JSON argument from stored JSON texts without re-parsing them. */
function batchJson(batch: readonly StoredEventInput[]): string {
  return `[${batch.map((e) => `{"event":${e.event},"raw":${e.raw}}`).join(',')}]`;
}

export async function storeEventBatch(db: Queryable, batch: readonly StoredEventInput[]): Promise<number> {
  if (batch.length === 0) return 0;
  const result = await db.execute<{ stored: number }>(sql`SELECT ingest_events(${batchJson(batch)}::jsonb) AS stored`);
  return Number(result.rows[0]?.stored ?? 0);
}
