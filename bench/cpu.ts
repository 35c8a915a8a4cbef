import { existsSync, readFileSync, readdirSync } from 'node:fs';

/**
 * How busy the rest of the machine was during a measurement: the CPU time all processes used
 * (/proc/stat) minus what the bench and its children used (/proc/<pid>/stat). Other work on a
 * 2-core machine changes every figure, so the bench reports it instead of leaving it unseen.
 */
export interface CpuSnapshot {
  /** Busy and total (busy + idle) CPU time of the machine, in clock ticks. */
  busy: number;
  total: number;
  /** CPU time of the bench process, its reaped children and the given live children, in clock ticks. */
  ours: number;
  /** CPU time of all processes named `postgres` (a local PostgreSQL server), in clock ticks. */
  postgres: number;
}

export function cpuSnapshot(livePids: readonly number[]): CpuSnapshot | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  let ours = processTicks('self');
  for (const pid of withDescendants(livePids)) ours += processTicks(String(pid));
  return { busy, total: busy + idle + iowait, ours, postgres: postgresTicks() };
}

/** The processes and all their live descendants (tsx may run an esbuild service, for instance). */
function withDescendants(pids: readonly number[]): number[] {
  const all: number[] = [];
  const queue = [...pids];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    all.push(pid);
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/** A local PostgreSQL server's processes are called `postgres`; their time is reported on its own. */
function postgresTicks(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') ticks += processTicks(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks;
}

/** utime + stime + cutime + cstime (reaped children) of a process; 0 when it is gone. */
function processTicks(pid: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const rest = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = rest.slice(11, 15);
    return utime + stime + cutime + cstime;
  } catch {
    return 0;
  }
}

/**
 * Shares of the machine's CPU capacity (0..1) between two snapshots: used by a local PostgreSQL
 * server, and by every other process that is not the bench or the servers it started.
 */
export function otherLoad(
  from: CpuSnapshot | undefined,
  to: CpuSnapshot | undefined,
): { other: number; postgres: number } | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  const total = to.total - from.total;
  const postgres = Math.max(0, to.postgres - from.postgres);
  const other = Math.max(0, to.busy - from.busy - (to.ours - from.ours) - postgres);
  return { other: other / total, postgres: postgres / total };
}

/**
 * Waits (up to `maxWaitMs`) for a 2-second window in which other processes use less than `threshold`
 * of the CPU; returns the last window's share, so the caller can say how busy the machine was.
 */
export async function waitForQuietMachine(
  threshold: number,
  maxWaitMs: number,
  onBusy: (load: number) => void,
): Promise<number | undefined> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const from = cpuSnapshot([]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const load = otherLoad(from, cpuSnapshot([]))?.other;
    if (load === undefined || load < threshold || performance.now() >= deadline) return load;
    onBusy(load);
  }
}
