// The Redis behind the local Upstash REST server: a real Redis through ioredis when a URL is
// given, else ioredis-mock in memory. Both expose the ioredis API; they differ only in how a raw
// command becomes a method call (ioredis has the generic `call`, ioredis-mock has one method
// per command) and in how they report Redis's own errors, so everything else is one path.
import { randomUUID } from 'node:crypto';
import Redis, { ReplyError } from 'ioredis';
import RedisMock from 'ioredis-mock';

export type RedisCommand = [name: string, ...args: string[]];
export type RedisReply = { result: unknown } | { error: string };

export interface RedisBackend {
  /** Redis's answer to one command (a result or Redis's error); rejects only when Redis is unreachable. */
  run(command: RedisCommand): Promise<RedisReply>;
  /** The commands inside MULTI/EXEC: one reply each, or one error when Redis discarded the transaction. */
  runTransaction(commands: RedisCommand[]): Promise<RedisReply[] | { error: string }>;
  close(): Promise<void>;
}

type Invocation = [method: string, ...args: string[]];
type ExecResult = Array<[Error | null, unknown]> | null;

interface Dialect {
  client: Redis;
  /** The method call on the client (or inside multi()) that sends `command`; null when unsupported. */
  invocation(command: RedisCommand): Invocation | null;
  isRedisError(error: unknown): boolean;
  close(): Promise<void>;
}

// These change or block the one connection every REST request shares, so the REST protocol has
// no use for them (Upstash itself refuses most of them).
const connectionCommands = new Set([
  'auth', 'hello', 'select', 'client', 'reset', 'quit', 'monitor',
  'multi', 'exec', 'discard', 'watch', 'unwatch',
  'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
  'blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'wait', 'waitaof',
]);

const zaddOptions = new Set(['nx', 'xx', 'gt', 'lt', 'ch', 'incr']);

// ioredis-mock recognises these commands' option keywords in upper case only, while Redis ignores
// case and the Upstash client sends them in lower case. Which arguments are keywords, by position:
const mockKeywordPositions: Record<string, (index: number, args: string[]) => boolean> = {
  // SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t]
  set: (index) => index >= 2,
  // ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...
  zadd: (index, args) => index >= 1 && args.slice(1, index + 1).every((arg) => zaddOptions.has(arg.toLowerCase())),
  // LINSERT key BEFORE|AFTER pivot element
  linsert: (index) => index === 1,
  // LMOVE source destination LEFT|RIGHT LEFT|RIGHT
  lmove: (index) => index === 2 || index === 3,
};

function invoke(client: Redis, [method, ...args]: Invocation): Promise<unknown> {
  const target = client as unknown as Record<string, (...args: string[]) => Promise<unknown>>;
  return target[method]!(...args);
}

/** ioredis answers HGETALL with an object; the REST protocol answers Redis's flat array. */
function respShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(respShape);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return Object.entries(value).flat();
  return value;
}

async function realRedisDialect(redisUrl: string): Promise<Dialect> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    // Fail fast while Redis is away instead of queueing: the Worker then sees an error promptly,
    // as it would when Upstash is unreachable.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 5_000,
  });
  // Connection errors reach callers as rejected commands; ioredis reconnects by itself.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Cannot reach Redis at ${redisUrl}: ${(error as Error).message}`);
  }
  return {
    client,
    invocation: ([name, ...args]) => ['call', name, ...args],
    isRedisError: (error) => error instanceof ReplyError,
    close: async () => client.disconnect(),
  };
}

function inMemoryDialect(): Dialect {
  // ioredis-mock shares one keyspace per host:port; a unique host gives this server its own.
  const client = new RedisMock({ host: `memory-${randomUUID()}` });
  const methods = client as unknown as Record<string, unknown>;
  const commands = new Set(new Redis({ lazyConnect: true }).getBuiltinCommands());
  return {
    client,
    invocation: ([name, ...args]) => {
      const method = name.toLowerCase();
      if (!commands.has(method) || typeof methods[method] !== 'function') return null;
      const isKeyword = mockKeywordPositions[method];
      return [method, ...(isKeyword ? args.map((arg, index) => (isKeyword(index, args) ? arg.toUpperCase() : arg)) : args)];
    },
    isRedisError: (error) => error instanceof Error,
    close: async () => {
      await client.flushall();
      client.disconnect();
    },
  };
}

function backendOver(dialect: Dialect): RedisBackend {
  const prepare = (command: RedisCommand): Invocation | { error: string } => {
    const name = command[0].toLowerCase();
    if (connectionCommands.has(name)) return { error: `ERR '${name}' is not available over the REST API` };
    return dialect.invocation(command) ?? { error: `ERR unknown command '${name}'` };
  };
  const errorReply = (error: unknown): { error: string } => {
    if (!dialect.isRedisError(error)) throw error;
    return { error: (error as Error).message };
  };
  return {
    async run(command) {
      const prepared = prepare(command);
      if (!Array.isArray(prepared)) return prepared;
      try {
        return { result: respShape(await invoke(dialect.client, prepared)) };
      } catch (error) {
        return errorReply(error);
      }
    },
    async runTransaction(commands) {
      const invocations: Invocation[] = [];
      for (const command of commands) {
        const prepared = prepare(command);
        if (!Array.isArray(prepared)) return { error: `EXECABORT Transaction discarded because of previous errors: ${prepared.error}` };
        invocations.push(prepared);
      }
      let results: ExecResult;
      try {
        results = (await dialect.client.multi(invocations).exec()) as ExecResult;
      } catch (error) {
        return errorReply(error);
      }
      if (results === null) return { error: 'EXECABORT Transaction discarded' };
      return results.map(([error, result]) => (error ? { error: error.message } : { result: respShape(result) }));
    },
    close: () => dialect.close(),
  };
}

export async function connectRedisBackend(redisUrl?: string): Promise<RedisBackend> {
  return backendOver(redisUrl ? await realRedisDialect(redisUrl) : inMemoryDialect());
}
