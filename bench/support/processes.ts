// CPU time and memory of the processes behind a measurement, read from /proc: the workerd that
// runs the Worker and its Durable Objects, the Postgres server, this Node process (which also
// runs the neon WebSocket proxy, the Upstash stand-in and, on the embedded default, PGlite), the
// load client, and the machine as a whole. Postgres backends that exit between two samples are
// counted through the postmaster's reaped-children time.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, in seconds. */
  ownSeconds: number;
  /** cutime + cstime: children it has reaped, in seconds. */
  reapedSeconds: number;
}

function readStat(pid: number, path = `/proc/${pid}/stat`): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const seconds = (i: number) => Number(fields[i] ?? 0) / clockTicks;
  return { pid, comm: text.slice(open + 1, close), ppid: Number(fields[1]), ownSeconds: seconds(11) + seconds(12), reapedSeconds: seconds(13) + seconds(14) };
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

function descendantsOf(root: number, processes: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of processes) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const out: ProcStat[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return out;
}

function machineBusySeconds(): number {
  const [cpuLine = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = values;
  return (user + nice + system + irq + softirq + steal) / clockTicks;
}

export interface CpuSample {
  atMs: number;
  seconds: Record<CpuGroup, number>;
  /** CPU seconds of each workerd thread, by thread id. */
  workerdThreads: Map<number, number>;
}

export type CpuGroup = 'workerd' | 'postgres' | 'benchNode' | 'loadClient' | 'machine';

export function sampleCpu(loadClientPid: number | null = null): CpuSample {
  const processes = allProcesses();
  const own = (list: readonly ProcStat[]) => list.reduce((total, stat) => total + stat.ownSeconds, 0);
  const mine = descendantsOf(process.pid, processes);
  const postgres = processes.filter((stat) => stat.comm === 'postgres' || stat.comm.startsWith('postgres:'));
  const workerdThreads = new Map<number, number>();
  for (const workerd of mine.filter((stat) => stat.comm === 'workerd')) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${workerd.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const thread = readStat(Number(tid), `/proc/${workerd.pid}/task/${tid}/stat`);
      if (thread) workerdThreads.set(thread.pid, thread.ownSeconds);
    }
  }
  return {
    atMs: Date.now(),
    workerdThreads,
    seconds: {
      workerd: own(mine.filter((stat) => stat.comm === 'workerd')),
      postgres: own(postgres) + postgres.reduce((total, stat) => total + stat.reapedSeconds, 0),
      benchNode: own(processes.filter((stat) => stat.pid === process.pid)),
      loadClient: own(processes.filter((stat) => stat.pid === loadClientPid)),
      machine: machineBusySeconds(),
    },
  };
}

export type CoresUsed = Record<CpuGroup, number> & {
  /** workerd's busiest thread: near 1.0 means the Worker and its Durable Objects wait on one core. */
  workerdBusiestThread: number;
  /** The machine less the groups: wrangler's own Node process and whatever else runs on the machine. */
  others: number;
};

/** Cores used by each group between two samples (1.0 = one core busy the whole time). */
export function coresUsed(from: CpuSample, to: CpuSample): CoresUsed {
  const wallSeconds = (to.atMs - from.atMs) / 1000;
  const out = { workerdBusiestThread: 0 } as CoresUsed;
  for (const group of Object.keys(from.seconds) as CpuGroup[]) out[group] = (to.seconds[group] - from.seconds[group]) / wallSeconds;
  out.others = Math.max(0, out.machine - out.workerd - out.postgres - out.benchNode - out.loadClient);
  for (const [tid, seconds] of to.workerdThreads) {
    out.workerdBusiestThread = Math.max(out.workerdBusiestThread, (seconds - (from.workerdThreads.get(tid) ?? 0)) / wallSeconds);
  }
  return out;
}

/** Resident memory of this process's workerd, in bytes. */
export function workerdRssBytes(): number {
  const workerd = descendantsOf(process.pid, allProcesses()).filter((stat) => stat.comm === 'workerd');
  let total = 0;
  for (const { pid } of workerd) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    total += Number(kb ?? 0) * 1024;
  }
  return total;
}
