/**
 * The intake process: real adapters where the environment names them, in-memory
 * ones otherwise; the module's routes under `/intake`; graceful shutdown that
 * stops the consumer and relay before closing the bus, counters and store.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
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
import { loadIntakeConfig } from './config.ts';
import { createIntakeModule } from './module.ts';
import { intakeDepsFromConfig } from './wiring.ts';

const config = loadIntakeConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const { deps, closers } = intakeDepsFromConfig(config, {
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
});
const module = createIntakeModule(deps);

const app = await buildApp(appDeps, appOptionsFromConfig(config));
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/intake' });
await module.start();
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'intake-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    ...closers,
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info({ url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process', counters: config.REDIS_URL ? 'redis' : 'memory' }, 'intake listening');
