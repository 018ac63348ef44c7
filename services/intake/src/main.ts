/**
 * The intake process: real adapters where the environment names them, in-memory
 * ones otherwise; the module's routes under `/intake`; graceful shutdown that
 * stops the consumer and relay before closing the bus, counters and store.
 */
import { randomBytes } from 'node:crypto';
import { loadCalendar } from '@govsvc/calendar/data-files';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
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
import { LocalDataSharing } from './app/data-sharing.ts';
import { createRedisSlotCounter } from './app/redis-slot-counter.ts';
import { ed25519SealSigner, generateSealKey } from './app/seal.ts';
import { InMemorySlotCounter, type SlotCounter } from './app/slot-counter.ts';
import { loadIntakeConfig } from './config.ts';
import { createIntakeModule } from './module.ts';

const config = loadIntakeConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const redisCounter = config.REDIS_URL ? createRedisSlotCounter({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }) : undefined;
const slotCounter: SlotCounter = redisCounter ?? new InMemorySlotCounter(systemClock);
const sealKeys = config.INTAKE_SEAL_KEYS ?? config.seals.map((s) => generateSealKey(`dev-${s.sealId}`, s.sealId));
if (!config.INTAKE_SEAL_KEYS) log.warn({ seals: sealKeys.length }, 'INTAKE_SEAL_KEYS not set: sealing with development keys generated at start');

const contactKeys = parseContactKeyring(config.APPLICANT_CONTACT_KEYS ?? `dev-${Date.now()}:${randomBytes(32).toString('base64')}`);
if (!config.APPLICANT_CONTACT_KEYS) log.warn({}, 'APPLICANT_CONTACT_KEYS not set: contacts are sealed with a key generated at start that delivery cannot open');

const module = createIntakeModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  centres: config.centres,
  seals: config.seals,
  signer: ed25519SealSigner(sealKeys),
  slotCounter,
  dataSharing: new LocalDataSharing(),
  contactKeys,
  collaborations: config.INTAKE_COLLABORATIONS,
  topicFor: (topic) => `${config.TOPIC_PREFIX}${topic}`,
  supplementWorkingDays: config.SUPPLEMENT_WORKING_DAYS,
  consumerGroupId: config.INTAKE_CONSUMER_GROUP,
  relaySubscriptionId: config.INTAKE_RELAY_SUBSCRIPTION,
  readinessChecks: redisCounter ? [{ name: 'redis', check: () => redisCounter.ping() }] : [],
});

const app = await buildApp(appDeps, appOptionsFromConfig(config));
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/intake' });
await module.start();
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'intake-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    { name: 'slot-counter', close: () => slotCounter.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info({ url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process', counters: redisCounter ? 'redis' : 'memory' }, 'intake listening');
