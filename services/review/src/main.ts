/**
 * The review process: real adapters where the environment names them,
 * in-memory ones otherwise; routes under `/review`; graceful shutdown that
 * stops consumer, issuer and relay before closing the bus and the store.
 * Logs "review listening" with its URL once it serves (process supervisors
 * and the end-to-end harness wait for that line).
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
import { ed25519SealSigner, generateSealKeySet } from './app/seal-signer.ts';
import { loadReviewConfig } from './config.ts';
import { createReviewModule } from './module.ts';

const config = loadReviewConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const sealKeys = config.REVIEW_SEAL_KEYS ?? generateSealKeySet();
if (!config.REVIEW_SEAL_KEYS) log.warn({ sealId: sealKeys.sealId }, 'REVIEW_SEAL_KEYS not set: sealing with a development key generated at start');

const module = createReviewModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  seal: ed25519SealSigner(sealKeys),
  consumerGroup: config.REVIEW_CONSUMER_GROUP,
  ...(config.TOPIC_PREFIX !== '' && { topicFor: (topic: string) => `${config.TOPIC_PREFIX}${topic}` }),
});

const app = await buildApp(appDeps, appOptionsFromConfig(config));
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/review' });
await module.start();
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'review-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info({ url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process' }, 'review listening');
