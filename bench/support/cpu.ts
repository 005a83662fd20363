/**
 * Where a benchmark's processes run and what they cost: pinning to cores with `taskset`
 * (util-linux), and the CPU time and resident memory of a process read from /proc. On a
 * 2-core machine the server under test gets a core of its own and the load generator the
 * other, so a latency figure is the server's and not the scheduler's, and a throughput
 * figure says which side was the bottleneck (a server below 100% of its core was waiting
 * for the load generator).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The core of the server under test, and the core of the load generator. */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;

/** Kernel clock ticks per second for utime/stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Pins every thread of a running process (and what it starts later) to one core. */
export function pin(pid: number, cpu: number): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset could not pin ${String(pid)} to CPU ${String(cpu)} (util-linux's taskset is needed): ${r.stderr}`);
}

/** The command line that starts `command` pinned to `cpu` from its first instruction. */
export function pinned(cpu: number, command: string, args: readonly string[]): [string, string[]] {
  return ['taskset', ['-c', String(cpu), command, ...args]];
}

/** The cores a process may run on, as taskset prints them ("1", "0,1"). */
export function affinity(pid: number): string {
  const r = spawnSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
  return /:\s*(\S+)\s*$/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Resident memory of a process in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Runs `work` and reports what share of one core `pid` used meanwhile (1 = a whole core). */
export async function coreShare<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; share: number }> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const result = await work();
  const share = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
  return { result, share: Math.round(share * 100) / 100 };
}

/** Busy jiffies and all jiffies of each core so far, from /proc/stat. */
function coreTimes(): { busy: number; all: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
      const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
      return { busy, all: busy + (idle ?? 0) + (iowait ?? 0) };
    });
}

/**
 * Runs `work` and reports how busy each core was meanwhile (0 to 1, whoever ran there):
 * with the processes' own shares this shows how much of a core other jobs took.
 */
export async function coresBusy<T>(work: () => Promise<T>): Promise<{ result: T; busy: number[] }> {
  const before = coreTimes();
  const result = await work();
  const after = coreTimes();
  const busy = after.map((a, i) => {
    const b = before[i] ?? { busy: 0, all: 0 };
    return Math.round(((a.busy - b.busy) / Math.max(1, a.all - b.all)) * 100) / 100;
  });
  return { result, busy };
}

/** The machine as lscpu and Node describe it, for the record. */
export function machine(): string {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout;
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(lscpu)?.[1]?.trim() ?? '?';
  const memGiB = Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024);
  return `${field('CPU\\(s\\)')} x ${field('Model name')} (${field('Hypervisor vendor')} guest, ${String(memGiB)} GiB), Node ${process.version}`;
}
