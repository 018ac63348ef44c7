/**
 * The catalog process: real adapters where the environment names them,
 * in-memory ones otherwise; the fixture catalog published at start (unless
 * CATALOG_PUBLISH_FIXTURES=false); routes under `/catalog`; graceful
 * shutdown stopping the relay and read models before the bus and the store.
 * Logs "catalog listening" with its URL once it serves.
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
import { FIXTURES_DIR, loadFixtureCatalog, loadSharedRecords, publishFixtureCatalog } from './app/fixture-catalog.ts';
import { loadCatalogConfig } from './config.ts';
import { createCatalogModule } from './module.ts';

const config = loadCatalogConfig();
const appDeps = await appDepsFromConfig(config);
const log = appDeps.logger;
const fixturesDir = config.CATALOG_FIXTURES_DIR ?? FIXTURES_DIR;

const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore();
const bus: MessageBus = config.KAFKA_BROKERS
  ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message, extra) => log[level]({ kafka: extra }, message) })
  : createInProcessBus();
const fixtures = config.CATALOG_PUBLISH_FIXTURES ? await loadFixtureCatalog(fixturesDir) : undefined;

const module = createCatalogModule({
  store,
  bus,
  clock: systemClock,
  logger: log,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  sharedRecords: fixtures?.sharedRecords ?? (await loadSharedRecords(fixturesDir)),
  ...(config.TOPIC_PREFIX !== '' && { topicFor: (topic: string) => `${config.TOPIC_PREFIX}${topic}` }),
});

const app = await buildApp(appDeps, { ...appOptionsFromConfig(config), description: 'Service items, versioned guides (办事指南), retained proofs and cross-level consistency' });
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/catalog' });
await module.start();
if (fixtures) {
  const result = await publishFixtureCatalog(module.commands, fixtures, { actor: { id: 'catalog-fixture-loader', role: 'system' }, correlationId: `catalog-start-${randomIds.next()}` });
  log.info({ published: result.published.length, unchanged: result.unchanged.length, proofsCatalogued: result.proofsCatalogued }, 'fixture catalog published');
}
const server = await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'catalog-module', close: () => module.stop() },
    { name: 'bus', close: () => bus.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
log.info({ url: server.url, store: config.DATABASE_URL ? 'postgres' : 'memory', bus: config.KAFKA_BROKERS ? 'kafka' : 'in-process' }, 'catalog listening');
