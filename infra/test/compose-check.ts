/**
 * Checks docker-compose.yml without a Docker engine: the rules a broken stack
 * would otherwise only reveal at `docker compose up` on someone else's
 * machine. `checkCompose` returns every problem as a sentence naming the
 * service; an empty list means the file passes.
 */
import { parse } from 'yaml';

/** What the checker knows about the repository around the compose file. */
export interface RepoFacts {
  /** Folders under services/ (each a deployable, except the all-in-one standalone). */
  readonly serviceFolders: readonly string[];
  /** Files that exist, relative to the repo root (the Dockerfile, …). */
  readonly files: ReadonlySet<string>;
  /** Text of each Dockerfile the compose file may reference, by path. */
  readonly dockerfiles: ReadonlyMap<string, string>;
}

/** Variables every app service reads (service kit config + its adapters). */
export const APP_ENV = [
  'SERVICE',
  'SERVICE_NAME',
  'PORT',
  'DATABASE_URL',
  'EVENTSTOREDB_CONNECTION_STRING',
  'KAFKA_BROKERS',
  'REDIS_URL',
  'JWT_ISSUER',
  'JWT_PUBLIC_KEYS',
] as const;

/** Ports infra/local uses on the host; the compose stack must leave them free so both can run. */
export const LOCAL_STACK_PORTS = [5432, 6379, 9092, 9093] as const;

/** Services in services/ that are not deployed on their own. */
const NOT_DEPLOYED = new Set(['standalone']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface HostPort {
  readonly ip: string | undefined;
  readonly host: number;
  readonly container: number;
}

/** Short syntax `[ip:]host:container[/proto]` or long syntax `{ published, target, host_ip }`. */
export function parsePort(entry: Json): HostPort | undefined {
  if (isObj(entry)) {
    const host = Number(entry.published);
    const container = Number(entry.target);
    if (!Number.isInteger(host) || !Number.isInteger(container)) return undefined;
    return { ip: typeof entry.host_ip === 'string' ? entry.host_ip : undefined, host, container };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return undefined;
  const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
  if (parts.length < 2) return undefined; // container port only: no host port published
  const container = Number(parts.at(-1));
  const host = Number(parts.at(-2));
  const ip = parts.length > 2 ? parts.slice(0, -2).join(':') : undefined;
  if (!Number.isInteger(host) || !Number.isInteger(container)) return undefined;
  return { ip, host, container };
}

/** `environment` as a map, whether written as a map or as `KEY=value` lines. */
function envOf(service: Obj): Map<string, string> {
  const env = service.environment;
  const out = new Map<string, string>();
  if (Array.isArray(env)) {
    for (const line of env) {
      if (typeof line !== 'string') continue;
      const at = line.indexOf('=');
      if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
    }
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) if (v !== null && v !== undefined) out.set(k, String(v));
  }
  return out;
}

/** Host names a connection setting points at (`kafka:9092,other:9092`, `postgres://u@host:5432/db`). */
function hostsIn(name: string, value: string): string[] {
  if (name === 'KAFKA_BROKERS') return value.split(',').map((b) => b.trim().split(':')[0] ?? '').filter(Boolean);
  try {
    // Compose interpolation (${VAR:-x}) may sit in the password; it does not touch the host.
    return [new URL(value.replace(/\$\{[^}]*\}/g, 'x')).hostname];
  } catch {
    return [];
  }
}

/** Stage names declared with `FROM … AS name`. */
export function dockerStages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^\s*FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase());
}

function healthcheckTest(service: Obj): string | undefined {
  const hc = service.healthcheck;
  if (!isObj(hc) || hc.disable === true) return undefined;
  const test = hc.test;
  if (typeof test === 'string') return test.trim() || undefined;
  if (Array.isArray(test) && test.length > 1 && test[0] !== 'NONE') return test.slice(1).join(' ');
  return undefined;
}

export function parseCompose(text: string): Obj {
  // merge: resolve `<<: *anchor` as docker compose does.
  const doc = parse(text, { merge: true }) as Json;
  if (!isObj(doc)) throw new Error('docker-compose.yml is not a mapping');
  return doc;
}

export function checkCompose(doc: Obj, repo: RepoFacts): string[] {
  const problems: string[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  const names = Object.keys(services);
  if (names.length === 0) return ['no services defined'];

  const published = new Map<number, string>();
  for (const name of names) {
    const service = services[name];
    if (!isObj(service)) {
      problems.push(`${name}: not a mapping`);
      continue;
    }
    const build = service.build;
    const image = service.image;
    if (build === undefined && (typeof image !== 'string' || image === '')) problems.push(`${name}: has neither build nor image`);
    if (typeof image === 'string' && build === undefined && !/:[^/]+$/.test(image)) {
      problems.push(`${name}: image ${image} has no tag (pin a version)`);
    }

    // depends_on: map form with a health condition, on services that have a healthcheck.
    const dependsOn = service.depends_on;
    if (Array.isArray(dependsOn)) {
      problems.push(`${name}: depends_on is a list, so it waits only for containers to start, not to be healthy`);
    } else if (isObj(dependsOn)) {
      for (const [dep, spec] of Object.entries(dependsOn)) {
        if (!(dep in services)) problems.push(`${name}: depends_on ${dep}, which is not a service`);
        if (!isObj(spec) || spec.condition !== 'service_healthy') {
          problems.push(`${name}: depends_on ${dep} without condition: service_healthy`);
        }
        const target = services[dep];
        if (isObj(target) && healthcheckTest(target) === undefined) {
          problems.push(`${name}: depends_on ${dep}, which has no healthcheck`);
        }
      }
    }

    // Host ports: distinct, loopback only, clear of the infra/local stack.
    const ports = Array.isArray(service.ports) ? service.ports : [];
    for (const entry of ports) {
      const port = parsePort(entry);
      if (!port) continue;
      const owner = published.get(port.host);
      if (owner) problems.push(`${name}: host port ${port.host} is already published by ${owner}`);
      else published.set(port.host, name);
      if (port.ip !== '127.0.0.1') problems.push(`${name}: host port ${port.host} is published on ${port.ip ?? 'all interfaces'}, not 127.0.0.1`);
      if ((LOCAL_STACK_PORTS as readonly number[]).includes(port.host)) {
        problems.push(`${name}: host port ${port.host} clashes with the infra/local stack`);
      }
    }

    if (build !== undefined) problems.push(...checkApp(name, service, services, repo));
  }

  // Every deployable in services/ is in the stack.
  for (const folder of repo.serviceFolders) {
    if (NOT_DEPLOYED.has(folder)) continue;
    const s = services[folder];
    if (!isObj(s) || s.build === undefined) problems.push(`services/${folder} has no compose service built from the Dockerfile`);
  }
  return problems;
}

function checkApp(name: string, service: Obj, services: Obj, repo: RepoFacts): string[] {
  const problems: string[] = [];
  const build = service.build;
  const context = typeof build === 'string' ? build : isObj(build) && typeof build.context === 'string' ? build.context : '.';
  const dockerfile = isObj(build) && typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  const path = `${context === '.' ? '' : `${context.replace(/\/$/, '')}/`}${dockerfile}`;
  const text = repo.dockerfiles.get(path);
  if (!repo.files.has(path) || text === undefined) {
    problems.push(`${name}: builds from ${path}, which does not exist`);
  } else if (isObj(build) && typeof build.target === 'string' && !dockerStages(text).includes(build.target.toLowerCase())) {
    problems.push(`${name}: build target ${build.target} is not a stage of ${path}`);
  }

  const env = envOf(service);
  for (const key of APP_ENV) {
    if (!env.get(key)) problems.push(`${name}: environment lacks ${key}`);
  }
  // The service verifies tokens for its own name as audience: it must be its compose name.
  if (env.get('SERVICE_NAME') && env.get('SERVICE_NAME') !== name) problems.push(`${name}: SERVICE_NAME is ${env.get('SERVICE_NAME')}`);
  const serviceVar = env.get('SERVICE');
  if (serviceVar && !repo.serviceFolders.includes(serviceVar)) problems.push(`${name}: SERVICE=${serviceVar} is not a folder in services/`);

  // Connection settings name services of this stack, and the app waits for them.
  const dependsOn = isObj(service.depends_on) ? service.depends_on : {};
  for (const key of ['DATABASE_URL', 'EVENTSTOREDB_CONNECTION_STRING', 'KAFKA_BROKERS', 'REDIS_URL']) {
    for (const host of hostsIn(key, env.get(key) ?? '')) {
      if (!(host in services)) problems.push(`${name}: ${key} points at ${host}, which is not a service`);
      else if (!(host in dependsOn)) problems.push(`${name}: ${key} uses ${host} but ${name} does not depend on it`);
    }
  }

  // Health: the readiness endpoint, on the port the service listens on, and that port published.
  const test = healthcheckTest(service);
  const port = env.get('PORT');
  if (!test) problems.push(`${name}: no healthcheck`);
  else if (!test.includes('/health/ready')) problems.push(`${name}: healthcheck does not probe /health/ready`);
  else if (port && !test.includes(`:${port}/health/ready`)) problems.push(`${name}: healthcheck does not probe PORT ${port}`);
  const ports = (Array.isArray(service.ports) ? service.ports : []).map(parsePort).filter((p) => p !== undefined);
  if (port && !ports.some((p) => p.container === Number(port))) problems.push(`${name}: container port ${port} is not published`);
  return problems;
}
