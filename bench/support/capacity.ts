// The capacity section of BENCHMARKS.md: what one Cloudflare account with Neon and Upstash would
// need for 10x and 100x the largest load measured, worked out from the figures of the last run
// (each line names the figures it uses, so a new run rewrites the arithmetic, not the prose).
import { formatNumber, type ResultsFile } from './report.ts';

type Results = ResultsFile['parts'];

/** One figure of one part, found by the start of its label; null when that part has not run. */
function figure(parts: Results, part: string, labelStart: string): { value: number; baseline: number | null } | null {
  const found = parts[part]?.figures.find((f) => f.label.startsWith(labelStart));
  return found ? { value: found.value, baseline: found.baseline?.value ?? null } : null;
}

const scales = [10, 100] as const;
/** Neon sizes compute in CU: 1 CU is about one vCPU with 4 GB of memory, up to 56 CU a compute. */
const coresPerNeonCu = 1;
const largestNeonCu = 56;
const n = formatNumber;

export function renderCapacity(parts: Results): string[] {
  const out = ['## Capacity: 10x and 100x the largest measured load', ''];
  const serverOn = 'Postgres server';
  const eventsPerSecond = figure(parts, 'ingest', `${serverOn}: end-to-end events/s`);
  const workerdMsPerEvent = figure(parts, 'ingest', `${serverOn}: workerd CPU per accepted event`);
  const postgresCores = figure(parts, 'ingest', `${serverOn}: CPU under load, Postgres server`);
  if (!eventsPerSecond || !workerdMsPerEvent || !postgresCores) {
    out.push('The ingest part has not run on the Postgres server yet: run `npm run bench -- ingest`.', '');
    return out;
  }
  const load = eventsPerSecond.value;
  const raw = eventsPerSecond.baseline;
  const postgresMsPerEvent = (postgresCores.value * 1000) / load;
  out.push(
    `The largest measured load is the ingest part's ${n(load)} events/s end to end on one 2-core machine, with workerd at ${n(workerdMsPerEvent.value)} ms CPU per accepted event and Postgres at ${n(postgresMsPerEvent)} ms CPU per event (${n(postgresCores.value)} cores at that rate).`,
    '',
    '| | measured | 10x | 100x |',
    '|---|---:|---:|---:|',
    `| events/s | ${n(load)} | ${n(load * 10)} | ${n(load * 100)} |`,
    `| events/day | ${n(load * 86_400)} | ${n(load * 864_000)} | ${n(load * 8_640_000)} |`,
    `| Worker + Durable Object CPU (cores busy) | ${n((load * workerdMsPerEvent.value) / 1000)} | ${n((load * 10 * workerdMsPerEvent.value) / 1000)} | ${n((load * 100 * workerdMsPerEvent.value) / 1000)} |`,
    `| Postgres CPU (cores busy) | ${n(postgresCores.value)} | ${n(postgresCores.value * 10)} | ${n(postgresCores.value * 100)} |`,
    `| Neon compute at 70% busy (CU) | ${n(Math.ceil(postgresCores.value / 0.7 / coresPerNeonCu))} | ${n(Math.ceil((postgresCores.value * 10) / 0.7 / coresPerNeonCu))} | ${n(Math.ceil((postgresCores.value * 100) / 0.7 / coresPerNeonCu))} |`,
    '',
  );
  const notes: string[] = [];
  notes.push(
    `Workers: Cloudflare spreads requests and Durable Objects over many machines, so the Worker side needs no sizing beyond its CPU time (about ${n((load * 100 * workerdMsPerEvent.value) / 1000)} CPU-seconds per second at 100x, billed per request and CPU-ms); here every object shares one workerd thread, which is what bounds the local figure.`,
    `One TenantMeter is single-threaded: at ${n(workerdMsPerEvent.value)} ms per event (the whole path; the meter's part is less) one customer can send about ${n(1000 / workerdMsPerEvent.value)} events/s. A customer above that needs its meter split by call id (idFromName(customer:shard)), with the live figures merged by the PlatformMeter as it already merges customers.`,
  );
  if (raw !== null) {
    notes.push(
      `Postgres: one connection takes ${n(raw)} events/s through ingest_events() (the raw floor); 100x is ${n(load * 100)} events/s, about ${n(Math.ceil((load * 100) / raw))} flushing connections at once. TenantMeters flush independently, so that parallelism exists; Neon's pooler (PgBouncer in transaction mode, up to 10,000 client connections; the tenant setting is transaction-local, which that mode keeps) carries it. Beyond the largest compute (56 CU), events would be written to per-region or per-customer-group databases, each customer's rows staying in one.`,
    );
  }
  const bytesPerEvent = figure(parts, 'ingest', `${serverOn}: Postgres bytes per stored event`);
  if (bytesPerEvent) {
    const perDay = (scale: number) => (load * scale * 86_400 * bytesPerEvent.value) / 1024 ** 3;
    notes.push(
      `Storage: ${n(bytesPerEvent.value)} bytes per stored event (rows and indexes, measured after the ingest load) make ${n(perDay(10))} GiB a day at 10x and ${n(perDay(100))} GiB at 100x if that rate lasted all day (a daily rhythm's average is a fraction of its peak); with the default 90-day retention of raw events that is at most ${n(perDay(10) * 90)} GiB and ${n(perDay(100) * 90)} GiB held. Monthly partitions keep retention a partition drop and the indexes of the current month hot.`,
    );
  }
  const quietReportMicros = figure(parts, 'live', 'workerd CPU per quiet report');
  const mergeMicros = figure(parts, 'live', 'PlatformMeter JavaScript per report');
  const meterStorage = figure(parts, 'live', 'storage per TenantMeter');
  const liveCustomers = figure(parts, 'live', 'customers live in /api/ops/live');
  if (mergeMicros && liveCustomers) {
    // A customer with traffic reports at most every second; a quiet one with an unchanged row every 30 s.
    const busyCores = (customers: number, everySeconds: number) => (customers * mergeMicros.value) / 1e6 / everySeconds;
    notes.push(
      `PlatformMeter: one object merges every customer's reports, so it is the first single-threaded limit as customers grow. A report costs it ${n(mergeMicros.value)} µs of JavaScript${quietReportMicros ? ` (${n(quietReportMicros.value)} µs of workerd CPU per quiet report, all included)` : ''}. At 10x and 100x the ${n(liveCustomers.value)} live customers measured, all with traffic and reporting every second, it is ${n(busyCores(liveCustomers.value * 10, 1))} and ${n(busyCores(liveCustomers.value * 100, 1))} cores busy; quiet, every 30 s, ${n(busyCores(liveCustomers.value * 10, 30))} and ${n(busyCores(liveCustomers.value * 100, 30))}. Past about half a core it should become one PlatformMeter per region (customers report to their region's), with the platform view merged from those: the DDSketches and counters are mergeable.`,
    );
  }
  if (meterStorage && liveCustomers) {
    notes.push(
      `Durable Object storage: ${n(meterStorage.value)} KiB per TenantMeter (the live hour, dedup ids for 25 h, the buffer when Postgres is slow) is ${n((meterStorage.value * liveCustomers.value * 100) / 1024 ** 2)} GiB over ${n(liveCustomers.value * 100)} customers, each object far within the 10 GB one may hold; the 25-hour dedup window grows it with events per customer (an id is 40-60 bytes).`,
    );
  }
  const cachedOverview = figure(parts, 'customer', 'GET /api/customer/overview cached, p95');
  // The largest size measured comes last.
  const hourlyRefresh = parts.customer?.figures.filter((f) => f.label.startsWith('Refresh after')).at(-1);
  if (cachedOverview || hourlyRefresh) {
    notes.push(
      `Customer dashboards: a dashboard load reads the overview and the 30 days (2 Redis GETs when cached, each key rewritten once an hour), so Upstash traffic follows dashboard views, not events: 1,000,000 views a month are about 2,000,000 commands. ${hourlyRefresh ? `The hourly refresh took ${n(hourlyRefresh.value)} ms (${hourlyRefresh.label.toLowerCase()}); it follows the customers and hours that changed, so at 100x events it grows with the busy customers of the hour, not with history.` : ''}`,
    );
  }
  out.push(...notes.map((note) => `- ${note}`), '');
  for (const scale of scales) {
    const cu = Math.ceil((postgresCores.value * scale) / 0.7 / coresPerNeonCu);
    const neon = cu <= largestNeonCu ? `one Neon compute of ${n(cu)} CU` : `${n(Math.ceil(cu / largestNeonCu))} Neon databases (the largest compute is ${largestNeonCu} CU), customers assigned to one each`;
    const platform = scale === 100 ? ', one PlatformMeter per region, TenantMeters split for the busiest customers' : '';
    out.push(`At ${scale}x: ${neon}${platform}, the Workers Paid plan and Upstash pay-as-you-go.`);
  }
  out.push('');
  return out;
}
