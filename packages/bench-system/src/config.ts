/**
 * The megacity-day bench's configuration: the one place that reads the
 * environment (infrastructure URLs as `node infra/local/local.mjs env` prints
 * them) and the command line.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A megacity's day: 250,000 cases, about 3 per second on average (issue 8). */
export const DAY_CASES = 250_000;
export const DAY_SECONDS = 86_400;

export interface BenchConfig {
  readonly cases: number;
  /** Offered arrival rate, cases per wall second (default: 20× the day's average rate). */
  readonly rate: number;
  /** How many times the day's average rate `rate` is. */
  readonly multiple: number;
  /** Journeys in flight at most (arrivals beyond it wait: reported as backlog). */
  readonly maxInFlight: number;
  /** Seconds per autocannon measurement. */
  readonly httpSeconds: number;
  readonly connections: number;
  /** Extra intake measurements at these connection counts (how the submission rate depends on concurrency). */
  readonly intakeConnections: readonly number[];
  readonly skipHttp: boolean;
  readonly skipDay: boolean;
  /**
   * Every service its own process (`startDistributed`, the default: what issue 8 asks) or every module in
   * the standalone process.
   */
  readonly topology: 'distributed' | 'standalone';
  /** A broker of the bench's own (see kafka-broker.ts) instead of the shared one (KAFKA_BROKERS). */
  readonly ownKafka: boolean;
  readonly ownKafkaPort: number;
  /** Append the results to docs/benchmarks.md and write the chart to docs/benchmarks/. */
  readonly write: boolean;
  /** The standalone process's port. */
  readonly port: number;
  readonly helloPort: number;
  /** The distributed run's services answer on portBase + 1 … portBase + 7 (their order in docker-compose.yml). */
  readonly portBase: number;
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly logLevel: string;
  /** `--profile-services <dir>`: each service of the distributed run writes a CPU profile and its SQL statement counts there (scripts/service-profile-preload.cjs). */
  readonly profileServicesDir: string | null;
  /** GOVSVC_PROFILE_SITES: with `profileServicesDir`, the statement whose call sites each service counts (diagnostics). */
  readonly profileSites: string | null;
}

export function loadBenchConfig(argv: readonly string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): BenchConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      cases: { type: 'string', default: String(DAY_CASES) },
      multiple: { type: 'string', default: '20' },
      rate: { type: 'string' },
      'max-in-flight': { type: 'string', default: '256' },
      'http-seconds': { type: 'string', default: '10' },
      connections: { type: 'string', default: '100' },
      'intake-connections': { type: 'string', default: '' },
      'skip-http': { type: 'boolean', default: false },
      'skip-day': { type: 'boolean', default: false },
      topology: { type: 'string', default: 'distributed' },
      'own-kafka': { type: 'boolean', default: false },
      // The default now (consumer groups carry the run's prefix): still accepted, so older command lines run.
      'shared-kafka': { type: 'boolean', default: false },
      'kafka-port': { type: 'string', default: '19092' },
      'no-write': { type: 'boolean', default: false },
      port: { type: 'string', default: '3950' },
      'hello-port': { type: 'string', default: '3951' },
      'port-base': { type: 'string', default: '3960' },
      'profile-services': { type: 'string' },
    },
  });
  if (values.topology !== 'distributed' && values.topology !== 'standalone') throw new Error(`--topology: distributed or standalone (${values.topology})`);
  if (values['own-kafka'] && values['shared-kafka']) throw new Error('--own-kafka and --shared-kafka: one or the other');
  const cases = Number(values.cases);
  const multiple = Number(values.multiple);
  if (!Number.isInteger(cases) || cases < 1) throw new Error(`--cases: a positive integer (${values.cases})`);
  const rate = values.rate !== undefined ? Number(values.rate) : (multiple * DAY_CASES) / DAY_SECONDS;
  return {
    cases,
    rate,
    multiple: values.rate !== undefined ? (rate * DAY_SECONDS) / DAY_CASES : multiple,
    maxInFlight: Number(values['max-in-flight']),
    httpSeconds: Number(values['http-seconds']),
    connections: Number(values.connections),
    intakeConnections: values['intake-connections'].split(',').filter((v) => v.trim() !== '').map(Number),
    skipHttp: values['skip-http'],
    skipDay: values['skip-day'],
    topology: values.topology,
    ownKafka: values['own-kafka'],
    ownKafkaPort: Number(values['kafka-port']),
    write: !values['no-write'],
    port: Number(values.port),
    helloPort: Number(values['hello-port']),
    portBase: Number(values['port-base']),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
    profileServicesDir: values['profile-services'] === undefined ? null : resolve(env.INIT_CWD ?? process.cwd(), values['profile-services']),
    profileSites: env.GOVSVC_PROFILE_SITES || null,
  };
}

/** What a child process gets from this one: where programs are and the home folder. */
export function baseChildEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return { PATH: env.PATH ?? '', HOME: env.HOME ?? '' };
}

/**
 * Makes this process's environment name the infrastructure the bench uses: `startDistributed` reads it
 * through `infra/local/local.mjs env` (which honours these variables), and the bench's own broker is not
 * the one that script would name.
 */
export function exportInfraEnv(config: BenchConfig, kafkaBrokers: string, env: Record<string, string | undefined> = process.env): void {
  env.DATABASE_URL = config.databaseUrl;
  env.REDIS_URL = config.redisUrl;
  env.KAFKA_BROKERS = kafkaBrokers;
}

/** What the focused hot-path measurement (`src/hot-paths.ts`) takes from the environment. */
export function hotPathsEnv(env: Record<string, string | undefined> = process.env): {
  databaseUrl: string;
  childEnv: Record<string, string>;
  keepSchema: boolean;
  intakeNodeOptions: string | undefined;
} {
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    // HOT_PATHS_NODE_OPTIONS: Node options for the intake process alone (a heap-sampling preload, say).
    intakeNodeOptions: env.HOT_PATHS_NODE_OPTIONS || undefined,
    // HOT_PATHS_KEEP_SCHEMA=1: the run's schema stays, to look at what was stored (event sizes, counts).
    keepSchema: Boolean(env.HOT_PATHS_KEEP_SCHEMA),
    // HOT_PATHS_POOL, HOT_PATHS_APPEND_CONCURRENCY: passed on to the intake process (its store's pool and commit slots);
    // GOVSVC_PROFILE_SITES too, for `--profile` (where in intake a statement is sent from).
    childEnv: {
      ...baseChildEnv(env),
      ...Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => (e[0].startsWith('HOT_PATHS_') || e[0] === 'GOVSVC_PROFILE_SITES') && e[1] !== undefined)),
    },
  };
}
