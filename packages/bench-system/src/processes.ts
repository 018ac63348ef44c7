/**
 * The processes under test, on the real PostgreSQL, Kafka and Redis with the
 * controlled clock: the distributed run (every service its own process,
 * started by the standalone package's `startDistributed`) or the standalone
 * process (every service module in one process); and the bare fastify
 * hello-world baseline. Each runs as a child of the bench with its own log;
 * all are stopped with SIGTERM at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startDistributed, type DistributedRun } from '@govsvc/standalone/distributed';
import { baseChildEnv, exportInfraEnv, REPO_ROOT, type BenchConfig } from './config.ts';

export interface Child {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface RunIdentity {
  /** e.g. `20261126t1040` */
  readonly id: string;
  readonly schema: string;
  /** The distributed run's `isolate`: its topics and consumer groups are `<isolate>.…`, its Redis keys `<isolate>:<service>:…`. */
  readonly isolate: string;
  readonly topicPrefix: string;
  readonly redisPrefix: string;
  readonly runDir: string;
  readonly databaseUrl: string;
}

/** The clock starts on a Monday inside the published calendar (the guided demo's week), at midnight in Beijing. */
export const DAY_START = '2026-10-19T00:00:00+08:00';

export async function runIdentity(config: BenchConfig): Promise<RunIdentity> {
  const id = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  const schema = `bench_system_${id}`;
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(config.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const runDir = join(REPO_ROOT, '.run', 'bench-system', id);
  await mkdir(runDir, { recursive: true });
  return { id, schema, isolate: `benchsys-${id}`, topicPrefix: `benchsys-${id}.`, redisPrefix: `benchsys:${id}:`, runDir, databaseUrl: url.toString() };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited(child);
  clearTimeout(timer);
}

async function waitFor(what: string, child: ChildProcess, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function spawnLogged(name: string, command: string, args: string[], cwd: string, env: Record<string, string>, logFile: string): ChildProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.once('exit', () => out.end());
  return child;
}

/** The standalone process on real PostgreSQL (own schema), Kafka (own topic prefix), Redis (own key prefix), controlled clock, no rate limit. */
export async function startStandalone(config: BenchConfig, run: RunIdentity, kafkaBrokers: string): Promise<Child> {
  const dir = join(REPO_ROOT, 'services', 'standalone');
  const logFile = join(run.runDir, 'standalone.log');
  const child = spawnLogged('standalone', join(dir, 'node_modules/.bin/tsx'), ['src/main.ts'], dir, {
    ...baseChildEnv(),
    NODE_ENV: 'development',
    LOG_LEVEL: config.logLevel,
    HOST: '127.0.0.1',
    PORT: String(config.port),
    GOVSVC_DATA_DIR: join(run.runDir, 'data'),
    GOVSVC_CLOCK: 'controlled',
    GOVSVC_CLOCK_START: DAY_START,
    DATABASE_URL: run.databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    KAFKA_CLIENT_ID: `bench-system-${run.id}`,
    REDIS_URL: config.redisUrl,
    REDIS_KEY_PREFIX: run.redisPrefix,
    TOPIC_PREFIX: run.topicPrefix,
    // A load generator is one principal sending thousands of requests a second: the per-principal limit would refuse it.
    RATE_LIMIT_ENABLED: 'false',
  }, logFile);
  const url = `http://127.0.0.1:${config.port}`;
  await waitFor('the standalone process', child, async () => (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok, 240_000);
  return { name: 'standalone', child, url, logFile, stop: () => terminate(child) };
}

export async function startHello(config: BenchConfig, run: RunIdentity): Promise<Child> {
  const dir = join(REPO_ROOT, 'packages', 'bench-system');
  const logFile = join(run.runDir, 'hello.log');
  const child = spawnLogged('hello', join(dir, 'node_modules/.bin/tsx'), ['src/hello-server.ts', String(config.helloPort)], dir, baseChildEnv(), logFile);
  const url = `http://127.0.0.1:${config.helloPort}`;
  await waitFor('hello-world', child, async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok, 60_000);
  return { name: 'hello', child, url, logFile, stop: () => terminate(child) };
}

/**
 * The distributed run: every service its own process on `portBase + n`, the run's own schema, topic and
 * consumer-group prefix and Redis keys, every clock controlled from the day's start. `infra: false`: the
 * bench found (or started) the infrastructure itself; `startDistributed` reads it from `infra/local/local.mjs
 * env`, which honours DATABASE_URL, REDIS_URL and KAFKA_BROKERS, so the bench sets those for it first.
 */
export async function startDistributedRun(config: BenchConfig, run: RunIdentity, kafkaBrokers: string, log: (line: string) => void): Promise<DistributedRun> {
  exportInfraEnv(config, kafkaBrokers);
  return startDistributed({
    runDir: join(run.runDir, 'distributed'),
    schema: run.schema,
    portBase: config.portBase,
    infra: false,
    only: null,
    isolate: run.isolate,
    clock: { mode: 'controlled', start: DAY_START },
    // A load generator is one principal sending thousands of requests a second: the per-principal limit would refuse it.
    extraEnv: { RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: config.logLevel, ...(await profilingEnv(config.profileServicesDir, config.profileSites)) },
    log,
  });
}

/** The environment that makes each service profile itself (`--profile-services`): none when not asked. */
async function profilingEnv(dir: string | null, sites: string | null): Promise<Record<string, string>> {
  if (dir === null) return {};
  await mkdir(dir, { recursive: true });
  return {
    NODE_OPTIONS: `--require ${join(REPO_ROOT, 'packages/bench-system/scripts/service-profile-preload.cjs')}`,
    GOVSVC_PROFILE_DIR: dir,
    // GOVSVC_PROFILE_SITES=<statement name> (e.g. govsvc_read_stream): where that statement is sent from, per service.
    ...(sites !== null && { GOVSVC_PROFILE_SITES: sites }),
  };
}
