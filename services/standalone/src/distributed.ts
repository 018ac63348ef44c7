/**
 * The distributed run (`pnpm start:distributed`): the real PostgreSQL, Redis
 * and Kafka from `infra/local/local.mjs up`, and every service as its own
 * process (`node --import tsx src/main.ts` in its folder) on its own port (3101–3107, as in
 * docker-compose.yml), with its own log file, sharing the development keys
 * (one JWT issuer, one contact keyring, the seals' keys). It waits for every
 * `/health/ready`, prints the table, and stays in the foreground: Ctrl-C or
 * SIGTERM stops every service gracefully (SIGTERM, then SIGKILL after 30 s).
 *
 *   pnpm start:distributed                 start (foreground)
 *   pnpm start:distributed stop            stop the services a run recorded in .run/distributed.json
 *   pnpm start:distributed status          what the recorded run's services answer
 *
 * Options: --run-dir <dir> (default .run: logs, keys, mail, state), --schema <name> (PostgreSQL
 * schema holding the event store, default govsvc_dev), --port-base <n> (service i on n+i, default
 * 3100), --no-infra (do not run infra/local/local.mjs up), --only <a,b> (a subset of services),
 * --isolate <name> (topic prefix, consumer groups and Redis keys of their own, beside another run),
 * --clock controlled[@<instant>] | offset (every service's GOVSVC_CLOCK; `moveClocks` moves them together).
 * Infrastructure is left running on stop (other work uses it): `pnpm infra down` stops it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import { mintDevToken } from '@govsvc/service-kit/dev-tokens';
import { ensureIntegrationTopics } from '@govsvc/messaging/provisioning';
import { fileURLToPath } from 'node:url';
import { invocationDir, loadStandaloneConfig, REPO_ROOT, runnerEnvironment } from './config.ts';
import { startSmtpMailbox, type SmtpMailbox } from './mailbox.ts';
import { sealPublicKeys, SERVICES, STANDALONE_COLLABORATIONS } from './modules.ts';
import { loadSecrets, type StandaloneSecrets } from './secrets.ts';
import { assertPortsFree } from './ports.ts';

export interface DistributedOptions {
  readonly runDir: string;
  readonly schema: string;
  readonly portBase: number;
  readonly infra: boolean;
  readonly only: readonly string[] | null;
  /** Isolates this run on shared Kafka and Redis (tests, a second run beside a developer's): topics, consumer groups and Redis keys carry the name. */
  readonly isolate?: string;
  /**
   * Every service's clock (`GOVSVC_CLOCK`): `controlled` starts each at `start` and `moveClocks` moves them
   * together (a compressed day, an end-to-end test of deadlines); `offset` lets one be shifted (a wall-clock jump).
   */
  readonly clock?: { readonly mode: 'controlled'; readonly start: string } | { readonly mode: 'offset' };
  /**
   * Variables added to every service's environment (a bench's `RATE_LIMIT_ENABLED=false`, its `LOG_LEVEL`).
   * They override the runner's inherited ones (`LOG_LEVEL`), never what the runner sets per service.
   */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves once the service's output is all in its log file. */
  readonly logClosed: Promise<void>;
  readyAfterMs: number | null;
}

export interface DistributedRun {
  readonly services: readonly ServiceProcess[];
  readonly keysDir: string;
  readonly mailDir: string;
  readonly infraEnv: Readonly<Record<string, string>>;
  /**
   * Moves every service's clock by the same `POST /admin/clock` body (`{ advance }`, `{ set }` or `{ shift }`),
   * as an admin; resolves with each service's new instant. Controlled clocks move forward only.
   */
  moveClocks(body: ClockMove, only?: readonly string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export type ClockMove = { readonly advance: string } | { readonly set: string } | { readonly shift: string };

const STATE_FILE = 'distributed.json';
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 180_000;

/** `KEY=value` lines of `infra/local/local.mjs env` (honours DATABASE_URL, REDIS_URL, KAFKA_BROKERS when set). */
function infraEnvironment(): Record<string, string> {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'infra/local/local.mjs'), 'env'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`infra env failed: ${result.stderr}`);
  const env: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1');
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS']) if (!env[name]) throw new Error(`infra env printed no ${name}`);
  return env;
}

/** A connection string whose sessions use `schema` (created when missing): the run's event store lives there. */
async function schemaConnection(databaseUrl: string, schema: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`--schema: lowercase letters, digits and underscores only (${schema})`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * Topic prefix (which also names every consumer group: `@govsvc/service-host`) and Redis key prefix of a
 * service in an isolated run.
 */
function isolationEnvironment(name: string, isolate: string | undefined): Record<string, string> {
  if (!isolate) return {};
  return { TOPIC_PREFIX: `${isolate}.`, ...((name === 'intake' || name === 'supervision') && { REDIS_KEY_PREFIX: `${isolate}:${name}:` }) };
}

/** Each service's clock; a controlled one keeps its instant in the run folder, so a restarted service continues where time stood. */
function clockEnvironment(name: string, clock: DistributedOptions['clock'], runDir: string): Record<string, string> {
  if (!clock) return {};
  if (clock.mode === 'offset') return { GOVSVC_CLOCK: 'offset' };
  return { GOVSVC_CLOCK: 'controlled', GOVSVC_CLOCK_START: clock.start, GOVSVC_CLOCK_STATE_FILE: join(runDir, 'clock', `${name}.json`) };
}

/** Each service's own variables, from the shared secrets: what its config.ts reads. */
function serviceEnvironment(name: string, port: number, secrets: StandaloneSecrets): Record<string, string> {
  switch (name) {
    case 'intake':
      return {
        APPLICANT_CONTACT_KEYS: secrets.contactKeys,
        INTAKE_SEAL_KEYS: JSON.stringify(secrets.intakeSealKeys),
        INTAKE_COLLABORATIONS: JSON.stringify(STANDALONE_COLLABORATIONS),
      };
    case 'review':
      return { REVIEW_SEAL_KEYS: JSON.stringify(secrets.reviewSealKeys) };
    case 'delivery':
      return { APPLICANT_CONTACT_KEYS: secrets.contactKeys, DOCUMENT_SIGNING_KEY_PEM: secrets.documentSigningKeyPem, DOCUMENT_SIGNING_KEY_ID: 'delivery-dev' };
    case 'courier':
      return {
        APPLICANT_CONTACT_KEYS: secrets.contactKeys,
        CARRIER_SECRETS: [...secrets.carrierSecrets].map(([carrier, secret]) => `${carrier}:${secret}`).join(','),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        INSTANCE_ID: `courier-${port}`,
      };
    case 'supervision':
      return { SEAL_PUBLIC_KEYS: JSON.stringify(sealPublicKeys(secrets)), CONSOLE_SESSION_SECRET: secrets.consoleSecret };
    default:
      return {};
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL past the grace period. */
async function terminate(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Starts infrastructure (unless told not to) and every service; resolves once all are ready. */
export async function startDistributed(options: DistributedOptions): Promise<DistributedRun> {
  const { runDir, log } = options;
  await mkdir(join(runDir, 'logs'), { recursive: true });
  // Nothing in the run folder belongs in git: logs, generated keys, mail, pids.
  await writeFile(join(runDir, '.gitignore'), '*\n');
  if (options.infra) {
    log('infrastructure: node infra/local/local.mjs up');
    const up = spawnSync(process.execPath, [join(REPO_ROOT, 'infra/local/local.mjs'), 'up'], { stdio: 'inherit' });
    if (up.status !== 0) throw new Error('infra/local/local.mjs up failed');
  }
  const infraEnv = infraEnvironment();
  const databaseUrl = await schemaConnection(infraEnv.DATABASE_URL!, options.schema);
  // Every contract topic (and its dead-letter topic) exists before any service starts: services creating
  // the same new topics at the same moment race in the broker, and the loser fails its start.
  const admin = createKafkaBus({ brokers: infraEnv.KAFKA_BROKERS!.split(','), clientId: 'govsvc-distributed-runner' });
  try {
    await ensureIntegrationTopics(admin, options.isolate ? { topicFor: (topic) => `${options.isolate}.${topic}` } : {});
  } finally {
    await admin.close();
  }
  const { secrets } = await loadSecrets(loadStandaloneConfig({ NODE_ENV: 'development', GOVSVC_DATA_DIR: runDir }));
  const keysDir = join(runDir, 'keys');
  const mailDir = join(runDir, 'mail');
  const mailbox: SmtpMailbox = await startSmtpMailbox({ dir: mailDir, port: 0 });

  const selected = SERVICES.filter((s) => options.only === null || options.only.includes(s.name));
  await assertPortsFree(selected.map((entry) => ({ port: options.portBase + (entry.distributedPort - 3100), name: entry.name })));
  const services: ServiceProcess[] = selected.map((entry) => {
    const port = options.portBase + (entry.distributedPort - 3100);
    const logFile = join(runDir, 'logs', `${entry.name}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const serviceDir = join(REPO_ROOT, 'services', entry.name);
    // Node itself with tsx's loader, not the tsx command: the command relays a SIGTERM to its child and, when
    // the child does not confirm it within 30 ms (a loaded machine), sends another and then SIGKILL: a
    // graceful shutdown turned into a kill (the standalone restart test saw exit 143 under the full suite).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serviceDir,
      // Its own process group: a Ctrl-C in the terminal reaches this runner, which stops each service once, in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...runnerEnvironment(),
        ...options.extraEnv,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        SERVICE_NAME: entry.name,
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: infraEnv.KAFKA_BROKERS!,
        REDIS_URL: infraEnv.REDIS_URL!,
        JWT_ISSUER: 'govsvc-dev',
        JWT_ALGORITHMS: secrets.devJwt!.alg,
        JWT_PUBLIC_KEYS: JSON.stringify({ keys: [secrets.devJwt!.publicJwk] }),
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(mailbox.port),
        ...serviceEnvironment(entry.name, port, secrets),
        ...isolationEnvironment(entry.name, options.isolate),
        ...clockEnvironment(entry.name, options.clock, runDir),
      },
    });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    // The log is complete once the child's pipes closed and the file stream flushed: the runner waits for it on stop.
    const logClosed = new Promise<void>((resolveLog) => {
      out.once('close', () => resolveLog());
      child.once('close', () => out.end());
    });
    return { name: entry.name, port, url: `http://127.0.0.1:${port}`, logFile, child, logClosed, readyAfterMs: null };
  });
  await writeFile(join(runDir, STATE_FILE), `${JSON.stringify({ runner: process.pid, services: services.map((s) => ({ name: s.name, port: s.port, pid: s.child.pid, logFile: s.logFile })) }, null, 2)}\n`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Reverse start order, concurrently: each service drains and stops its own consumers and relay.
      await Promise.all([...services].reverse().map((s) => terminate(s.child)));
      await Promise.all(services.map((s) => s.logClosed));
      await mailbox.close();
      await rm(join(runDir, STATE_FILE), { force: true });
    })());

  const started = Date.now();
  const failures: string[] = [];
  await Promise.all(
    services.map(async (s) => {
      try {
        await waitReady(s.url, s.child, READY_TIMEOUT_MS);
        s.readyAfterMs = Date.now() - started;
        log(`  ${s.name.padEnd(12)} ready  ${s.url}  (${(s.readyAfterMs / 1000).toFixed(1)} s)`);
      } catch (error) {
        failures.push(`${s.name}: ${(error as Error).message}; see ${s.logFile}`);
      }
    }),
  );
  if (failures.length > 0) {
    await stop();
    throw new Error(`the distributed run did not come up:\n  ${failures.join('\n  ')}`);
  }
  const moveClocks = async (body: ClockMove, only?: readonly string[]) => {
    if (!secrets.devJwt) throw new Error('moveClocks needs the run to sign its own development tokens');
    const devJwt = secrets.devJwt;
    const moved: Record<string, string> = {};
    await Promise.all(
      services
        .filter((s) => !only || only.includes(s.name))
        .map(async (s) => {
          const token = await mintDevToken(devJwt, { issuer: 'govsvc-dev', audience: s.name, subject: 'distributed-runner', roles: ['admin'] });
          const response = await fetch(`${s.url}/admin/clock`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
          const reply = (await response.json()) as { now?: string; detail?: string };
          if (!response.ok || !reply.now) throw new Error(`${s.name}: moving its clock failed (${response.status}): ${reply.detail ?? JSON.stringify(reply)}`);
          moved[s.name] = reply.now;
        }),
    );
    return moved;
  };
  return { services, keysDir, mailDir, infraEnv, moveClocks, stop };
}

export function renderTable(run: DistributedRun, schema: string): string {
  const rows = run.services.map((s) => `  ${s.name.padEnd(12)} ${String(s.port).padEnd(6)} ${String(s.child.pid).padEnd(8)} ${s.url.padEnd(24)} ${s.logFile}`);
  const supervision = run.services.find((s) => s.name === 'supervision');
  return [
    '',
    'govsvc distributed run 分布式运行 · every service its own process',
    `  ${'service'.padEnd(12)} ${'port'.padEnd(6)} ${'pid'.padEnd(8)} ${'url'.padEnd(24)} log`,
    ...rows,
    '',
    `  event store PostgreSQL schema ${schema} · Kafka ${run.infraEnv.KAFKA_BROKERS} · Redis ${run.infraEnv.REDIS_URL} · mail ${run.mailDir}`,
    ...(supervision ? [`  operator console  ${supervision.url}/supervision/console`] : []),
    '  OpenAPI docs      <service url>/docs/json',
    `  tokens: pnpm --silent --filter @govsvc/service-kit mint-token --dir ${run.keysDir} --audience <service> --role <role>`,
    '  stop: Ctrl-C here, or pnpm start:distributed stop',
    '',
  ].join('\n');
}

interface RecordedRun {
  readonly runner: number;
  readonly services: readonly { readonly name: string; readonly port: number; readonly pid: number; readonly logFile: string }[];
}

async function recorded(runDir: string): Promise<RecordedRun | null> {
  try {
    return JSON.parse(await readFile(join(runDir, STATE_FILE), 'utf8')) as RecordedRun;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `stop`: the recorded run's runner is asked to stop (it stops its services); orphans are stopped directly. */
async function stopRecorded(runDir: string, log: (line: string) => void): Promise<number> {
  const run = await recorded(runDir);
  if (!run) {
    log('no distributed run is recorded in this run folder');
    return 0;
  }
  const targets = alive(run.runner) ? [run.runner] : run.services.map((s) => s.pid).filter(alive);
  for (const pid of targets) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS + 5_000;
  while ([run.runner, ...run.services.map((s) => s.pid)].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const left = run.services.filter((s) => alive(s.pid));
  for (const s of left) process.kill(s.pid, 'SIGKILL');
  await rm(join(runDir, STATE_FILE), { force: true });
  log(left.length === 0 ? 'stopped' : `stopped; killed ${left.map((s) => s.name).join(', ')} after the grace period`);
  return 0;
}

async function statusRecorded(runDir: string, log: (line: string) => void): Promise<number> {
  const run = await recorded(runDir);
  if (!run) {
    log('no distributed run is recorded in this run folder');
    return 1;
  }
  let down = 0;
  for (const s of run.services) {
    const ready = await fetch(`http://127.0.0.1:${s.port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (!ready) down++;
    log(`  ${s.name.padEnd(12)} ${String(s.port).padEnd(6)} ${ready ? 'ready' : 'NOT READY'}  ${s.logFile}`);
  }
  return down === 0 ? 0 : 1;
}

/** `--clock controlled[@<instant>]` or `--clock offset`. */
export function parseClockOption(text: string): NonNullable<DistributedOptions['clock']> {
  if (text === 'offset') return { mode: 'offset' };
  const match = /^controlled(?:@(.+))?$/.exec(text);
  if (!match) throw new Error(`--clock: controlled, controlled@<ISO instant> or offset (got ${text})`);
  const start = match[1] ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(start))) throw new Error(`--clock: ${start} is not an ISO 8601 instant`);
  return { mode: 'controlled', start };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'run-dir': { type: 'string', default: join(REPO_ROOT, '.run') },
      schema: { type: 'string', default: 'govsvc_dev' },
      'port-base': { type: 'string', default: '3100' },
      'no-infra': { type: 'boolean', default: false },
      only: { type: 'string' },
      isolate: { type: 'string' },
      clock: { type: 'string' },
    },
  });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runDir = resolve(invocationDir(), values['run-dir']);
  const command = positionals[0] ?? 'start';
  if (command === 'stop') return stopRecorded(runDir, log);
  if (command === 'status') return statusRecorded(runDir, log);
  if (command !== 'start') {
    process.stderr.write(`unknown command ${command}: start (default), stop, status\n`);
    return 2;
  }
  const existing = await recorded(runDir);
  if (existing && alive(existing.runner)) {
    process.stderr.write(`a distributed run (pid ${existing.runner}) already uses ${runDir}: pnpm start:distributed stop\n`);
    return 1;
  }
  const run = await startDistributed({
    runDir,
    schema: values.schema,
    portBase: Number(values['port-base']),
    infra: !values['no-infra'],
    only: values.only ? values.only.split(',').map((s) => s.trim()) : null,
    ...(values.isolate !== undefined && { isolate: values.isolate }),
    ...(values.clock !== undefined && { clock: parseClockOption(values.clock) }),
    log,
  });
  log(renderTable(run, values.schema));
  let stopping = false;
  for (const s of run.services) {
    s.child.once('exit', (code, signal) => {
      if (!stopping) log(`  ${s.name} exited unexpectedly (${code ?? signal}); its log: ${s.logFile}`);
    });
  }
  await new Promise<void>((resolveStop) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping every service …`);
      resolveStop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await run.stop();
  log('every service stopped');
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
