// Ingest load from a separate Node process, so the client's own work (building and timing
// requests) neither slows nor is slowed by the stack's Node side (proxies, PGlite) in the bench
// process. `clients` loops each POST batches back to back until `durationMs` has passed, or,
// given `eventsPerSecond`, on a fixed schedule that together makes that rate (open loop: a slow
// answer does not delay the next batch, and latency counts from the batch's scheduled time).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { eventBatch } from './calls.ts';

export interface LoadConfig {
  baseUrl: string;
  /** The key to send each customer's events with: one per customer, or one for all. */
  keys: Record<string, string> | { all: string };
  customers: string[];
  seed: number;
  batchSize: number;
  /** Customers whose events share a batch (the batch then needs a key valid for all). */
  customersPerBatch: number;
  clients: number;
  durationMs: number;
  /** Index of the first batch, so several loads in one run never reuse event ids. */
  firstIndex: number;
  /** Paced instead of back to back: the rate all clients together send at. */
  eventsPerSecond?: number;
}

export interface BatchRecord {
  index: number;
  count: number;
  /** The batch's `anchorMs` (see eventBatch), so it can be built again. */
  anchorMs: number;
  /** Epoch milliseconds (fractional) when the request was sent (or, paced, was due) and when its answer arrived. */
  sentMs: number;
  answeredMs: number;
  status: number;
  accepted: number;
  /** A few event ids of the batch (first, middle, last), to time their arrival in Postgres. */
  sampleIds: string[];
  /** The start of the answer when it was not a 202. */
  error?: string;
}

export type LoadClientMessage = { type: 'start'; config: LoadConfig } | { type: 'exit' };
export type LoadReport = { type: 'done'; records: BatchRecord[] } | { type: 'failed'; message: string };

export interface RunningLoad {
  pid: number;
  /** The records once every client has stopped. */
  done: Promise<BatchRecord[]>;
  close(): Promise<void>;
}

/**
 * Batch `index` of a load: `customersPerBatch` consecutive customers (wrapping around the list),
 * an equal share of `batchSize` events each. Pure, so a baseline can build the same rows again.
 */
export function loadBatch(config: Pick<LoadConfig, 'customers' | 'seed' | 'batchSize' | 'customersPerBatch'>, index: number, anchorMs: number): SwitchboardEvent[] {
  const share = Math.floor(config.batchSize / config.customersPerBatch);
  const events: SwitchboardEvent[] = [];
  for (let part = 0; part < config.customersPerBatch; part++) {
    const slot = index * config.customersPerBatch + part;
    const customerId = config.customers[slot % config.customers.length]!;
    events.push(...eventBatch({ seed: config.seed, index: slot, customerId, size: share, anchorMs }).events);
  }
  return events;
}

export function keyFor(config: Pick<LoadConfig, 'keys'>, customerId: string): string {
  const key = 'all' in config.keys ? config.keys.all : config.keys[customerId];
  if (key === undefined) throw new Error(`no ingest key for ${customerId}`);
  return key;
}

export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function startLoad(config: LoadConfig): RunningLoad {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-client.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid === undefined) throw new Error('Could not start the load client');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const done = new Promise<BatchRecord[]>((resolve, reject) => {
    child.on('message', (message: LoadReport) => {
      if (message.type === 'done') resolve(message.records);
      else reject(new Error(`load client: ${message.message}`));
    });
    void exited.then(() => reject(new Error('the load client exited before reporting')));
  });
  child.send({ type: 'start', config } satisfies LoadClientMessage);
  return {
    pid: child.pid,
    done,
    async close() {
      if (child.exitCode === null && child.connected) child.send({ type: 'exit' } satisfies LoadClientMessage);
      await exited;
    },
  };
}
