// One Postgres connection pool per request (Workers cannot share sockets across requests),
// always through @neondatabase/serverless: in production straight to Neon, locally through the
// WebSocket-to-TCP proxy named by NEON_WS_PROXY (see local/neon-ws-proxy.ts).
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonDatabase } from 'drizzle-orm/neon-serverless';
import * as schema from './schema.ts';

export type Database = NeonDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** What query functions take first: the request's database or a transaction opened on it. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  pool: Pool;
  close(): Promise<void>;
}

interface DatabaseConfig {
  DATABASE_URL: string;
  NEON_WS_PROXY: string;
}

function configureLocalProxy(proxyHostPort: string): void {
  neonConfig.wsProxy = (host, port) => `${proxyHostPort}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

export function openDatabase(env: DatabaseConfig): DatabaseHandle {
  if (env.NEON_WS_PROXY) configureLocalProxy(env.NEON_WS_PROXY);
  const pool = new Pool({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  // An unreachable database surfaces as a rejected query; without listeners a client's socket
  // error (idle or not) would be thrown out of the request instead.
  pool.on('error', () => {});
  pool.on('connect', (client: { on(event: 'error', listener: () => void): unknown }) => client.on('error', () => {}));
  return { db: drizzle({ client: pool, schema }), pool, close: () => pool.end() };
}
