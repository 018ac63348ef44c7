/** Runs the courier service on its own: PostgreSQL event store, Kafka, the local carrier for development. */
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { appDepsFromConfig, appOptionsFromConfig, buildApp } from '@govsvc/service-kit/app';
import { listen, listenOptionsFromConfig } from '@govsvc/service-kit/listen';
import { createLocalCarrier, DEFAULT_JOURNEY } from './adapters/local-carrier.ts';
import { createRedisReplayGuard } from './adapters/redis-replay-guard.ts';
import { loadCourierConfig } from './config.ts';
import { createCourierModule } from './module.ts';

const config = loadCourierConfig();
const appDeps = await appDepsFromConfig(config);
const app = await buildApp(appDeps, { ...appOptionsFromConfig(config), description: 'Two-way express delivery with tracking (Art. 19)' });
const store = await createPostgresEventStore({ connectionString: config.DATABASE_URL });
const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.SERVICE_NAME });
const localSecret = config.CARRIER_SECRETS.get('local');
const carriers = localSecret
  ? [
      createLocalCarrier({
        clock: systemClock,
        secret: localSecret,
        webhookUrl: () => `${config.PUBLIC_BASE_URL}/courier/carriers/local/webhook`,
        journey: DEFAULT_JOURNEY.map((step) => ({ ...step, afterMs: step.afterMs / config.LOCAL_CARRIER_TIME_SCALE })),
        log: (m, d) => appDeps.logger.warn(d, m),
      }),
    ]
  : [];
const replayGuard = config.REDIS_URL ? createRedisReplayGuard({ url: config.REDIS_URL }) : undefined;
const module = createCourierModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: appDeps.logger,
  carriers,
  defaultCarrier: config.DEFAULT_CARRIER,
  carrierSecrets: config.CARRIER_SECRETS,
  centreAddress: config.CENTRE_ADDRESS,
  centreId: config.CENTRE_ID,
  contactKeys: parseContactKeyring(config.APPLICANT_CONTACT_KEYS),
  webhookWindowMs: config.WEBHOOK_WINDOW_MS,
  instanceId: config.INSTANCE_ID,
  ...(replayGuard && { replayGuard }),
  ...(config.TOPIC_PREFIX !== undefined && {
    topicFor: (topic: string) => `${config.TOPIC_PREFIX}.${topic}`,
    names: { consumerGroup: `${config.TOPIC_PREFIX}.courier` },
  }),
});
for (const check of module.readinessChecks) app.readiness.register(check);
if (replayGuard) app.readiness.register({ name: 'redis-replay-guard', check: () => replayGuard.ping() });
await app.register(module.routes, { prefix: '/courier' });
await module.start();
await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'courier-module', close: () => module.stop() },
    { name: 'kafka', close: () => bus.close() },
    ...(replayGuard ? [{ name: 'redis', close: () => replayGuard.close() }] : []),
    { name: 'event-store', close: () => store.close() },
  ]),
);
