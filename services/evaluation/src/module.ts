/**
 * The evaluation service as a module (docs/architecture.md "One shape for
 * every service"): routes mounted under `/evaluation`, readiness checks, and
 * start/stop of its relay, its consumer and its read-side projection.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { defaultPartitions } from '@govsvc/contracts/topics';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import type { Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { ServiceModule } from '@govsvc/service-kit/module';
import { EvaluationService } from './app/evaluation-service.ts';
import { CONSUMED_TOPICS, PUBLISHED_TOPICS, createEvaluationConsumer, createEvaluationRelay, type TopicFor } from './app/messaging.ts';
import { EvaluationProjection } from './app/projection.ts';
import { evaluationRoutes } from './http/routes.ts';

export interface EvaluationModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  /** Handling limit of complaints that bring none (working days); 5 by default. */
  readonly complaintLimitWorkingDays?: number;
  /** Topic naming for an environment or a test (`t-123.govsvc.evaluation.events.v1`); identity by default. */
  readonly topicFor?: (topic: string) => string;
  /** Consumer group; `evaluation` by default. */
  readonly consumerGroup?: string;
}

export interface EvaluationModule extends ServiceModule {
  readonly service: EvaluationService;
  readonly projection: EvaluationProjection;
  /** Resolves once every evaluation event committed so far is published (tests, graceful shutdown). */
  relayCaughtUp(): Promise<void>;
}

export function createEvaluationModule(deps: EvaluationModuleDeps): EvaluationModule {
  const service = new EvaluationService(deps);
  const logger = deps.logger.child({ module: 'evaluation' });
  const topicFor: TopicFor = deps.topicFor ?? ((topic) => topic);
  const projection = new EvaluationProjection(deps.store, {
    onError: (error) => logger.error({ err: error }, 'evaluation read side stopped: an event of its streams could not be folded'),
  });
  let relay: Relay | undefined;
  let consumer: IntegrationEventConsumer | undefined;

  return {
    name: 'evaluation',
    service,
    projection,
    relayCaughtUp: async () => relay?.caughtUp(),
    routes: (async (app) => evaluationRoutes(app as never, { service, projection, now: () => deps.clock.now() })) as FastifyPluginAsync,
    readinessChecks: [
      { name: 'evaluation-event-store', check: async () => void (await deps.store.headPosition()) },
      // Fails once the read side's subscription died (an event it could not fold): statistics and inboxes would go stale.
      { name: 'evaluation-read-side', check: () => projection.catchUp() },
      // Not ready while the contract consumer is down (crashed and rejoining its group): contracts would silently stop arriving.
      { name: 'contract-consumer', check: async () => consumer?.readinessCheck().check() },
    ],
    async start() {
      const log = { warn: (d: Record<string, unknown>, m: string) => logger.warn(d, m), error: (d: Record<string, unknown>, m: string) => logger.error(d, m) };
      await deps.bus.ensureTopics([...PUBLISHED_TOPICS, ...CONSUMED_TOPICS].map((topic) => ({ topic: topicFor(topic), partitions: defaultPartitions })));
      // The read side first: statistics are whole from the first request on.
      projection.start();
      await projection.catchUp();
      relay = createEvaluationRelay(deps.store, deps.bus, log, topicFor);
      relay.start();
      consumer = createEvaluationConsumer(deps.bus, service, log, { topicFor, ...(deps.consumerGroup !== undefined && { groupId: deps.consumerGroup }) });
      await consumer.start();
      logger.info({ position: projection.position.toString() }, 'evaluation module started: projection, relay and consumer running');
    },
    async stop() {
      await consumer?.stop();
      await relay?.stop();
      await projection.stop();
    },
  };
}
