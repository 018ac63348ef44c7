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
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeKafka, type KafkaProbeSasl } from '../../../infra/kafka/probe.mjs';

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
  return kafkaAnswers(host, port, Math.max(timeoutMs, 2_000), saslFromEnv());
}

async function kafkaAnswers(host: string, port: number, timeoutMs: number, sasl?: KafkaProbeSasl): Promise<boolean> {
  try {
    await probeKafka({ host, port, timeoutMs, ...(sasl ? { sasl } : {}) });
    return true;
  } catch {
    return false;
  }
}

/** KAFKA_BROKERS may name a SASL/SCRAM broker; then KAFKA_SASL_* carry the login. */
function saslFromEnv(): KafkaProbeSasl | undefined {
  const username = process.env.KAFKA_SASL_USERNAME;
  if (!username) return undefined;
  return { mechanism: process.env.KAFKA_SASL_MECHANISM || 'scram-sha-512', username, password: process.env.KAFKA_SASL_PASSWORD ?? '' };
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

// ---------------------------------------------------------------- secure mode (issue 9)

/** A login the secure infrastructure accepts. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The authenticated Kafka (`infra/kafka/kafka.sh start --secure`): SASL/SCRAM
 * only, deny-by-default ACLs. `app` has the ACLs a service needs, `admin` is
 * a super user, `guest` can log in and do nothing.
 */
export interface SecureKafka {
  readonly brokers: string[];
  readonly mechanism: 'scram-sha-256' | 'scram-sha-512';
  readonly app: Credentials;
  readonly admin: Credentials;
  readonly guest: Credentials;
}

/** The Redis with ACL users (default user off) that `infra/local up --secure` runs on 127.0.0.1:6380. */
export interface SecureRedis {
  /** redis://user:password@host:port for each user: `app` without admin/dangerous commands, `admin` all, `guest` none. */
  readonly appUrl: string;
  readonly adminUrl: string;
  readonly guestUrl: string;
  /** The same host and port without credentials: connecting with it must be refused. */
  readonly anonymousUrl: string;
}

const secureKafkaCredentials = `${repoRoot}infra/kafka/.run/secure/credentials.env`;
const secureRedisCredentials = `${repoRoot}infra/.run/secure/redis.env`;
const SECURE_KAFKA = { host: '127.0.0.1', port: 9094 };
const SECURE_REDIS = { host: '127.0.0.1', port: 6380 };

function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function need(values: Record<string, string>, key: string, file: string): string {
  const v = values[key];
  if (!v) throw new Error(`${file} lacks ${key}; reset the secure infrastructure (infra/kafka/kafka.sh reset --secure).`);
  return v;
}

function startSecure(component: 'kafka' | 'redis'): void {
  // Both secure pieces come up together: `up --secure` ends by printing the connection environment of
  // the secure set, which needs the credentials of each (and the ACL Redis costs one small process).
  const result = spawnSync(process.execPath, [localScript, 'up', 'kafka', 'redis', '--secure'], { stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`infra/local could not start the secure ${component} (pnpm infra up ${component} --secure).`);
}

function readSecureKafka(): SecureKafka | undefined {
  const c = readEnvFile(secureKafkaCredentials);
  if (!c) return undefined;
  const f = secureKafkaCredentials;
  const mechanism = need(c, 'KAFKA_SASL_MECHANISM', f).toLowerCase();
  if (mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') throw new Error(`${f}: unexpected mechanism ${mechanism}`);
  return {
    brokers: [`${SECURE_KAFKA.host}:${SECURE_KAFKA.port}`],
    mechanism,
    app: { username: need(c, 'KAFKA_APP_USERNAME', f), password: need(c, 'KAFKA_APP_PASSWORD', f) },
    admin: { username: need(c, 'KAFKA_ADMIN_USERNAME', f), password: need(c, 'KAFKA_ADMIN_PASSWORD', f) },
    guest: { username: need(c, 'KAFKA_GUEST_USERNAME', f), password: need(c, 'KAFKA_GUEST_PASSWORD', f) },
  };
}

/** Finds (or starts, through infra/local) the secure Kafka and returns where it is and who may log in. */
export async function resolveSecureKafka(): Promise<SecureKafka> {
  const answersAsApp = async (k: SecureKafka | undefined) =>
    k !== undefined && kafkaAnswers(SECURE_KAFKA.host, SECURE_KAFKA.port, 3_000, { mechanism: k.mechanism, ...k.app });
  let kafka = readSecureKafka();
  if (!(await answersAsApp(kafka))) {
    startSecure('kafka');
    kafka = readSecureKafka();
    if (!(await answersAsApp(kafka))) throw new Error(`the secure Kafka was started but does not accept the app login at ${SECURE_KAFKA.host}:${SECURE_KAFKA.port}.`);
  }
  return kafka!;
}

/** Finds (or starts, through infra/local) the Redis with ACL users and returns a URL per user. */
export async function resolveSecureRedis(): Promise<SecureRedis> {
  const { host, port } = SECURE_REDIS;
  if (!(await answers(host, port)) || !existsSync(secureRedisCredentials)) startSecure('redis');
  const c = readEnvFile(secureRedisCredentials);
  if (!c) throw new Error(`the secure Redis was started but ${secureRedisCredentials} is missing.`);
  const f = secureRedisCredentials;
  const url = (user: string, pass: string) => `redis://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${host}:${port}`;
  return {
    appUrl: url(need(c, 'REDIS_APP_USERNAME', f), need(c, 'REDIS_APP_PASSWORD', f)),
    adminUrl: url(need(c, 'REDIS_ADMIN_USERNAME', f), need(c, 'REDIS_ADMIN_PASSWORD', f)),
    guestUrl: url(need(c, 'REDIS_GUEST_USERNAME', f), need(c, 'REDIS_GUEST_PASSWORD', f)),
    anonymousUrl: `redis://${host}:${port}`,
  };
}
