/**
 * A PostgreSQL cluster of the run's own (`initdb` in the run folder, a free
 * port, trust auth on loopback): the `pg-restart` fault restarts it with
 * `pg_ctl restart -m immediate` (a crash: every connection cut, crash
 * recovery on start), which on the machine's cluster would break everyone
 * else's tests. The server runs as the `postgres` user when the harness runs
 * as root (PostgreSQL refuses root); its data folder is chowned to it.
 */
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Where `initdb` and `pg_ctl` are on this machine (Debian's PostgreSQL 15, linked into /usr/local/bin). */
const BIN = '/usr/local/bin';

export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl restart -m immediate`, waiting until it accepts connections again; resolves with the milliseconds it took. */
  restartImmediate(): Promise<number>;
  stop(): Promise<void>;
}

function asPostgres(command: string, args: readonly string[]): SpawnSyncReturns<string> {
  const root = userInfo().uid === 0;
  return root
    ? spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { encoding: 'utf8' })
    : spawnSync(join(BIN, command), args, { encoding: 'utf8' });
}

/** The same, without blocking the event loop: the workload keeps sending while the server restarts. */
async function asPostgresAsync(command: string, args: readonly string[]): Promise<void> {
  const root = userInfo().uid === 0;
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]] : [join(BIN, command), [...args]];
  try {
    await promisify(execFile)(file, argv, { encoding: 'utf8' });
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(`own PostgreSQL: ${command} ${args.at(-1)} failed (${String(e.code)}): ${`${e.stdout ?? ''}${e.stderr ?? ''}`.slice(-800)}`);
  }
}

function must(result: SpawnSyncReturns<string>, what: string): void {
  if (result.status !== 0) throw new Error(`own PostgreSQL: ${what} failed (${result.status}): ${`${result.stdout}${result.stderr}`.slice(-800)}`);
}

export async function startOwnPostgres(runDir: string, port: number): Promise<OwnPostgres> {
  // As root the server runs as `postgres`, which cannot reach a run folder below a private (0700) parent
  // such as a `mktemp -d` clone: the cluster then lives in a folder of its own under the system temp dir.
  const dir = userInfo().uid === 0 ? await mkdtemp(join(tmpdir(), 'govsvc-faults-pg-')) : runDir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (userInfo().uid === 0) {
    const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pg.stdout.trim()), Number(gid.stdout.trim()));
  }
  must(asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']), 'initdb');
  // Seven services, each with a few pools, plus the checker: more than the default 100 connections.
  // fsync stays on: the restart is a crash, and crash recovery is what the fault exercises.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB -c unix_socket_directories=${dir}`;
  const start = () => must(asPostgres('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']), 'pg_ctl start');
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restartImmediate() {
      const began = Date.now();
      await asPostgresAsync('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-m', 'immediate', '-w', '-t', '60', 'restart']);
      return Date.now() - began;
    },
    async stop() {
      asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      if (dir !== runDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
