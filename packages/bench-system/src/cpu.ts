/**
 * Where the day's CPU went: cumulative CPU seconds of each service process (with its children),
 * PostgreSQL (every backend, and the time of backends that exited, which the postmaster reaps),
 * Kafka, Redis and the bench's own driver, from /proc, taken before and after the day. What the
 * machine spent besides (the kernel's own threads, colleagues' processes) is the rest of /proc/stat.
 * Reported so the next change aims at the process that holds the day back, not at a guess.
 */
import { readFile } from 'node:fs/promises';
import { descendants, processTable } from './machine.ts';

/** Linux reports CPU in clock ticks of 1/100 s on every architecture Node supports here (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

export interface CpuGroups {
  /** Service name → the pid of its root process (its descendants are counted with it). */
  readonly services: readonly { readonly name: string; readonly pid: number }[];
  readonly kafkaPid: number | null;
}

export interface CpuSnapshot {
  readonly atMs: number;
  /** Group → CPU seconds so far (user + system, own and reaped children's). */
  readonly seconds: ReadonlyMap<string, number>;
  /** The whole machine's busy CPU seconds so far (all cores). */
  readonly machineBusy: number;
}

async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // Fields after the command name (which may hold spaces): state is field 3, utime 14 … cstime 17.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Own user + system seconds, and the reaped children's when `withReaped`. */
async function cpuSecondsOf(pid: number, withReaped: boolean): Promise<number> {
  const f = await statFields(pid);
  if (f === null) return 0;
  // f[0] is field 3 (state): utime = field 14 → f[11], stime f[12], cutime f[13], cstime f[14].
  const own = Number(f[11]) + Number(f[12]);
  return (withReaped ? own + Number(f[13]) + Number(f[14]) : own) / TICKS_PER_SECOND;
}

async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!; // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

export async function cpuSnapshot(groups: CpuGroups): Promise<CpuSnapshot> {
  const table = await processTable();
  const seconds = new Map<string, number>();
  const add = (group: string, s: number) => seconds.set(group, (seconds.get(group) ?? 0) + s);
  for (const { name, pid } of groups.services) {
    const [root, ...rest] = descendants(table, pid);
    add(name, await cpuSecondsOf(root!, true));
    for (const child of rest) add(name, await cpuSecondsOf(child, false));
  }
  // PostgreSQL: every postgres process; the postmaster (the one whose parent is not postgres) also carries its exited backends.
  const postgres = table.filter((row) => row.comm === 'postgres' || row.comm.startsWith('postgres'));
  const pgPids = new Set(postgres.map((row) => row.pid));
  for (const row of postgres) add('PostgreSQL', await cpuSecondsOf(row.pid, !pgPids.has(row.ppid)));
  if (groups.kafkaPid !== null) add('Kafka', await cpuSecondsOf(groups.kafkaPid, true));
  for (const row of table.filter((r) => r.comm === 'redis-server')) add('Redis', await cpuSecondsOf(row.pid, true));
  const usage = process.cpuUsage();
  add('bench driver', (usage.user + usage.system) / 1e6);
  return { atMs: Date.now(), seconds, machineBusy: await machineBusySeconds() };
}

/** Seconds spent between two snapshots per group, the rest of the machine's busy time as `other`, largest first. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): { group: string; seconds: number }[] {
  const rows: { group: string; seconds: number }[] = [];
  for (const [group, s] of after.seconds) rows.push({ group, seconds: Math.max(0, s - (before.seconds.get(group) ?? 0)) });
  const counted = rows.reduce((sum, r) => sum + r.seconds, 0);
  rows.sort((a, b) => b.seconds - a.seconds);
  rows.push({ group: 'other (kernel threads, processes not of this run)', seconds: Math.max(0, after.machineBusy - before.machineBusy - counted) });
  return rows;
}
