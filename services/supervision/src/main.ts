/**
 * The supervision process: real adapters where the environment names them,
 * in-memory ones otherwise; the module's routes under `/supervision`; on the
 * wall clock. Graceful shutdown stops the scheduler, consumer, relay and
 * projections before closing the bus, Redis and the store.
 */
import { loadSchedules } from '@govsvc/calendar/data-files';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { appDepsFromConfig, appOptionsFromConfig, buildApp } from '@govsvc/service-kit/app';
import { listen, listenOptionsFromConfig } from '@govsvc/service-kit/listen';
import { createRedisCaseTimeline } from './adapters/redis-case-timeline.ts';
import { createRedisDeadlineIndex } from './adapters/redis-deadline-index.ts';
import { createMemoryCaseTimeline } from './app/case-timeline.ts';
import { createMemoryDeadlineIndex } from './app/deadline-index.ts';
import { loadSupervisionConfig } from './config.ts';
import { createSupervisionModule } from './module.ts';

const config = loadSupervisionConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const redisIndex = config.REDIS_URL ? createRedisDeadlineIndex({ url: config.REDIS_URL, prefix: `${config.REDIS_KEY_PREFIX}dl:` }) : undefined;
const index = redisIndex ?? createMemoryDeadlineIndex();
const timeline = config.REDIS_URL ? createRedisCaseTimeline({ url: config.REDIS_URL, prefix: config.REDIS_KEY_PREFIX }) : createMemoryCaseTimeline();
if (!config.SEAL_PUBLIC_KEYS) log.warn('SEAL_PUBLIC_KEYS not set: sealed documents will be reported as unverifiable');

const module = createSupervisionModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: log,
  schedules: await loadSchedules(config.CALENDAR_DATA_DIR),
  index,
  timeline,
  warning: { minUnits: config.WARNING_MIN_UNITS, fraction: config.WARNING_FRACTION },
  consumerGroupId: config.SUPERVISION_CONSUMER_GROUP,
  scheduler: { batchSize: config.SCHEDULER_BATCH_SIZE, concurrency: config.SCHEDULER_CONCURRENCY },
  ...(config.SEAL_PUBLIC_KEYS ? { sealKeys: config.SEAL_PUBLIC_KEYS } : {}),
  ...(config.CONSOLE_SESSION_SECRET ? { consoleSecret: config.CONSOLE_SESSION_SECRET } : {}),
  readinessChecks: redisIndex ? [{ name: 'redis', check: () => redisIndex.ping() }] : [],
});

const app = await buildApp(appDeps, appOptionsFromConfig(config));
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/supervision' });
await module.start();
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'supervision-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    { name: 'deadline-index', close: () => index.close() },
    { name: 'case-timeline', close: () => timeline.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info(
  { url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process', index: redisIndex ? 'redis' : 'memory' },
  'supervision listening',
);
