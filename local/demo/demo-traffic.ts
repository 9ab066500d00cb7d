// The demo `npm start` runs beside the stack (unless DEMO=off): four customers created through
// the operator API, a month of history backfilled into Postgres on first start, then live calls
// through POST /v1/events with scripted incidents every few minutes. It never configures alert
// targets, so the incidents raise alerts on the dashboards without paging anyone.
import { signToken } from '../../workers/auth/tokens.ts';
import { hourlyRefreshCron } from '../../workers/scheduled/cron-schedule.ts';
import { fireCron } from '../local-cron.ts';
import type { LocalService } from '../stack.ts';
import { backfillDemoHistory, type BackfillResult } from './backfill.ts';
import { DEMO_CUSTOMERS } from './customers.ts';
import { INCIDENT_CYCLE_MS, scriptedIncidents } from './incidents.ts';
import { provisionDemoCustomers } from './provision.ts';
import { randomSeed } from './random.ts';
import { startLiveTraffic } from './traffic.ts';

export interface DemoTrafficOptions {
  baseUrl: string;
  operatorToken: string;
  databaseUrl: string;
  dataDir: string;
  /** Replays a run; printed when chosen at random. */
  seed?: number;
  now?: () => Date;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export interface DemoTraffic {
  seed: number;
  /** Settles when the first-start history is written (or was already there); null if it was stopped or failed. */
  backfill: Promise<BackfillResult | null>;
  stop(): Promise<void>;
}

const numberFormat = new Intl.NumberFormat('en-US');
/** The demo's operator token is only used while it sets up its customers and keys. */
const setupTokenTtlSeconds = 3_600;

export async function startDemoTraffic(options: DemoTrafficOptions): Promise<DemoTraffic> {
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now;
  const clock = now ? () => now().getTime() : Date.now;
  const seed = options.seed ?? randomSeed();
  const customers = DEMO_CUSTOMERS;

  const { baseUrl, operatorToken, dataDir } = options;
  const ingestKeys = await provisionDemoCustomers({ baseUrl, operatorToken, dataDir, customers, ...(options.fetch && { fetch: options.fetch }) });
  const startMs = clock();
  log(`Demo traffic: seed ${seed}, customers ${customers.map((c) => c.id).join(', ')}; incidents repeat every ${INCIDENT_CYCLE_MS / 60_000} minutes`);
  const live = startLiveTraffic({
    baseUrl,
    ingestKeys,
    customers,
    seed,
    startMs,
    incidents: scriptedIncidents(startMs),
    clock,
    log,
    ...(options.fetch && { fetch: options.fetch }),
  });

  const stopBackfill = new AbortController();
  const backfill = backfillDemoHistory({ databaseUrl: options.databaseUrl, customers, seed, nowMs: startMs, signal: stopBackfill.signal })
    .then((result) => {
      if (result.calls > 0) {
        log(`Demo history: ${numberFormat.format(result.calls)} calls (${numberFormat.format(result.events)} events) over the last 30 days written in ${(result.elapsedMs / 1000).toFixed(1)} s`);
        // The customer figures include the history at once instead of at the next hourly refresh.
        void fireCron(baseUrl, hourlyRefreshCron).catch((error: Error) => log(`Refreshing the customer figures failed: ${error.message}`));
      } else {
        log('Demo history: already in place, kept as it is');
      }
      return result;
    })
    .catch((error: unknown) => {
      if (!stopBackfill.signal.aborted) log(`Demo history could not be written: ${(error as Error).message}`);
      return null;
    });

  let stopping: Promise<void> | undefined;
  return {
    seed,
    backfill,
    stop() {
      stopBackfill.abort();
      stopping ??= Promise.all([live.stop(), backfill]).then(() => undefined);
      return stopping;
    },
  };
}

/** The demo as a service of the local stack: started once the Worker serves, stopped before it. */
export function demoTrafficService(options: { seed?: number; log?: (line: string) => void } = {}): LocalService {
  return {
    name: 'demo traffic',
    async start(stack) {
      const { token } = await signToken(stack.jwtSecret, { role: 'operator', subject: 'demo-traffic', ttlSeconds: setupTokenTtlSeconds });
      return startDemoTraffic({ baseUrl: stack.baseUrl, operatorToken: token, databaseUrl: stack.databaseUrl, dataDir: stack.dataDir, ...options });
    },
  };
}
