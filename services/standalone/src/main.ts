/**
 * The standalone process (`pnpm start`): every service module on one fastify
 * app, one port, one event store, one bus, one clock.
 *
 * Adapters by environment, as in every service: DATABASE_URL → PostgreSQL,
 * KAFKA_BROKERS → Kafka, REDIS_URL → Redis; otherwise the embedded PGlite
 * store in `<data>/eventstore`, the in-process bus and in-memory stand-ins.
 * Graceful shutdown on SIGTERM/SIGINT: HTTP drains, then the modules stop
 * (reverse start order), then their adapters, the bus and the store close.
 * Logs "standalone listening" with its URL once it serves, then prints the
 * banner (where everything is, dev tokens).
 */
import { join } from 'node:path';
import { loadCalendar, loadSchedules } from '@govsvc/calendar/data-files';
import { createEmbeddedEventStore } from '@govsvc/eventstore/pglite/embedded-event-store';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import { randomIds } from '@govsvc/runtime/ids';
import { appDepsFromConfig, buildApp } from '@govsvc/service-kit/app';
import type { BaseConfig } from '@govsvc/service-kit/config';
import { clockRoutes, createProcessClock } from '@govsvc/service-host/process-clock';
import { listen } from '@govsvc/service-kit/listen';
import { mountModules, startModules, stopModules, type ServiceModule } from '@govsvc/service-kit/module';
import type { Closer } from '@govsvc/service-kit/shutdown';
import { mintRoleTokens, renderBanner } from './banner.ts';
import { loadStandaloneConfig } from './config.ts';
import { claimDataDir } from './data-dir.ts';
import { indexRoute } from './index-route.ts';
import { SERVICES, type ComposedModule, type CompositionContext } from './modules.ts';
import { loadSecrets } from './secrets.ts';

const config = loadStandaloneConfig();
const dataDir = config.GOVSVC_DATA_DIR;
const lock = await claimDataDir(dataDir);
const { secrets, generated } = await loadSecrets(config);

const issuer = config.JWT_ISSUER ?? 'govsvc-dev';
const jwks = config.JWT_PUBLIC_KEYS ?? { keys: [secrets.devJwt!.publicJwk] };
const baseConfig: BaseConfig = { ...config, JWT_ISSUER: issuer, JWT_PUBLIC_KEYS: jwks };
const appDeps = await appDepsFromConfig(baseConfig);
const log = appDeps.logger;
for (const file of generated) log.warn({ file }, 'development key material generated (never used in production)');

const store: EventStore = config.DATABASE_URL
  ? await createPostgresEventStore({ connectionString: config.DATABASE_URL })
  : await createEmbeddedEventStore({ dataDir: join(dataDir, 'eventstore') });
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const time = await createProcessClock({
  mode: config.GOVSVC_CLOCK,
  stateFile: join(dataDir, 'clock.json'),
  ...(config.GOVSVC_CLOCK_START !== undefined && { start: config.GOVSVC_CLOCK_START }),
});
const mailDir = join(dataDir, 'mail');

// The public URL is known once listening; the local carrier reads it lazily for its webhooks.
let publicUrl = config.PUBLIC_BASE_URL ?? '';
const context: CompositionContext = {
  store,
  bus,
  clock: time.clock,
  ids: randomIds,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  schedules: await loadSchedules(config.CALENDAR_DATA_DIR),
  secrets,
  topicFor: (topic) => `${config.TOPIC_PREFIX}${topic}`,
  consumerGroupFor: (service) => `${config.TOPIC_PREFIX}${service}`,
  redis: config.REDIS_URL ? { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX } : null,
  mail: config.SMTP_HOST ? { kind: 'smtp', host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.SMTP_FROM } : { kind: 'mailbox', dir: mailDir, from: config.SMTP_FROM },
  publishFixtures: config.CATALOG_PUBLISH_FIXTURES,
  publicUrl: () => publicUrl,
};

const composed: { name: string; composed: ComposedModule }[] = [];
for (const entry of SERVICES) composed.push({ name: entry.name, composed: await entry.create(context) });
const modules: ServiceModule[] = composed.map((c) => c.composed.module);

const app = await buildApp(appDeps, {
  serviceName: config.SERVICE_NAME,
  version: config.SERVICE_VERSION,
  description: `Every govsvc service in one process: ${modules.map((m) => m.name).join(', ')}`,
  readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
});
// The kit's OpenAPI transform reads `schema.hide` of every role-protected route and fails the whole
// /docs/json on a route declared without a schema (delivery's `/outbox`): give those an empty one.
app.addHook('onRoute', (route) => {
  route.schema ??= {};
});
await app.register(clockRoutes(time, 'standalone'));
await mountModules(app, modules);
await startModules(modules);
for (const { composed: c } of composed) await c.afterStart?.();

const closers: Closer[] = [
  { name: 'modules', close: () => stopModules(modules) },
  ...composed.flatMap((c) => c.composed.closers),
  { name: 'bus', close: () => bus.close() },
  { name: 'event-store', close: () => store.close() },
  { name: 'data-dir-lock', close: () => lock.release() },
];
await app.register(indexRoute(() => publicUrl, composed.map((c) => ({ name: c.name, links: c.composed.links }))));
const server = await listen(app, { host: config.HOST, port: config.PORT, drainTimeoutMs: config.SHUTDOWN_DRAIN_MS, closers });
publicUrl = config.PUBLIC_BASE_URL ?? server.url;

const adapters = {
  store: config.DATABASE_URL ? 'postgres' : 'pglite',
  bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process',
  redis: config.REDIS_URL ? 'redis' : 'memory',
  mail: config.SMTP_HOST ? 'smtp' : 'mailbox',
};
log.info({ url: publicUrl, services: modules.map((m) => m.name), ...adapters, clock: time.mode }, 'standalone listening');

const audience = config.JWT_AUDIENCE ?? config.SERVICE_NAME;
process.stdout.write(
  renderBanner({
    url: publicUrl,
    services: composed.map((c) => ({ name: c.name, links: c.composed.links })),
    adapters: { ...adapters, mail: config.SMTP_HOST ? `smtp ${config.SMTP_HOST}:${config.SMTP_PORT}` : `mailbox ${mailDir}` },
    clock: { mode: time.mode, now: time.clock.now().toISOString() },
    dataDir,
    generated,
    tokens: secrets.devJwt ? await mintRoleTokens(secrets.devJwt, { issuer, audience, ttlSeconds: config.GOVSVC_DEV_TOKEN_TTL_SECONDS }) : null,
    audience,
    issuer,
  }),
);
