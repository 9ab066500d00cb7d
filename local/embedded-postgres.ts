// Postgres for machines without a Postgres server: PGlite (Postgres compiled to WASM) keeping its
// files in a data directory, served over the wire protocol on 127.0.0.1 so every client (pg, the
// neon driver through local/neon-ws-proxy.ts) talks to it like to any other Postgres.
//
// pglite-socket multiplexes all connections onto PGlite's single session: an open transaction
// holds the others back until it ends, and session-level SET / SET ROLE leak into every other
// connection. Transaction-local settings (set_config(..., true), SET LOCAL) are safe, which is
// what the Worker uses.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireDataDirLock } from './data-dir-lock.ts';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

// The Worker opens a pool per request and tests open several pools at once; connections are only
// socket handlers in front of the one session, so a generous cap costs nothing.
const maxConnections = 256;

export async function startEmbeddedPostgres({ dataDir, port = 0 }: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const lock = await acquireDataDirLock(dataDir);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
    await server.start();
    const boundPort = Number(server.getServerConn().split(':').at(-1));
    const openDb = db;
    let stopping: Promise<void> | undefined;
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${boundPort}/postgres`,
      port: boundPort,
      stop() {
        stopping ??= (async () => {
          try {
            await server.stop();
            await openDb.close();
          } finally {
            await lock.release();
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    await db?.close();
    await lock.release();
    throw error;
  }
}
