import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait-until.ts';

// The target answers every chunk with the same bytes upper-cased, so a reply proves a round trip.
let target: Server;
let targetPort: number;

beforeAll(async () => {
  target = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk.toString('utf8').toUpperCase())));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => target.close(resolve));
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(chunk.toString('utf8')));
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

test('passes bytes both ways and counts live connections', async () => {
  const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: targetPort } });
  try {
    const socket = await open(proxy.port);
    expect(await roundTrip(socket, 'hello')).toBe('HELLO');
    expect(proxy.activeConnections()).toBe(1);
    socket.end();
    await waitUntil(() => proxy.activeConnections() === 0, 'the connection is gone');
  } finally {
    await proxy.stop();
  }
});

test('cut drops live connections and refuses new ones until restored', async () => {
  const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: targetPort } });
  try {
    const live = await open(proxy.port);
    expect(await roundTrip(live, 'before')).toBe('BEFORE');

    proxy.cut();
    await closed(live);
    expect(proxy.activeConnections()).toBe(0);
    const refused = await open(proxy.port);
    await closed(refused);
    expect(proxy.activeConnections()).toBe(0);

    proxy.restore();
    const after = await open(proxy.port);
    expect(await roundTrip(after, 'after')).toBe('AFTER');
    after.destroy();
  } finally {
    await proxy.stop();
  }
});

test('stop closes live connections and the listening port', async () => {
  const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: targetPort } });
  const live = await open(proxy.port);
  await proxy.stop();
  await closed(live);
  await expect(open(proxy.port)).rejects.toThrow(/ECONNREFUSED/);
});
