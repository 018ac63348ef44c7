/** The machine the figures were taken on: a benchmark without it means little. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { config } from './config.ts';

const run = promisify(execFile);

export interface Machine {
  readonly date: string;
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  readonly postgresSettings: Record<string, string>;
  /** fdatasync of one 8 kB write per second, from pg_test_fsync (null when it could not run). */
  readonly fdatasyncPerSecond: number | null;
  readonly fsyncReport: string;
  readonly loadAtStart: readonly number[];
}

export async function fingerprint(quick: boolean): Promise<Machine> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  const version = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
  const settings: Record<string, string> = {};
  for (const name of ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'commit_delay', 'shared_buffers', 'max_connections']) {
    settings[name] = (await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])).rows[0]!.v;
  }
  await client.end();
  const { rate, report } = await fdatasyncRate(quick ? 1 : 2);
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: version.split(' on ')[0] ?? version,
    postgresSettings: settings,
    fdatasyncPerSecond: rate,
    fsyncReport: report,
    loadAtStart: os.loadavg(),
  };
}

/**
 * pg_test_fsync on the disk the database lives on (same block device here: the test file goes
 * next to the WAL's filesystem root). The figure is the "fdatasync, one 8 kB write" line: what a
 * commit waits for with wal_sync_method = fdatasync.
 */
export async function fdatasyncRate(seconds: number): Promise<{ rate: number | null; report: string }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'govsvc-fsync-'));
  try {
    const { stdout } = await run(config.pgTestFsync, ['-s', String(seconds), '-f', join(dir, 'probe')], { timeout: 120_000 });
    const section = stdout.split('Compare file sync methods using one 8kB write')[1] ?? '';
    const line = section.split('\n').find((l) => /^\s*fdatasync\s/.test(l));
    const rate = line ? Number(line.trim().split(/\s+/)[1]) : null;
    return { rate: Number.isFinite(rate) ? rate : null, report: stdout };
  } catch (error) {
    return { rate: null, report: `pg_test_fsync did not run: ${(error as Error).message}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
