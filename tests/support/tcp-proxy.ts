// A TCP proxy a test owns, in front of Postgres or Redis, to make it unreachable on demand
// without touching the shared server: cut() drops every live connection and refuses new ones
// until restore().
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxyOptions {
  target: { host: string; port: number };
}

export interface TcpProxy {
  port: number;
  /** Connections currently passing through. */
  activeConnections(): number;
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy({ target }: TcpProxyOptions): Promise<TcpProxy> {
  let isCut = false;
  const pairs = new Set<[Socket, Socket]>();

  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const close = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The TCP proxy did not bind a port');

  const dropAll = (): void => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  return {
    port: address.port,
    activeConnections: () => pairs.size,
    cut() {
      isCut = true;
      dropAll();
    },
    restore() {
      isCut = false;
    },
    stop() {
      dropAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
