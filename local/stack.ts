// The whole product on one machine, as `npm start` runs it (and the browser tests, benches and
// fault drills after it): the Worker and its Durable Objects in workerd via `wrangler dev`, talking
// to Postgres only through @neondatabase/serverless and to Redis only through @upstash/redis,
// exactly as in production. Without DATABASE_URL / REDIS_URL the stand-ins are embedded: PGlite
// behind the neon WebSocket proxy, and an in-memory Redis behind a local Upstash REST server.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../scripts/migrate.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { demoTrafficService } from './demo/demo-traffic.ts';
import { localCronService } from './local-cron.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { startNeonWsProxy } from './neon-ws-proxy.ts';
import { buildUi, uiConfig, uiOutDir } from './ui-build.ts';
import { startUpstashRest } from './upstash-rest.ts';
import { startWranglerDev, waitUntilServing, type WranglerDev } from './wrangler-dev.ts';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));
export const defaultDataDir = join(repoRoot, '.data');

export interface LocalStack {
  baseUrl: string;
  databaseUrl: string;
  redisRestUrl: string;
  redisRestToken: string;
  jwtSecret: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Kills wrangler and workerd at once (as a crash would) and starts them again. */
  restartWorker(): Promise<void>;
  /** wrangler's and workerd's last lines of output, for a failure's report (they run quiet in benches). */
  workerOutputTail(): string;
}

/** Something that runs beside the Worker once it serves (the demo traffic generator, for one). */
export interface LocalService {
  name: string;
  start(stack: LocalStack): Promise<{ stop(): Promise<void> }>;
}

export interface LocalStackOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default `<repo>/.data`. */
  dataDir?: string;
  /** A real Postgres instead of the embedded one. */
  databaseUrl?: string;
  /** A real Redis instead of the in-memory one. */
  redisUrl?: string;
  /** Runs the demo traffic generator (local/demo) after the other services. */
  demo?: boolean;
  /** Started in order after the Worker serves, stopped in reverse before it. */
  services?: LocalService[];
  /** Fires the Worker's cron triggers on their schedule, as Cloudflare would (npm start does). */
  cron?: boolean;
  /** Extra Worker vars, on top of wrangler.toml's. */
  vars?: Record<string, string>;
  quiet?: boolean;
  /** Called when wrangler dies on its own while the stack runs. */
  onWorkerExit?: (error: Error) => void;
}

const jwtSecretFile = 'jwt-secret';
const devVarsFile = 'dev.vars';
const readyTimeoutMs = 90_000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function dotenvLine(name: string, value: string): string {
  // Single quotes keep a dotenv value literal; only a quote or a line break cannot be kept.
  if (/['\r\n]/.test(value)) throw new Error(`${name} contains a quote or a line break and cannot be written to ${devVarsFile}`);
  return `${name}='${value}'`;
}

async function readDevVar(dataDir: string, name: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, devVarsFile), 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1).replace(/^'(.*)'$/, '$1') : null;
}

/**
 * The JWT secret `npm start` signs with: JWT_SECRET when set, else the one the last stack started
 * on `dataDir` used, else the one generated for `dataDir`; null before any stack ran there.
 */
export async function readLocalJwtSecret(dataDir: string = defaultDataDir): Promise<string | null> {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const running = await readDevVar(dataDir, 'JWT_SECRET');
  if (running) return running;
  try {
    return (await readFile(join(dataDir, jwtSecretFile), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** Generated once per data directory, so tokens keep working across restarts. */
async function ensureJwtSecret(dataDir: string): Promise<string> {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const path = join(dataDir, jwtSecretFile);
  try {
    const saved = (await readFile(path, 'utf8')).trim();
    if (saved) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function freePort(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on 127.0.0.1 is in use (another server, or a wrangler left over from a killed \`npm start\`: look for it with \`ps aux | grep -E "wrangler|workerd"\`). Set PORT to use another.`)
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port');
  return address.port;
}

async function ensureUiBuilt(log: (message: string) => void): Promise<void> {
  const built = await readdir(uiOutDir).then((files) => files.length > 0, () => false);
  if (built) return;
  if (!(await exists(uiConfig))) {
    // wrangler refuses to start without its assets directory.
    await mkdir(uiOutDir, { recursive: true });
    return;
  }
  log('Building the dashboards (only when dist/ui is missing; `npm run build:ui` rebuilds them)...');
  await buildUi();
}

/** For logs: the URL without its user and password. */
function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

function hostPortOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}`;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir ?? defaultDataDir;
  const quiet = options.quiet ?? false;
  const log = (message: string): void => {
    if (!quiet) console.log(message);
  };
  // Undone in reverse order by stop(), or at once when starting fails halfway.
  const teardown: Array<() => Promise<void>> = [];
  const unwind = async (): Promise<void> => {
    const errors: unknown[] = [];
    while (teardown.length > 0) {
      try {
        await teardown.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'Stopping the local stack failed');
  };

  try {
    const lock = await acquireDataDirLock(dataDir);
    teardown.push(() => lock.release());
    const port = await freePort(options.port ?? 8787);
    const jwtSecret = await ensureJwtSecret(dataDir);

    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres') });
      teardown.push(() => postgres.stop());
      databaseUrl = postgres.url;
      log(`Postgres: embedded PGlite in ${join(dataDir, 'postgres')}`);
    } else {
      log(`Postgres: ${redacted(databaseUrl)}`);
    }
    const proxy = await startNeonWsProxy({ allowedTargets: [hostPortOf(databaseUrl)] });
    teardown.push(() => proxy.stop());

    const redisRestToken = randomBytes(24).toString('base64url');
    const redis = await startUpstashRest({ token: redisRestToken, redisUrl: options.redisUrl });
    teardown.push(() => redis.stop());
    log(`Redis: ${options.redisUrl ? redacted(options.redisUrl) : 'in memory (emptied on every start)'}, served as Upstash REST on ${redis.url}`);

    const migrations = await applyMigrations(databaseUrl);
    log(`Migrations: ${migrations.applied.length} applied, ${migrations.alreadyApplied} already in place`);
    await ensureUiBuilt(log);

    const envFile = join(dataDir, devVarsFile);
    const devVars = {
      JWT_SECRET: jwtSecret,
      DATABASE_URL: databaseUrl,
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: redisRestToken,
    };
    const devVarsText = Object.entries(devVars).map(([name, value]) => dotenvLine(name, value)).join('\n');
    await writeFile(envFile, `${devVarsText}\n`, { mode: 0o600 });

    const baseUrl = `http://127.0.0.1:${port}`;
    const wranglerOptions = {
      cwd: repoRoot,
      port,
      persistTo: join(dataDir, 'wrangler'),
      envFile,
      vars: { PUBLIC_BASE_URL: baseUrl, ...options.vars, NEON_WS_PROXY: proxy.hostPort, ENVIRONMENT: 'development' },
      quiet,
    };
    let wrangler: WranglerDev | undefined;
    // True only while the Worker should be serving, so only a death the stack did not cause is reported.
    let watchingWorker = false;
    const launchWorker = async (): Promise<void> => {
      const started = startWranglerDev(wranglerOptions);
      wrangler = started;
      void started.exited.then((exit) => {
        if (wrangler !== started || !watchingWorker) return;
        options.onWorkerExit?.(new Error(`wrangler dev exited on its own (${exit.signal ?? `code ${exit.code}`}).\n${started.outputTail()}`));
      });
      await waitUntilServing(`${baseUrl}/healthz`, started, readyTimeoutMs);
    };
    teardown.push(async () => {
      watchingWorker = false;
      await wrangler?.stop();
    });
    await launchWorker();
    watchingWorker = true;

    let stopping: Promise<void> | undefined;
    const stack: LocalStack = {
      baseUrl,
      databaseUrl,
      redisRestUrl: redis.url,
      redisRestToken,
      jwtSecret,
      dataDir,
      stop() {
        stopping ??= unwind();
        return stopping;
      },
      async restartWorker() {
        if (stopping) throw new Error('The local stack is stopped');
        watchingWorker = false;
        await wrangler?.kill();
        await launchWorker();
        watchingWorker = true;
      },
      workerOutputTail: () => wrangler?.outputTail() ?? '',
    };

    const services = [...(options.services ?? []), ...(options.cron ? [localCronService(log)] : []), ...(options.demo ? [demoTrafficService({ log })] : [])];
    for (const service of services) {
      const running = await service.start(stack);
      teardown.push(() => running.stop());
      log(`Started ${service.name}`);
    }
    return stack;
  } catch (error) {
    await unwind().catch(() => {});
    throw error;
  }
}
