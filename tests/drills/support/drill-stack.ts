// The real local stack as a fault drill runs it: `startLocalStack` on a scratch data directory and
// a throwaway database on the machine's Postgres, with TCP proxies the drill owns in front of
// Postgres and Redis when it means to cut them. Nothing here touches the shared servers
// themselves: a fault is a cut proxy, a killed workerd the stack started, or a dropped database.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalStack, type LocalStack } from '../../../local/stack.ts';
import { signToken } from '../../../workers/auth/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { startAlertSink, type AlertSink } from './alert-sink.ts';

export const sharedRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface DrillStackOptions {
  label: string;
  /** Postgres reached through a proxy the drill can cut. */
  postgresProxy?: boolean;
  /** Redis (the machine's, through the Upstash stand-in) reached through a proxy the drill can cut. */
  redisProxy?: boolean;
  /** A webhook receiver the drill controls, configured as the environment's alert target. */
  alertSink?: boolean;
  /** Extra Worker vars (a smaller event buffer, say). */
  vars?: Record<string, string>;
}

export interface DrillStack {
  stack: LocalStack;
  baseUrl: string;
  /** Plain SQL straight to the drill's database (never through the proxy): the oracle. */
  sql: pg.Pool;
  postgresProxy: TcpProxy | null;
  redisProxy: TcpProxy | null;
  alertSink: AlertSink | null;
  operatorToken: string;
  /** A request to the Worker; `token` defaults to the operator's, `json` sets the body. */
  request(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** Creates a customer; fails the drill unless the API answers 201. */
  createCustomer(fields: { id: string } & Record<string, unknown>): Promise<void>;
  /** A new ingest key, limited to `customerId` unless it is null. */
  createIngestKey(customerId: string | null): Promise<string>;
  customerToken(customerId: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A free port below Linux's ephemeral range (32768-60999). restartWorker() binds the same port
 * again after SIGKILLing workerd; a port from that range can meanwhile become the source port of
 * any outgoing connection on the machine, and the restart then fails with "Address already in use".
 */
async function portBelowEphemeralRange(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

export async function startDrillStack(options: DrillStackOptions): Promise<DrillStack> {
  const cleanup: Array<() => Promise<void>> = [];
  const unwind = async (): Promise<void> => {
    while (cleanup.length > 0) await cleanup.pop()!().catch((error: unknown) => console.error('drill cleanup:', error));
  };
  try {
    const database: TestDatabase = await createTestDatabase(`drill_${options.label}`);
    cleanup.push(() => database.drop());
    const databaseUrl = new URL(database.url);
    let postgresProxy: TcpProxy | null = null;
    if (options.postgresProxy) {
      postgresProxy = await startTcpProxy({ target: { host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) } });
      cleanup.push(() => postgresProxy!.stop());
    }
    let redisProxy: TcpProxy | null = null;
    if (options.redisProxy) {
      const redis = new URL(sharedRedisUrl);
      redisProxy = await startTcpProxy({ target: { host: redis.hostname, port: Number(redis.port || 6379) } });
      cleanup.push(() => redisProxy!.stop());
    }
    let alertSink: AlertSink | null = null;
    const vars = { ...options.vars };
    if (options.alertSink) {
      alertSink = await startAlertSink();
      cleanup.push(() => alertSink!.stop());
      vars.ALERT_WEBHOOK_URL = alertSink.url;
      vars.ALERT_WEBHOOK_SECRET = alertSink.secret;
    }
    const dataDir = await mkdtemp(join(tmpdir(), `switchboard-drill-${options.label}-`));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const stack = await startLocalStack({
      port: await portBelowEphemeralRange(),
      dataDir,
      databaseUrl: postgresProxy ? withPort(database.url, postgresProxy.port) : database.url,
      redisUrl: redisProxy ? withPort(sharedRedisUrl, redisProxy.port) : undefined,
      demo: false,
      quiet: true,
      vars,
    });
    cleanup.push(() => stack.stop());
    const sql = new pg.Pool({ connectionString: database.url, max: 4 });
    cleanup.push(() => sql.end());

    const operatorToken = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'drills@switchboard.test', ttlSeconds: 6 * 3600 })).token;
    const request = (path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? operatorToken : init.token;
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${stack.baseUrl}${path}`, { ...init, headers, body, redirect: 'manual' });
    };
    const expectCreated = async (response: Response, what: string): Promise<unknown> => {
      const body: unknown = await response.json().catch(() => null);
      if (response.status !== 201) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    };
    return {
      stack,
      baseUrl: stack.baseUrl,
      sql,
      postgresProxy,
      redisProxy,
      alertSink,
      operatorToken,
      request,
      async createCustomer(fields) {
        await expectCreated(await request('/api/ops/customers', { method: 'POST', json: fields }), `POST /api/ops/customers ${fields.id}`);
      },
      async createIngestKey(customerId) {
        const body = (await expectCreated(await request('/api/ops/ingest-keys', { method: 'POST', json: customerId === null ? {} : { customer_id: customerId } }), 'POST /api/ops/ingest-keys')) as { key: string };
        return body.key;
      },
      async customerToken(customerId) {
        return (await signToken(stack.jwtSecret, { role: 'customer', subject: `drills@${customerId}`, customerId, ttlSeconds: 6 * 3600 })).token;
      },
      stop: unwind,
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
