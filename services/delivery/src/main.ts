/** Runs the delivery service on its own: PostgreSQL event store, Kafka, SMTP, local SMS/voice provider. */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { appDepsFromConfig, appOptionsFromConfig, buildApp } from '@govsvc/service-kit/app';
import { listen, listenOptionsFromConfig } from '@govsvc/service-kit/listen';
import { createEd25519Signer } from './adapters/document-signer.ts';
import { createLocalProvider, LocalOutbox } from './adapters/local-provider.ts';
import { createSmtpEmailSender } from './adapters/smtp-email.ts';
import { loadDeliveryConfig } from './config.ts';
import { createDeliveryModule } from './module.ts';

const config = loadDeliveryConfig();
const appDeps = await appDepsFromConfig(config);
const app = await buildApp(appDeps, { ...appOptionsFromConfig(config), description: 'Notifications (Art. 17) and result delivery (Art. 18)' });
const store = await createPostgresEventStore({ connectionString: config.DATABASE_URL });
const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.SERVICE_NAME });
const outbox = new LocalOutbox();
const module = createDeliveryModule({
  store,
  bus,
  clock: systemClock,
  ids: randomIds,
  logger: appDeps.logger,
  calendar: await loadCalendar(),
  senders: {
    email: createSmtpEmailSender({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      ignoreTLS: config.SMTP_IGNORE_TLS,
      ...(config.SMTP_USER !== undefined && { user: config.SMTP_USER, password: config.SMTP_PASSWORD ?? '' }),
      from: config.SMTP_FROM,
    }),
    sms: createLocalProvider('sms', outbox, systemClock),
    phone: createLocalProvider('phone', outbox, systemClock),
  },
  signer: createEd25519Signer(config.DOCUMENT_SIGNING_KEY_ID, config.DOCUMENT_SIGNING_KEY_PEM),
  contactKeys: parseContactKeyring(config.APPLICANT_CONTACT_KEYS),
  outbox,
  ...(config.TOPIC_PREFIX !== undefined && {
    topicFor: (topic: string) => `${config.TOPIC_PREFIX}.${topic}`,
    names: { consumerGroup: `${config.TOPIC_PREFIX}.delivery` },
  }),
});
for (const check of module.readinessChecks) app.readiness.register(check);
await app.register(module.routes, { prefix: '/delivery' });
await module.start();
await listen(
  app,
  listenOptionsFromConfig(config, [
    { name: 'delivery-module', close: () => module.stop() },
    { name: 'kafka', close: () => bus.close() },
    { name: 'event-store', close: () => store.close() },
  ]),
);
