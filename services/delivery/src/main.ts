/**
 * The delivery process: `@govsvc/service-host` opens the PostgreSQL store,
 * Kafka and the clock (delivery has no in-memory mode) and serves the module
 * under `/delivery`; this file adds delivery's own adapters: SMTP, the local
 * SMS/voice provider and the result-document signer.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { createEd25519Signer } from './adapters/document-signer.ts';
import { createLocalProvider, LocalOutbox } from './adapters/local-provider.ts';
import { createSmtpEmailSender } from './adapters/smtp-email.ts';
import { loadDeliveryConfig } from './config.ts';
import { createDeliveryModule } from './module.ts';

const config = loadDeliveryConfig();
const host = await openHost('delivery', config, { requireDurable: true });
const outbox = new LocalOutbox();
const module = createDeliveryModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
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
    sms: createLocalProvider('sms', outbox, host.clock),
    phone: createLocalProvider('phone', outbox, host.clock),
  },
  signer: createEd25519Signer(config.DOCUMENT_SIGNING_KEY_ID, config.DOCUMENT_SIGNING_KEY_PEM),
  contactKeys: parseContactKeyring(config.APPLICANT_CONTACT_KEYS),
  outbox,
  topicFor: host.topicFor,
  names: { consumerGroup: host.consumerGroup },
});
await serve(host, { module, description: 'Notifications (Art. 17) and result delivery (Art. 18)' });
