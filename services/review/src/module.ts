/**
 * The review service as a module (docs/architecture.md "One shape for every
 * service"): routes mounted under `/review`, readiness checks, and start/stop
 * of its relay, its consumer and its licence issuer.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import type { Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import type { Logger } from 'pino';
import { CONSUMED_TOPICS, PUBLISHED_TOPICS, createReviewConsumer, createReviewRelay, type TopicFor } from './app/messaging.ts';
import { LICENCE_ISSUER, ReviewService, reviewCodec } from './app/review-service.ts';
import type { SealSigner } from './app/seal-signer.ts';
import { reviewRoutes } from './http/routes.ts';
import { TaskBoard } from './app/task-board.ts';
import { defaultPartitions } from '@govsvc/contracts/topics';

export interface ReviewModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly seal: SealSigner;
  /** Topic naming for an environment or a test (`t-123.govsvc.review.events.v1`); identity by default. */
  readonly topicFor?: (topic: string) => string;
  /** Consumer group; `review` by default. */
  readonly consumerGroup?: string;
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
  relayCaughtUp(): Promise<void>;
}

export function createReviewModule(deps: ReviewModuleDeps): ReviewModule {
  const service = new ReviewService(deps);
  const logger = deps.logger.child({ module: 'review' });
  const tasks = new TaskBoard(deps.store, {
    onError: (error) => logger.error({ err: error }, 'review task board stopped: an event of its streams could not be folded'),
    // The board follows every instance's review streams: a case another instance opened wakes the reads held here.
    onOpened: (stream) => service.changes.notify(stream),
  });
  const topicFor: TopicFor = deps.topicFor ?? ((topic) => topic);
  let relay: Relay | undefined;
  let issuer: Subscription | undefined;
  let consumer: IntegrationEventConsumer | undefined;

  return {
    name: 'review',
    /** Resolves once every review event committed so far is published (tests, graceful shutdown). */
    relayCaughtUp: async () => relay?.caughtUp(),
    service,
    routes: (async (app) => reviewRoutes(app as never, { service, tasks })) as FastifyPluginAsync,
    readinessChecks: [
      { name: 'review-event-store', check: async () => void (await deps.store.headPosition()) },
      // Fails once the task board's subscription died (an event it could not fold): the boards would go stale.
      { name: 'review-task-board', check: () => tasks.caughtUp() },
      // Not ready while the contract consumer is down (crashed and rejoining its group): contracts would silently stop arriving.
      { name: 'contract-consumer', check: async () => consumer?.readinessCheck().check() },
    ],
    async start() {
      const log = { warn: (d: Record<string, unknown>, m: string) => logger.warn(d, m), error: (d: Record<string, unknown>, m: string) => logger.error(d, m) };
      await deps.bus.ensureTopics([...PUBLISHED_TOPICS, ...CONSUMED_TOPICS].map((topic) => ({ topic: topicFor(topic), partitions: defaultPartitions })));
      tasks.start();
      await tasks.caughtUp();
      relay = createReviewRelay(deps.store, deps.bus, log, topicFor);
      relay.start();
      // An approval whose licence was not issued (a crash between the two appends) is issued on catch-up.
      issuer = deps.store.subscribeToAll({ subscriptionId: 'review-licence-issuer', filter: { categories: ['review'], eventTypes: ['DecisionMade'] } }, async (events) => {
        for (const stored of events) {
          const event = reviewCodec.decode(stored);
          if (event.type !== 'DecisionMade' || event.data.outcome !== 'approve') continue;
          await service.ensureLicence(stored.stream.slice('review-'.length), {
            actor: LICENCE_ISSUER,
            correlationId: stored.metadata.correlationId,
            causationId: stored.id,
          });
        }
      });
      consumer = createReviewConsumer(deps.bus, service, log, { topicFor, ...(deps.consumerGroup !== undefined && { groupId: deps.consumerGroup }) });
      await consumer.start();
      logger.info({}, 'review module started: relay, licence issuer and consumer running');
    },
    async stop() {
      await consumer?.stop();
      await issuer?.stop();
      await relay?.stop();
      await tasks.stop();
    },
  };
}
