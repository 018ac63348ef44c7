import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCompose, dockerStages, parseCompose, parsePort, type RepoFacts } from './compose-check.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const composeText = read('docker-compose.yml');
const dockerfileText = existsSync(new URL('Dockerfile', root)) ? read('Dockerfile') : undefined;

const serviceFolders = readdirSync(new URL('services/', root)).filter((d) => statSync(new URL(`services/${d}`, root)).isDirectory());
const facts: RepoFacts = {
  serviceFolders,
  files: new Set(dockerfileText === undefined ? [] : ['Dockerfile']),
  dockerfiles: new Map(dockerfileText === undefined ? [] : [['Dockerfile', dockerfileText]]),
};

type Doc = ReturnType<typeof parseCompose>;
type Obj = Record<string, unknown>;

/** A fresh copy of the real compose document with one thing broken by `edit`. */
function broken(edit: (services: Record<string, Obj>) => void): Doc {
  const doc = structuredClone(parseCompose(composeText));
  edit(doc.services as unknown as Record<string, Obj>);
  return doc;
}

describe('docker-compose.yml', () => {
  it('passes every check: build or image, env, health-gated depends_on, healthchecks, ports, Dockerfile', () => {
    expect(checkCompose(parseCompose(composeText), facts)).toEqual([]);
  });

  it('runs Kafka, EventStoreDB, PostgreSQL, Redis and every deployable service', () => {
    const services = Object.keys(parseCompose(composeText).services as Obj);
    expect(services).toEqual(expect.arrayContaining(['kafka', 'eventstoredb', 'postgres', 'redis']));
    for (const name of ['catalog', 'intake', 'review', 'delivery', 'courier', 'evaluation', 'supervision']) {
      expect(services).toContain(name);
    }
  });

  it('runs the Kafka version that infra/kafka fetches (ADR 0001)', () => {
    const pomVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('infra/kafka/pom.xml'))?.[1];
    const kafka = (parseCompose(composeText).services as Record<string, Obj>).kafka;
    expect(pomVersion).toBeDefined();
    expect(kafka?.image).toBe(`apache/kafka:${pomVersion}`);
  });
});

describe('the compose check catches a broken stack', () => {
  const cases: Array<[string, (s: Record<string, Obj>) => void, RegExp]> = [
    ['a service with neither build nor image', (s) => { delete s.redis!.image; }, /redis: has neither build nor image/],
    ['an unpinned image', (s) => { s.redis!.image = 'redis'; }, /redis: image redis has no tag/],
    ['depends_on as a list (no health gate)', (s) => { s.intake!.depends_on = ['postgres']; }, /intake: depends_on is a list/],
    ['depends_on waiting only for the start', (s) => { (s.review!.depends_on as Obj).kafka = { condition: 'service_started' }; }, /review: depends_on kafka without condition: service_healthy/],
    ['depends_on a service that does not exist', (s) => { (s.courier!.depends_on as Obj).mailer = { condition: 'service_healthy' }; }, /courier: depends_on mailer, which is not a service/],
    ['a depended-on service without healthcheck', (s) => { delete s.postgres!.healthcheck; }, /depends_on postgres, which has no healthcheck/],
    ['a missing variable', (s) => { delete (s.delivery!.environment as Obj).JWT_PUBLIC_KEYS; }, /delivery: environment lacks JWT_PUBLIC_KEYS/],
    ['a SERVICE_NAME that is not the service (wrong token audience)', (s) => { (s.evaluation!.environment as Obj).SERVICE_NAME = 'intake'; }, /evaluation: SERVICE_NAME is intake/],
    ['a connection string to a host that is not in the stack', (s) => { (s.catalog!.environment as Obj).REDIS_URL = 'redis://cache:6379'; }, /catalog: REDIS_URL points at cache, which is not a service/],
    ['a clash of host ports', (s) => { s.intake!.ports = ['127.0.0.1:3101:3000']; }, /host port 3101 is already published by catalog/],
    ['a port published on every interface', (s) => { s.supervision!.ports = ['3107:3000']; }, /supervision: host port 3107 is published on all interfaces/],
    ['a port the infra/local stack uses', (s) => { s.postgres!.ports = ['127.0.0.1:5432:5432']; }, /postgres: host port 5432 clashes with the infra\/local stack/],
    ['a healthcheck that is not the readiness endpoint', (s) => { s.review!.healthcheck = { test: ['CMD', 'true'] }; }, /review: healthcheck does not probe \/health\/ready/],
    ['a build target the Dockerfile lacks', (s) => { (s.catalog!.build as Obj).target = 'prod'; }, /catalog: build target prod is not a stage of Dockerfile/],
    ['a Dockerfile that does not exist', (s) => { (s.catalog!.build as Obj).dockerfile = 'services/catalog/Dockerfile'; }, /catalog: builds from services\/catalog\/Dockerfile, which does not exist/],
    ['a deployable service left out of the stack', (s) => { delete s.courier; }, /services\/courier has no compose service/],
  ];

  for (const [what, edit, expected] of cases) {
    it(`reports ${what}`, () => {
      const problems = checkCompose(broken(edit), facts);
      expect(problems.join('\n')).toMatch(expected);
    });
  }

  it('reads both port syntaxes', () => {
    expect(parsePort('127.0.0.1:3101:3000')).toEqual({ ip: '127.0.0.1', host: 3101, container: 3000 });
    expect(parsePort('8080:80/tcp')).toEqual({ ip: undefined, host: 8080, container: 80 });
    expect(parsePort({ published: '2113', target: 2113, host_ip: '127.0.0.1' })).toEqual({ ip: '127.0.0.1', host: 2113, container: 2113 });
    expect(parsePort('3000')).toBeUndefined();
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('exists, with the runtime stage compose builds', () => {
    expect(dockerfileText).toBeDefined();
    expect(dockerStages(dockerfileText!)).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
  });

  it('installs the pinned package manager and exactly the lockfile', () => {
    const pinned = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager;
    expect(pinned).toMatch(/^pnpm@/);
    expect(dockerfileText).toContain(`PNPM_VERSION=${pinned.slice('pnpm@'.length)}`);
    expect(dockerfileText).toMatch(/pnpm fetch --frozen-lockfile/);
    expect(dockerfileText).toMatch(/pnpm install --offline --frozen-lockfile/);
  });

  it('starts the service named by SERVICE through its package start script', () => {
    expect(dockerfileText).toMatch(/pnpm --filter \\"@govsvc\/\$\{SERVICE[^}]*\}\\" start/);
  });

  it('copies only files that exist', () => {
    const sources = [...dockerfileText!.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(new URL(source, root)), source).toBe(true);
  });

  it('keeps dependencies, git history and local broker state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', 'infra/kafka/lib', 'infra/kafka/.run', 'infra/.run', '.env']));
  });
});
