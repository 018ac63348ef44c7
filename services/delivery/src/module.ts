/**
 * The delivery service as a module (docs/architecture.md "One shape for every
 * service"): routes under `/delivery`, readiness, and start/stop of its relay
 * (own streams → contracts), its consumer (intake, review, courier contracts)
 * and its notification dispatcher.
 */
import type { FastifyPluginAsync } from 'fastify';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { topicOf } from '@govsvc/contracts/topics';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { ServiceModule } from '@govsvc/service-kit/module';
import type { Logger } from 'pino';
import type { DocumentSigner } from './adapters/document-signer.ts';
import type { LocalOutbox } from './adapters/local-provider.ts';
import type { NotificationSenders } from './app/channels.ts';
import { DELIVERY_CATEGORY } from './app/codec.ts';
import { createDeliveryConsumer, DELIVERY_CONSUMED_TOPICS } from './app/consumers.ts';
import { deliveryContractOf } from './app/contract-mapping.ts';
import { DeliveryService } from './app/delivery-service.ts';
import { Dispatcher } from './app/dispatcher.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './domain/commands.ts';
import { deliveryRoutes } from './http/routes.ts';

export interface DeliveryModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly senders: NotificationSenders;
  readonly signer: DocumentSigner;
  /** Opens the applicant contact intake sealed (contracts `sealed-contact.ts`). */
  readonly contactKeys: ContactKeyring;
  /** The local SMS/voice provider's outbox, when those channels use it. */
  readonly outbox?: LocalOutbox;
  readonly retry?: RetryPolicy;
  /** Consumer group and relay checkpoint names (tests isolate runs with a suffix). */
  readonly names?: { readonly consumerGroup?: string; readonly relay?: string };
  /** Actual topic of a contract topic (an environment prefix; tests isolate runs with it). Identity by default. */
  readonly topicFor?: (contractTopic: string) => string;
}

export type { ServiceModule };

export interface DeliveryModule extends ServiceModule {
  readonly service: DeliveryService;
  readonly dispatcher: Dispatcher;
  readonly relay: Relay;
}

export function createDeliveryModule(deps: DeliveryModuleDeps): DeliveryModule {
  const logger = deps.logger.child({ module: 'delivery' });
  const topicFor = deps.topicFor ?? ((topic: string) => topic);
  const service = new DeliveryService({ store: deps.store, clock: deps.clock, calendar: deps.calendar, signer: deps.signer, keyring: deps.contactKeys, retry: deps.retry ?? DEFAULT_RETRY });
  const dispatcher = new Dispatcher({ store: deps.store, clock: deps.clock, service, senders: deps.senders, keyring: deps.contactKeys, logger });
  const relay = createRelay({
    store: deps.store,
    bus: deps.bus,
    name: deps.names?.relay ?? 'delivery-relay',
    map: deliveryContractOf,
    filter: { categories: [DELIVERY_CATEGORY] },
    // A busy day's notices arrive a commit at a time: gather 50 ms of them per round.
    lingerMs: 50,
    topicFor,
    log: { warn: (d, m) => logger.warn(d, m), error: (d, m) => logger.error(d, m) },
  });
  let consumer: IntegrationEventConsumer | undefined;

  return {
    name: 'delivery',
    service,
    dispatcher,
    relay,
    routes: (async (app) =>
      deliveryRoutes(app as never, {
        service,
        outbox: deps.outbox ?? null,
        publicKeyPem: () => deps.signer.publicKeyPem(),
        today: () => shanghaiDateOf(deps.clock.now()),
      })) as FastifyPluginAsync,
    readinessChecks: [
      { name: 'delivery-event-store', check: async () => void (await deps.store.headPosition()) },
      // Not ready while the contract consumer is down (crashed and rejoining its group): contracts would silently stop arriving.
      { name: 'contract-consumer', check: async () => consumer?.readinessCheck().check() },
      {
        name: 'delivery-relay',
        check: async () => {
          if (relay.status().state === 'failed') throw new Error(`relay failed: ${relay.status().lastError ?? ''}`);
        },
      },
    ],
    async start() {
      await deps.bus.ensureTopics([topicOf('delivery'), ...DELIVERY_CONSUMED_TOPICS].map((topic) => ({ topic: topicFor(topic), partitions: 6 })));
      relay.start();
      await dispatcher.start();
      consumer = createDeliveryConsumer(deps.bus, service, logger, { groupId: deps.names?.consumerGroup, topicFor });
      await consumer.start();
      logger.info({}, 'delivery module started: relay, dispatcher and consumer running');
    },
    async stop() {
      await consumer?.stop();
      await dispatcher.stop();
      await relay.stop();
      for (const sender of Object.values(deps.senders)) await sender.close?.();
    },
  };
}
