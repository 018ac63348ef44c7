/**
 * The evaluation process: real adapters where the environment names them,
 * in-memory ones otherwise; the module's routes under `/evaluation`; graceful
 * shutdown that stops the consumer, relay and projection before closing the
 * bus and the store. Logs `evaluation listening` once it accepts requests.
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
import { loadEvaluationConfig } from './config.ts';
import { createEvaluationModule } from './module.ts';

const config = loadEvaluationConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();

const module = createEvaluationModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  complaintLimitWorkingDays: config.COMPLAINT_LIMIT_WORKING_DAYS,
  topicFor: (topic) => `${config.TOPIC_PREFIX}${topic}`,
  consumerGroup: config.EVALUATION_CONSUMER_GROUP,
  projectionPollMs: config.PROJECTION_POLL_MS,
});

const app = await buildApp(appDeps, appOptionsFromConfig(config));
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/evaluation' });
await module.start();
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'evaluation-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info({ url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process' }, 'evaluation listening');
