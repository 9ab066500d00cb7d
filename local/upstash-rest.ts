// A local stand-in for Upstash's REST API, enough for @upstash/redis (which the Worker uses in
// production too): POST / with one command as a JSON array, POST /pipeline and /multi-exec with
// an array of commands, a Bearer token, `{result}` / `{error}` bodies, and the client's default
// `Upstash-Encoding: base64`, where every string in a result travels base64-encoded.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connectRedisBackend, type RedisBackend, type RedisCommand, type RedisReply } from './redis-backend.ts';

export interface UpstashRestOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  token: string;
  /** A real Redis (`redis://...`); without it the data lives in memory and ends with the server. */
  redisUrl?: string;
}

export interface UpstashRest {
  /** What UPSTASH_REDIS_REST_URL needs: `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

// Upstash's own request limit.
const maxBodyBytes = 10 * 1024 * 1024;

class RequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function hasToken(request: IncomingMessage, expected: Buffer): boolean {
  const presented = Buffer.from(request.headers.authorization ?? '');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new RequestError(413, 'ERR max request size exceeded');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestError(400, 'ERR failed to parse the request body as JSON');
  }
}

/** The client sends numbers and booleans unquoted; Redis takes every argument as a string. */
function toCommand(value: unknown): RedisCommand {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'string') {
    throw new RequestError(400, 'ERR a command is a non-empty JSON array starting with the command name');
  }
  return value.map((part: unknown) => {
    if (typeof part === 'string') return part;
    if (typeof part === 'number' || typeof part === 'boolean') return String(part);
    throw new RequestError(400, 'ERR command arguments must be strings, numbers or booleans');
  }) as RedisCommand;
}

function toCommands(value: unknown): RedisCommand[] {
  if (!Array.isArray(value) || value.length === 0) throw new RequestError(400, 'ERR expected a non-empty array of commands');
  return value.map(toCommand);
}

function encodeStrings(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map(encodeStrings);
  return value;
}

function encodeReply(reply: RedisReply, base64: boolean): RedisReply {
  return base64 && 'result' in reply ? { result: encodeStrings(reply.result) } : reply;
}

async function answer(backend: RedisBackend, path: string, body: unknown, base64: boolean): Promise<[number, unknown]> {
  switch (path) {
    case '/': {
      const reply = encodeReply(await backend.run(toCommand(body)), base64);
      return ['error' in reply ? 400 : 200, reply];
    }
    case '/pipeline': {
      // In order, as Upstash runs a pipeline; a failing command does not stop the ones after it.
      const replies: RedisReply[] = [];
      for (const command of toCommands(body)) replies.push(encodeReply(await backend.run(command), base64));
      return [200, replies];
    }
    case '/multi-exec': {
      const replies = await backend.runTransaction(toCommands(body));
      return Array.isArray(replies) ? [200, replies.map((reply) => encodeReply(reply, base64))] : [400, replies];
    }
    default:
      throw new RequestError(404, `ERR unknown endpoint ${path}`);
  }
}

export async function startUpstashRest({ port = 0, token, redisUrl }: UpstashRestOptions): Promise<UpstashRest> {
  const backend = await connectRedisBackend(redisUrl);
  const expectedAuthorization = Buffer.from(`Bearer ${token}`);

  const server = createServer((request, response) => {
    const handle = async (): Promise<void> => {
      if (!hasToken(request, expectedAuthorization)) return send(response, 401, { error: 'Unauthorized' });
      if (request.method !== 'POST') return send(response, 405, { error: 'ERR only POST is supported' });
      const path = new URL(request.url ?? '/', 'http://rest').pathname;
      const base64 = request.headers['upstash-encoding']?.toString().toLowerCase() === 'base64';
      const [status, body] = await answer(backend, path, await readJson(request), base64);
      send(response, status, body);
    };
    handle().catch((error: unknown) => {
      if (error instanceof RequestError) return send(response, error.status, { error: error.message });
      send(response, 503, { error: `ERR Redis is unavailable: ${(error as Error).message}` });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await backend.close();
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The REST server did not bind a TCP port');

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backend.close();
      })();
      return stopping;
    },
  };
}
