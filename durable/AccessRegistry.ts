// The edge's replica of who may call: ingest key hashes with their scope, the set of known
// customer ids, and revoked token ids. Postgres keeps the records operators list and audit;
// this object answers the hot path (every ingest request, every dashboard request) without a
// database round trip, and keeps answering while Postgres is down. One instance per platform.
import { DurableObject } from 'cloudflare:workers';

export interface IngestKeyGrant {
  keyId: string;
  /** null: the key may send events for any customer. */
  customerId: string | null;
}

const lastUsedResolutionMs = 60_000;

export class AccessRegistry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS ingest_keys (
        key_hash TEXT PRIMARY KEY,
        key_id TEXT NOT NULL UNIQUE,
        customer_id TEXT,
        revoked INTEGER NOT NULL DEFAULT 0,
        last_used_ms INTEGER
      );
      CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS revoked_tokens (jti TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL);
    `);
  }

  registerCustomer(customerId: string): void {
    this.sql.exec('INSERT OR IGNORE INTO customers (id) VALUES (?)', customerId);
  }

  /** Of the given ids, the ones that are customers. */
  knownCustomers(customerIds: string[]): string[] {
    const unique = [...new Set(customerIds)];
    const known: string[] = [];
    for (const id of unique) {
      if (this.sql.exec('SELECT 1 FROM customers WHERE id = ?', id).toArray().length > 0) known.push(id);
    }
    return known;
  }

  registerIngestKey(keyHash: string, grant: IngestKeyGrant): void {
    this.sql.exec(
      'INSERT INTO ingest_keys (key_hash, key_id, customer_id) VALUES (?, ?, ?)',
      keyHash,
      grant.keyId,
      grant.customerId,
    );
  }

  revokeIngestKey(keyId: string): boolean {
    return this.sql.exec('UPDATE ingest_keys SET revoked = 1 WHERE key_id = ? AND revoked = 0', keyId).rowsWritten > 0;
  }

  /** The grant of a live key, recording (to the minute) that it was used. */
  authenticateIngestKey(keyHash: string, nowMs: number = Date.now()): IngestKeyGrant | null {
    const row = this.sql
      .exec<{ key_id: string; customer_id: string | null; last_used_ms: number | null }>(
        'SELECT key_id, customer_id, last_used_ms FROM ingest_keys WHERE key_hash = ? AND revoked = 0',
        keyHash,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.last_used_ms === null || nowMs - row.last_used_ms >= lastUsedResolutionMs) {
      this.sql.exec('UPDATE ingest_keys SET last_used_ms = ? WHERE key_hash = ?', nowMs, keyHash);
    }
    return { keyId: row.key_id, customerId: row.customer_id };
  }

  lastUsed(keyIds: string[]): Record<string, number | null> {
    const result: Record<string, number | null> = {};
    for (const keyId of keyIds) {
      const row = this.sql
        .exec<{ last_used_ms: number | null }>('SELECT last_used_ms FROM ingest_keys WHERE key_id = ?', keyId)
        .toArray()[0];
      result[keyId] = row?.last_used_ms ?? null;
    }
    return result;
  }

  /** `expiresMs`: when the token stops verifying anyway, after which its id need not be kept. */
  revokeToken(jti: string, expiresMs: number, nowMs: number = Date.now()): void {
    this.sql.exec('INSERT OR REPLACE INTO revoked_tokens (jti, expires_ms) VALUES (?, ?)', jti, expiresMs);
    this.sql.exec('DELETE FROM revoked_tokens WHERE expires_ms < ?', nowMs);
  }

  isTokenRevoked(jti: string): boolean {
    return this.sql.exec('SELECT 1 FROM revoked_tokens WHERE jti = ?', jti).toArray().length > 0;
  }

  /** Every revoked token id that still verifies, or null when there are more than `limit`. */
  revokedTokenIds(limit: number, nowMs: number = Date.now()): string[] | null {
    const rows = this.sql.exec<{ jti: string }>('SELECT jti FROM revoked_tokens WHERE expires_ms >= ? LIMIT ?', nowMs, limit + 1).toArray();
    return rows.length > limit ? null : rows.map((row) => row.jti);
  }
}

export function accessRegistry(env: Env): DurableObjectStub<AccessRegistry> {
  return env.ACCESS_REGISTRY.get(env.ACCESS_REGISTRY.idFromName('platform'));
}
