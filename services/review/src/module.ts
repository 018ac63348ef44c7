/**
 * The review service as a module (docs/architecture.md "One shape for every
 * service"): routes mounted under `/review`, readiness checks, and start/stop
 * of its relay, its consumer and its licence issuer.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { BusSubscription, MessageBus } from '@govsvc/messaging/bus';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import type { Logger } from 'pino';
import { startReviewConsumer, startReviewRelay } from './app/messaging.ts';
import { ReviewService, reviewCodec } from './app/review-service.ts';
import type { SealSigner } from './app/seal-signer.ts';
import { reviewRoutes } from './http/routes.ts';

export interface ReviewModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly seal: SealSigner;
}

export interface ServiceModule {
  readonly name: string;
  /** Mount with `app.register(module.routes, { prefix: '/review' })`. */
  readonly routes: FastifyPluginAsync;
  readonly readinessChecks: readonly ReadinessCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ReviewModule extends ServiceModule {
  readonly service: ReviewService;
}

export function createReviewModule(deps: ReviewModuleDeps): ReviewModule {
  const service = new ReviewService(deps);
  const logger = deps.logger.child({ module: 'review' });
  let relay: Subscription | undefined;
  let issuer: Subscription | undefined;
  let consumer: BusSubscription | undefined;

  return {
    name: 'review',
    service,
    routes: (async (app) => reviewRoutes(app as never, { service })) as FastifyPluginAsync,
    readinessChecks: [{ name: 'review-event-store', check: async () => void (await deps.store.headPosition()) }],
    async start() {
      relay = startReviewRelay(deps.store, deps.bus, logger);
      // An approval whose licence was not issued (a crash between the two appends) is issued on catch-up.
      issuer = deps.store.subscribeToAll({ subscriptionId: 'review-licence-issuer', filter: { categories: ['review'], eventTypes: ['DecisionMade'] } }, async (events) => {
        for (const stored of events) {
          const event = reviewCodec.decode(stored);
          if (event.type !== 'DecisionMade' || event.data.outcome !== 'approve') continue;
          await service.ensureLicence(stored.stream.slice('review-'.length), {
            actor: { id: 'review-licence-issuer', role: 'system' },
            correlationId: stored.metadata.correlationId,
            causationId: stored.id,
          });
        }
      });
      consumer = await startReviewConsumer(deps.bus, service, logger);
      logger.info({}, 'review module started: relay, licence issuer and consumer running');
    },
    async stop() {
      await consumer?.stop();
      await issuer?.stop();
      await relay?.stop();
    },
  };
}
