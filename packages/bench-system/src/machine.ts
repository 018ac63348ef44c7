/** The machine the figures were taken on. */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './config.ts';

export interface Machine {
  readonly date: string;
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  readonly kafka: string;
  readonly load: readonly number[];
}

export async function fingerprint(databaseUrl: string): Promise<Machine> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  await client.end();
  let kafka = 'unknown';
  try {
    const jar = (await readdir(join(REPO_ROOT, 'infra/kafka/lib'))).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f));
    if (jar) kafka = jar.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '');
  } catch {
    // no local Kafka distribution: the broker came from elsewhere
  }
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: `PostgreSQL ${version}`,
    kafka: `Kafka ${kafka} (KRaft)`,
    load: os.loadavg(),
  };
}

/** Resident set size in bytes of a process (0 when it is gone). */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Every process's pid, parent and name. Read synchronously: /proc answers from memory, and the
 * sampler reads ~200 of these a second on the cores the system under test shares; a promise-based
 * read of each (open, stat, read, close on the thread pool) cost the driver about 1.5 % of a core.
 */
export async function processTable(): Promise<{ pid: number; ppid: number; comm: string }[]> {
  const rows: { pid: number; ppid: number; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      rows.push({ pid: Number(entry), ppid, comm });
    } catch {
      // gone meanwhile
    }
  }
  return rows;
}

/** `root` and all its descendants. */
export function descendants(table: readonly { pid: number; ppid: number }[], root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const row of table) if (row.ppid === out[i]) out.push(row.pid);
  return out;
}
