// The demo customers and their ingest keys, created through the operator API like any operator
// would: customers once (a 409 on a later start means they are already there), one key per
// customer limited to it, kept in `<dataDir>/demo-keys.json` so restarts reuse them. A kept key
// that the server no longer knows or has revoked is replaced.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoCustomer } from './customers.ts';

export const DEMO_KEYS_FILE = 'demo-keys.json';

export interface KeptIngestKey {
  id: string;
  key: string;
}

interface DemoKeysFile {
  keys: Record<string, KeptIngestKey>;
}

export class DemoApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(what: string, status: number, body: string) {
    let code = 'unexpected_response';
    let message = body.slice(0, 300);
    try {
      const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
    } catch {
      // Not the contract's JSON error body: keep the text.
    }
    super(`${what} failed with ${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

export interface ProvisionInput {
  baseUrl: string;
  operatorToken: string;
  dataDir: string;
  customers: readonly DemoCustomer[];
  fetch?: typeof fetch;
}

interface IngestKeyListing {
  data: Array<{ id: string; customer_id: string | null; revoked_at: string | null }>;
}

async function readKeptKeys(path: string): Promise<DemoKeysFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<DemoKeysFile>;
  return { keys: parsed.keys ?? {} };
}

/** Written aside and renamed, so a crash mid-write never leaves a half file behind. */
async function writeKeptKeys(path: string, file: DemoKeysFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Ensures every demo customer exists and has a working ingest key; answers the keys by customer id. */
export async function provisionDemoCustomers({ baseUrl, operatorToken, dataDir, customers, fetch: fetchFn = fetch }: ProvisionInput): Promise<Record<string, string>> {
  const operatorCall = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetchFn(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  for (const customer of customers) {
    const created = await operatorCall('POST', '/api/ops/customers', {
      id: customer.id,
      name: customer.name,
      markup_bps: customer.markupBps,
      fee_per_minute_micros: customer.feePerMinuteMicros,
      hourly_spend_limit_micros: customer.hourlySpendLimitMicros,
      normal_calls_per_hour: customer.normalCallsPerHour,
    });
    if (created.status !== 201 && created.status !== 409) throw new DemoApiError(`Creating demo customer ${customer.id}`, created.status, created.text);
  }

  const path = join(dataDir, DEMO_KEYS_FILE);
  const kept = await readKeptKeys(path);
  const listing = await operatorCall('GET', '/api/ops/ingest-keys');
  if (listing.status !== 200) throw new DemoApiError('Listing ingest keys', listing.status, listing.text);
  const live = new Map((JSON.parse(listing.text) as IngestKeyListing).data.map((row) => [row.id, row]));

  const keys: Record<string, string> = {};
  let changed = false;
  for (const customer of customers) {
    const keptKey = kept.keys[customer.id];
    const known = keptKey ? live.get(keptKey.id) : undefined;
    if (keptKey && known && known.customer_id === customer.id && known.revoked_at === null) {
      keys[customer.id] = keptKey.key;
      continue;
    }
    const created = await operatorCall('POST', '/api/ops/ingest-keys', { customer_id: customer.id });
    if (created.status !== 201) throw new DemoApiError(`Creating an ingest key for ${customer.id}`, created.status, created.text);
    const key = JSON.parse(created.text) as { id: string; key: string };
    kept.keys[customer.id] = { id: key.id, key: key.key };
    keys[customer.id] = key.key;
    changed = true;
  }
  if (changed) await writeKeptKeys(path, kept);
  return keys;
}
