// The WebSocket-to-TCP proxy @neondatabase/serverless speaks to when
// `neonConfig.wsProxy = (host, port) => `${hostPort}/v1?address=${host}:${port}``: each WebSocket
// at /v1?address=host:port carries one Postgres connection's bytes, both ways, unchanged.
//
// The proxy ends the TCP side itself when the client sends Terminate: pglite-socket never closes
// a connection on Terminate, and a workerd client that does not close its WebSocket right away
// would otherwise keep a server connection open until the server's connection cap is reached.
//
// Like Neon's pooler, it holds clients in a queue rather than let them exceed what the server takes:
// at most `maxConnections` are bridged at once, the rest wait (their first bytes kept) for a free
// slot, up to `queueTimeoutMs`. Without it, a thousand Durable Objects flushing at the same moment
// would each be refused with "too many clients" by a local Postgres that allows 100.
import { createServer, type IncomingMessage } from 'node:http';
import { connect, isIPv4, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PostgresTerminateDetector } from './postgres-terminate-detector.ts';

export interface NeonWsProxyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** `host:port` pairs the proxy may connect to; when absent, any loopback address. */
  allowedTargets?: string[];
  /** Server connections at once; further clients wait for a slot. */
  maxConnections?: number;
  /** How long a client may wait for a slot before its WebSocket is closed (Neon: 120 s). */
  queueTimeoutMs?: number;
}

/** Below Postgres' default max_connections of 100, leaving room for migrations, psql and tests. */
export const defaultMaxProxyConnections = 64;
const defaultQueueTimeoutMs = 120_000;

export interface NeonWsProxy {
  /** What NEON_WS_PROXY / neonConfig.wsProxy needs: `127.0.0.1:PORT`. */
  hostPort: string;
  port: number;
  stop(): Promise<void>;
}

interface Target {
  host: string;
  port: number;
}

// Past this much unsent data toward the client, stop reading from Postgres until it drains.
const maxBufferedToClient = 1 << 20;

function parseTarget(address: string | null): Target | null {
  const match = address === null ? null : /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(address);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2] ?? '').toLowerCase(), port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

function formatTarget({ host, port }: Target): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseAllowedTargets(entries: string[]): Set<string> {
  return new Set(
    entries.map((entry) => {
      const target = parseTarget(entry);
      if (!target) throw new Error(`allowedTargets entry "${entry}" is not host:port`);
      return formatTarget(target);
    }),
  );
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
}

function chunkOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A first-come, first-served count of free server connections. */
class ConnectionSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Calls `start` once a slot is free; the returned function gives up a place still waiting. */
  take(start: () => void): () => void {
    if (this.free > 0) {
      this.free -= 1;
      start();
      return () => {};
    }
    this.waiting.push(start);
    return () => {
      const at = this.waiting.indexOf(start);
      if (at >= 0) this.waiting.splice(at, 1);
    };
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

function bridge(client: WebSocket, target: Target, upstreams: Set<Socket>, slots: ConnectionSlots, queueTimeoutMs: number): void {
  // What the client sends while it waits for a slot goes to the server once it has one.
  const early: Buffer[] = [];
  let upstream: Socket | null = null;
  const terminate = new PostgresTerminateDetector();
  const forward = (chunk: Buffer, to: Socket) => {
    if (!to.write(chunk)) client.pause();
    if (terminate.push(chunk)) to.end();
  };
  client.on('message', (data) => {
    if (terminate.terminated) return;
    const chunk = chunkOf(data);
    if (upstream) forward(chunk, upstream);
    else early.push(chunk);
  });
  const waitedTooLong = setTimeout(() => client.close(1013, 'no free database connection'), queueTimeoutMs);
  const leaveQueue = slots.take(() => {
    clearTimeout(waitedTooLong);
    if (client.readyState !== client.OPEN) {
      slots.release();
      return;
    }
    upstream = open(client, target, upstreams, slots);
    for (const chunk of early.splice(0)) forward(chunk, upstream);
  });
  const abandon = () => {
    clearTimeout(waitedTooLong);
    leaveQueue();
    upstream?.destroy();
  };
  client.on('close', abandon);
  client.on('error', abandon);
}

function open(client: WebSocket, target: Target, upstreams: Set<Socket>, slots: ConnectionSlots): Socket {
  const upstream = connect({ host: target.host, port: target.port });
  upstreams.add(upstream);
  upstream.setNoDelay(true);
  upstream.on('drain', () => client.resume());

  upstream.on('data', (chunk) => {
    if (client.readyState !== client.OPEN) return;
    client.send(chunk, { binary: true }, () => {
      if (upstream.isPaused() && client.bufferedAmount < maxBufferedToClient) upstream.resume();
    });
    if (client.bufferedAmount >= maxBufferedToClient) upstream.pause();
  });
  // 'close' follows 'error'; the client learns of a failure by its connection closing, as it
  // would with Neon's own proxy.
  upstream.on('error', () => {});
  upstream.on('close', () => {
    upstreams.delete(upstream);
    slots.release();
    if (client.readyState === client.OPEN || client.readyState === client.CONNECTING) client.close(1000);
  });
  return upstream;
}

export async function startNeonWsProxy({ port = 0, allowedTargets, maxConnections = defaultMaxProxyConnections, queueTimeoutMs = defaultQueueTimeoutMs }: NeonWsProxyOptions = {}): Promise<NeonWsProxy> {
  const slots = new ConnectionSlots(maxConnections);
  const allowed = allowedTargets ? parseAllowedTargets(allowedTargets) : null;
  const isAllowed = (target: Target): boolean => (allowed ? allowed.has(formatTarget(target)) : isLoopback(target.host));
  const upstreams = new Set<Socket>();
  const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain' }).end('Connect with a WebSocket to /v1?address=host:port\n');
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    if (url.pathname !== '/v1') return refuseUpgrade(socket, '404 Not Found', 'Unknown path: use /v1?address=host:port');
    const target = parseTarget(url.searchParams.get('address'));
    if (!target) return refuseUpgrade(socket, '400 Bad Request', 'The address parameter must be host:port');
    if (!isAllowed(target)) return refuseUpgrade(socket, '403 Forbidden', `This proxy does not connect to ${formatTarget(target)}`);
    sockets.handleUpgrade(request, socket, head, (client) => bridge(client, target, upstreams, slots, queueTimeoutMs));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The proxy did not bind a TCP port');

  let stopping: Promise<void> | undefined;
  return {
    hostPort: `127.0.0.1:${address.port}`,
    port: address.port,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        for (const upstream of upstreams) upstream.destroy();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
