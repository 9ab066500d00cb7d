// Cron triggers never fire by themselves under `wrangler dev`; this service fires the Worker's
// scheduled handler on the same schedule as wrangler.toml (hourly refresh at :00, housekeeping at
// 00:15 UTC) through wrangler's local scheduled endpoint, so `npm start` behaves like production.
import { dailyHousekeepingCron, hourlyRefreshCron } from '../workers/scheduled/cron-schedule.ts';
import type { LocalService } from './stack.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** Fires `cron` on the Worker now; resolves when the handler has finished. */
export async function fireCron(baseUrl: string, cron: string): Promise<void> {
  const response = await fetch(`${baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`scheduled ${cron} answered ${response.status}`);
}

/** Milliseconds from `nowMs` to the next instant that is `offsetMs` past a multiple of `periodMs`. */
function untilNext(nowMs: number, periodMs: number, offsetMs: number): number {
  const next = Math.floor((nowMs - offsetMs) / periodMs) * periodMs + periodMs + offsetMs;
  return next - nowMs;
}

export function localCronService(log: (line: string) => void): LocalService {
  return {
    name: 'local cron (hourly refresh, daily housekeeping)',
    async start(stack) {
      const timers = new Set<ReturnType<typeof setTimeout>>();
      let stopped = false;
      const schedule = (cron: string, periodMs: number, offsetMs: number): void => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (stopped) return;
          fireCron(stack.baseUrl, cron).catch((error: Error) => log(`Cron ${cron} failed: ${error.message}`));
          schedule(cron, periodMs, offsetMs);
        }, untilNext(Date.now(), periodMs, offsetMs));
        timers.add(timer);
      };
      schedule(hourlyRefreshCron, hourMs, 0);
      schedule(dailyHousekeepingCron, dayMs, 15 * 60_000);
      return {
        async stop() {
          stopped = true;
          for (const timer of timers) clearTimeout(timer);
        },
      };
    },
  };
}
