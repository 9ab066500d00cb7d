// A request's database handle, opened on first use and closed after the response is sent, so
// routes that never touch Postgres (ingestion, live metrics) never open a socket.
import type { MiddlewareHandler } from 'hono';
import { openDatabase, type Database, type DatabaseHandle } from './client.ts';

const handles = new WeakMap<Request, DatabaseHandle>();

export function requestDatabase(c: { env: Env; req: { raw: Request } }): Database {
  let handle = handles.get(c.req.raw);
  if (!handle) {
    handle = openDatabase(c.env);
    handles.set(c.req.raw, handle);
  }
  return handle.db;
}

export const closeRequestDatabase: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  try {
    await next();
  } finally {
    const handle = handles.get(c.req.raw);
    if (handle) {
      handles.delete(c.req.raw);
      c.executionCtx.waitUntil(handle.close());
    }
  }
};
