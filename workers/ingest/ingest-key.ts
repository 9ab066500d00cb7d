// Ingest requests authenticate with `Authorization: Bearer <ingest key>`, checked against the
// edge registry (not Postgres, so ingestion keeps working while Postgres is down) and memoised
// per isolate for a few seconds, which bounds how long a revoked key keeps working.
import { accessRegistry, type IngestKeyGrant } from '../../durable/AccessRegistry.ts';
import { IsolateCache } from '../auth/isolate-cache.ts';
import { hashIngestKey } from '../auth/ingest-key-hash.ts';
import { ApiError } from '../http/errors.ts';

const grants = new IsolateCache<IngestKeyGrant | null>();
const knownCustomers = new IsolateCache<boolean>();

export async function authenticateIngestKey(env: Env, authorization: string | undefined): Promise<IngestKeyGrant> {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!key) throw new ApiError('unauthorized', 'Send the ingest key as `Authorization: Bearer <key>`.');
  const keyHash = await hashIngestKey(key);
  const grant = await grants.get(keyHash, () => accessRegistry(env).authenticateIngestKey(keyHash));
  if (!grant) throw new ApiError('unauthorized', 'The ingest key is not valid or has been revoked.');
  return grant;
}

/** The subset of `customerIds` that exist. */
export async function filterKnownCustomers(env: Env, customerIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(customerIds)];
  const unknownToCache = unique.filter((id) => !knownCustomers.peek(id));
  if (unknownToCache.length > 0) {
    const known = new Set(await accessRegistry(env).knownCustomers(unknownToCache));
    for (const id of unknownToCache) knownCustomers.put(id, known.has(id));
  }
  return new Set(unique.filter((id) => knownCustomers.peek(id)?.value === true));
}
