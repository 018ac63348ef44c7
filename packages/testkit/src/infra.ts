/**
 * Finds the real infrastructure a test run talks to, in the order the
 * foundation issue sets: environment variables first, then servers already
 * answering on their standard localhost ports, then the project's own local
 * scripts (infra/). testcontainers is the step between those two wherever a
 * Docker engine answers; none does on this project's machines, so the step
 * reports itself as skipped instead of pulling a dependency that cannot run.
 */
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeKafka } from '../../../infra/kafka/probe.mjs';

export interface Infra {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string[];
}

export type Component = 'postgres' | 'redis' | 'kafka';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const localScript = `${repoRoot}infra/local/local.mjs`;

const defaults = {
  postgres: { env: 'DATABASE_URL', url: 'postgres://postgres@127.0.0.1:5432/test', host: '127.0.0.1', port: 5432 },
  redis: { env: 'REDIS_URL', url: 'redis://127.0.0.1:6379', host: '127.0.0.1', port: 6379 },
  kafka: { env: 'KAFKA_BROKERS', url: '127.0.0.1:9092', host: '127.0.0.1', port: 9092 },
} as const;

/** Resolves true when a TCP connection to host:port opens within `timeoutMs`. */
export function answers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Kafka's port opens a moment before the broker serves clients, and another
 * suite may be starting it right now: for Kafka, "answers" means a metadata
 * request succeeds (the same dependency-free probe infra/kafka/kafka.sh uses).
 */
async function componentAnswers(component: Component, host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  if (component !== 'kafka') return answers(host, port, timeoutMs);
  try {
    await probeKafka({ host, port, timeoutMs: Math.max(timeoutMs, 2_000) });
    return true;
  } catch {
    return false;
  }
}

function hostPortOf(component: Component, value: string): { host: string; port: number } {
  if (component === 'kafka') {
    const [first] = value.split(',');
    const [host, port] = (first ?? '').trim().split(':');
    return { host: host || '127.0.0.1', port: Number(port) || 9092 };
  }
  const url = new URL(value);
  return { host: url.hostname, port: Number(url.port) || defaults[component].port };
}

function dockerEngineAnswers(): boolean {
  if (!existsSync('/var/run/docker.sock')) return false;
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
  return probe.status === 0;
}

function startWithLocalScripts(component: Component): void {
  // Generous: the first Kafka start fetches the broker's jars with Maven, and
  // a second suite may wait here on infra/kafka's start lock (which is what
  // keeps two parallel suites from starting two brokers).
  const result = spawnSync(process.execPath, [localScript, 'up', component], { stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) {
    throw new Error(
      `${component} is not reachable and infra/local could not start it. ` +
        `Start it yourself (pnpm infra up ${component}) or set ${defaults[component].env}.`,
    );
  }
}

/** Resolves one component to a connection string, starting it when nothing answers. */
export async function resolveComponent(component: Component): Promise<string> {
  const fromEnv = process.env[defaults[component].env];
  if (fromEnv) {
    const { host, port } = hostPortOf(component, fromEnv);
    if (!(await componentAnswers(component, host, port))) {
      throw new Error(`${defaults[component].env}=${fromEnv} is set but nothing answers at ${host}:${port}.`);
    }
    return fromEnv;
  }
  const { host, port, url } = defaults[component];
  if (await componentAnswers(component, host, port)) return url;
  if (dockerEngineAnswers()) {
    // A Docker engine exists: the distributed stack (docker-compose.yml) is the way to run it there.
    throw new Error(`${component} is not running; a Docker engine answers: run docker compose up ${component} or set ${defaults[component].env}.`);
  }
  startWithLocalScripts(component);
  if (await componentAnswers(component, host, port, 5_000)) return url;
  throw new Error(`${component} was started by infra/local but does not answer at ${host}:${port}.`);
}

/** Resolves the given components (all three by default) and exports them as env vars for workers. */
export async function resolveInfra(components: readonly Component[] = ['postgres', 'redis', 'kafka']): Promise<Infra> {
  const found: Partial<Record<Component, string>> = {};
  for (const component of components) {
    found[component] = await resolveComponent(component);
    process.env[defaults[component].env] = found[component];
  }
  return {
    databaseUrl: found.postgres ?? process.env.DATABASE_URL ?? defaults.postgres.url,
    redisUrl: found.redis ?? process.env.REDIS_URL ?? defaults.redis.url,
    kafkaBrokers: (found.kafka ?? process.env.KAFKA_BROKERS ?? defaults.kafka.url).split(',').map((b) => b.trim()),
  };
}
