// The Worker's path to Postgres, run from Node: @neondatabase/serverless over WebSockets, through
// local/neon-ws-proxy.ts, to the embedded PGlite server and to the machine's real Postgres. A TCP
// proxy between the WebSocket proxy and Postgres counts the upstream connections still open.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, neonConfig } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ws, { WebSocket } from 'ws';
import { DataDirInUseError } from '../../local/data-dir-lock.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { startNeonWsProxy, type NeonWsProxy } from '../../local/neon-ws-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait-until.ts';

let pgliteDir: string;
let pglite: EmbeddedPostgres;
let database: TestDatabase;

beforeAll(async () => {
  pgliteDir = await mkdtemp(join(tmpdir(), 'switchboard-pglite-'));
  [pglite, database] = await Promise.all([
    startEmbeddedPostgres({ dataDir: pgliteDir }),
    createTestDatabase('local_postgres', { migrate: false }),
  ]);
});

afterAll(async () => {
  await pglite?.stop();
  await database?.drop();
  if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
});

const startupMessage = (() => {
  const body = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, body]);
})();
const terminateMessage = Buffer.from([0x58, 0, 0, 0, 4]);
const readyForQuery = Buffer.from([0x5a, 0, 0, 0, 5]);

/** A WebSocket through the proxy that has completed the Postgres startup (trust authentication). */
async function openRawSession(proxy: NeonWsProxy, address: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://${proxy.hostPort}/v1?address=${address}`);
  await new Promise<void>((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.once('error', reject);
    socket.once('open', () => socket.send(startupMessage));
    socket.on('message', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (received.includes(readyForQuery)) resolve();
    });
  });
  return socket;
}

describe.each([
  { name: 'embedded PGlite', url: () => pglite.url },
  { name: "the machine's Postgres", url: () => database.url },
])('the neon driver through the WebSocket proxy to $name', ({ url }) => {
  let upstream: TcpProxy;
  let proxy: NeonWsProxy;
  let proxiedUrl: string;
  let address: string;

  beforeAll(async () => {
    const target = new URL(url());
    upstream = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    address = `127.0.0.1:${upstream.port}`;
    proxy = await startNeonWsProxy({ allowedTargets: [address] });
    target.hostname = '127.0.0.1';
    target.port = String(upstream.port);
    proxiedUrl = target.toString();
    // neonConfig is global; the describe blocks run one after the other, each pointing it at its proxy.
    neonConfig.webSocketConstructor = ws;
    neonConfig.wsProxy = (host, port) => `${proxy.hostPort}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  });

  afterAll(async () => {
    await proxy?.stop();
    await upstream?.stop();
  });

  test('a transaction-local setting is visible inside its transaction and gone after commit', async () => {
    const pool = new Pool({ connectionString: proxiedUrl });
    const client = await pool.connect();
    try {
      const read = async (): Promise<unknown> =>
        (await client.query<{ value: string | null }>("SELECT current_setting('app.current_customer_id', true) AS value")).rows[0]?.value;
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.current_customer_id', 'acme', true)");
      const inside = await read();
      await client.query('COMMIT');
      const after = await read();
      expect(inside).toBe('acme');
      expect(after).toBe('');
    } finally {
      client.release();
      await pool.end();
    }
  });

  test('parallel queries from one pool all answer, and ending the pool closes every upstream connection', async () => {
    const pool = new Pool({ connectionString: proxiedUrl, max: 4 });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => pool.query<{ n: number }>('SELECT $1::int * 10 AS n', [n])));
    expect(answers.map((a) => a.rows[0]?.n)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(upstream.activeConnections()).toBeGreaterThan(0);
    await pool.end();
    await waitUntil(() => upstream.activeConnections() === 0, 'every upstream connection is closed');
  });

  test('a Terminate message closes the upstream connection and then the WebSocket, though the client keeps it open', async () => {
    const session = await openRawSession(proxy, address);
    const closedByProxy = new Promise<number>((resolve) => session.once('close', (code) => resolve(code)));
    expect(upstream.activeConnections()).toBe(1);
    session.send(terminateMessage);
    await waitUntil(() => upstream.activeConnections() === 0, 'the upstream connection is closed');
    expect(await closedByProxy).toBe(1000);
  });

  test('closing the WebSocket closes the upstream connection', async () => {
    const session = await openRawSession(proxy, address);
    expect(upstream.activeConnections()).toBe(1);
    session.close();
    await waitUntil(() => upstream.activeConnections() === 0, 'the upstream connection is closed');
  });

  test('holds clients past its connection limit in a queue, as a pooler does, and answers every one', async () => {
    const limited = await startNeonWsProxy({ allowedTargets: [address], maxConnections: 2 });
    const previous = neonConfig.wsProxy;
    neonConfig.wsProxy = (host, port) => `${limited.hostPort}/v1?address=${host}:${port}`;
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, upstream.activeConnections())), 2);
    try {
      const clients = [1, 2, 3, 4, 5, 6, 7, 8];
      const answers = await Promise.all(
        clients.map(async (n) => {
          const pool = new Pool({ connectionString: proxiedUrl, max: 1 });
          try {
            return (await pool.query<{ n: number }>('SELECT $1::int AS n, pg_sleep(0.05)', [n])).rows[0]?.n;
          } finally {
            await pool.end();
          }
        }),
      );
      expect(answers).toEqual(clients);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      clearInterval(watch);
      neonConfig.wsProxy = previous;
      await limited.stop();
    }
  });

  test('refuses a target that is not allowed, without connecting to it', async () => {
    const socket = new WebSocket(`ws://${proxy.hostPort}/v1?address=127.0.0.1:5433`);
    const status = await new Promise<number>((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => reject(new Error('the proxy accepted a target outside allowedTargets')));
    });
    expect(status).toBe(403);
  });
});

test('the WebSocket proxy allows only loopback targets when given no list', async () => {
  const proxy = await startNeonWsProxy();
  try {
    const statusFor = (address: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://${proxy.hostPort}/v1?address=${address}`);
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => {
          socket.terminate();
          resolve(101);
        });
      });
    expect(await statusFor('10.1.2.3:5432')).toBe(403);
    expect(await statusFor('db.example.com:5432')).toBe(403);
    expect(await statusFor(`127.0.0.1:${pglite.port}`)).toBe(101);
  } finally {
    await proxy.stop();
  }
});

test('a second opener of a data directory in use is refused with the holder named, and the first keeps working', async () => {
  const second = startEmbeddedPostgres({ dataDir: pgliteDir });
  await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
  await expect(second).rejects.toThrow(`in use by another \`npm start\` (pid ${process.pid})`);
  const client = new pg.Client({ connectionString: pglite.url });
  await client.connect();
  try {
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  } finally {
    await client.end();
  }
});
