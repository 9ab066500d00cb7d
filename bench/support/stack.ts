// The real local stack as a bench measures it: `startLocalStack` on a scratch data directory
// (on tmpfs where there is one, see storage-dir.ts), either against a fresh database on the
// machine's Postgres or on the embedded PGlite default, with an operator token and the two admin
// calls every part needs.
import { rm } from 'node:fs/promises';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { stackStorageDir } from './storage-dir.ts';

export type PostgresKind = 'server' | 'embedded';

export const postgresLabels: Record<PostgresKind, string> = {
  server: 'Postgres server',
  embedded: 'embedded PGlite',
};

export interface BenchStack {
  kind: PostgresKind;
  stack: LocalStack;
  /** Where the bench reads rows directly (the same database the Worker writes). */
  databaseUrl: string;
  operatorToken: string;
  createCustomer(id: string, fields?: Record<string, unknown>): Promise<void>;
  /** A new ingest key, limited to `customerId` unless it is null. */
  createIngestKey(customerId: string | null): Promise<string>;
  stop(): Promise<void>;
}

async function expectStatus(response: Response, status: number, what: string): Promise<unknown> {
  const body: unknown = await response.json().catch(() => null);
  if (response.status !== status) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** `vars`: extra Worker vars (alert targets, say) on top of wrangler.toml's. */
export async function startBenchStack({ kind, label, scratchDir, log, vars }: { kind: PostgresKind; label: string; scratchDir: string; log: (message: string) => void; vars?: Record<string, string> }): Promise<BenchStack> {
  const database: TestDatabase | null = kind === 'server' ? await createTestDatabase(`bench_${label}`) : null;
  let stack: LocalStack;
  const dataDir = await stackStorageDir(label, scratchDir);
  try {
    stack = await startLocalStack({
      port: 0,
      dataDir,
      databaseUrl: database?.url,
      demo: false,
      quiet: true,
      vars,
      // A measurement is void once the Worker dies under it; say why before the requests fail.
      onWorkerExit: (error) => log(`the Worker died: ${error.message}`),
    });
  } catch (error) {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const operatorToken = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'bench', ttlSeconds: 3600 })).token;
  const headers = { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' };
  return {
    kind,
    stack,
    databaseUrl: database?.url ?? stack.databaseUrl,
    operatorToken,
    async createCustomer(id, fields = {}) {
      const response = await fetch(`${stack.baseUrl}/api/ops/customers`, { method: 'POST', headers, body: JSON.stringify({ id, ...fields }) });
      await expectStatus(response, 201, `POST /api/ops/customers ${id}`);
    },
    async createIngestKey(customerId) {
      const response = await fetch(`${stack.baseUrl}/api/ops/ingest-keys`, { method: 'POST', headers, body: JSON.stringify({ customer_id: customerId }) });
      const body = (await expectStatus(response, 201, 'POST /api/ops/ingest-keys')) as { key: string };
      return body.key;
    },
    async stop() {
      try {
        await stack.stop();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        await database?.drop();
      }
    },
  };
}
