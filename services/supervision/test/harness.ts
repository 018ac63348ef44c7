/**
 * A running supervision module for tests: real event store (memory unless
 * given), the in-process bus from messaging, a controlled clock, the real
 * calendar data; contracts are published on the bus as other services would,
 * and the scheduler is driven pass by pass.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadSchedules } from '@govsvc/calendar/data-files';
import { decodeIntegrationEvent, encodeIntegrationEvent, type DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { DataOf, IntegrationEvent, IntegrationEventTypeName } from '@govsvc/contracts/registry';
import { topicOf } from '@govsvc/contracts/topics';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { sequentialIds } from '@govsvc/runtime/ids';
import { createMemoryCaseTimeline, type CaseTimeline } from '../src/app/case-timeline.ts';
import { createMemoryDeadlineIndex, type DeadlineIndex } from '../src/app/deadline-index.ts';
import type { SealPublicKey } from '../src/app/audit.ts';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { Role } from '@govsvc/service-kit/principal';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { CONSUMED_TOPICS, createSupervisionModule, type SupervisionModule } from '../src/module.ts';

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface HarnessOptions {
  readonly start: string;
  readonly store?: EventStore;
  readonly index?: DeadlineIndex;
  readonly timeline?: CaseTimeline;
  readonly bus?: MessageBus;
  readonly clock?: ControlledClock;
  readonly sealKeys?: readonly SealPublicKey[];
  /** Kafka runs: unique topics and consumer group per test file. */
  readonly topicFor?: (topic: string) => string;
  readonly groupId?: string;
  /** How often the module checks its index's integrity marker. */
  readonly indexCheckMs?: number;
}

export interface Harness {
  readonly clock: ControlledClock;
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly module: SupervisionModule;
  /** Publishes a contract as its producer would, and waits until supervision has handled it. */
  publish<T extends IntegrationEventTypeName>(type: T, data: Partial<DataOf<T>>, id?: string): Promise<string>;
  /** Sets the clock, runs one scheduler pass, waits for the projections and relay. */
  tick(instant: string): Promise<number>;
  /** What supervision published on its topic so far (contracts and commands). */
  published(): Promise<DecodedIntegrationEvent[]>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const clock = options.clock ?? new ControlledClock(options.start);
  const store = options.store ?? createInMemoryEventStore({ now: () => clock.now() });
  const bus = options.bus ?? createInProcessBus({ redeliveryDelayMs: 10 });
  const module = createSupervisionModule({
    store,
    bus,
    clock,
    ids: sequentialIds(),
    logger: pino({ level: 'silent' }),
    schedules: await loadSchedules(),
    index: options.index ?? createMemoryDeadlineIndex(),
    timeline: options.timeline ?? createMemoryCaseTimeline(),
    runScheduler: false,
    ...(options.sealKeys ? { sealKeys: options.sealKeys } : {}),
    ...(options.topicFor ? { topicFor: options.topicFor } : {}),
    consumerGroupId: options.groupId ?? 'supervision',
    ...(options.indexCheckMs !== undefined && { indexCheckMs: options.indexCheckMs }),
  });
  const topicFor = options.topicFor ?? ((topic: string) => topic);
  const groupId = options.groupId ?? 'supervision';
  await module.start();

  const received: DecodedIntegrationEvent[] = [];
  const watchGroup = `test-watch-${randomUUID()}`;
  const watcher = await bus.subscribe({
    groupId: watchGroup,
    topics: [topicFor(topicOf('supervision'))],
    fromBeginning: true,
    handler: async (message) => void received.push(decodeIntegrationEvent({ key: message.key, value: message.value, headers: message.headers })),
  });

  const settle = async () => {
    await waitFor(async () => (await bus.consumerLag(groupId, CONSUMED_TOPICS.map(topicFor))).every((p) => p.lag === 0n), 'supervision to consume everything', 30_000);
    await module.caughtUp();
  };

  return {
    clock,
    store,
    bus,
    module,
    async publish(type, data, id = randomUUID()) {
      const event = { type, data: { ...(examples[type] as object), ...data } } as unknown as IntegrationEvent;
      const record = encodeIntegrationEvent(event, { id, time: clock.now(), correlationId: `test-${id}` });
      await bus.publish(topicFor(record.topic), [{ key: record.key, value: record.value, headers: record.headers }]);
      await settle();
      return id;
    },
    async tick(instant) {
      clock.set(instant);
      const n = await module.scheduler.runOnce();
      await module.caughtUp();
      return n;
    },
    async published() {
      await module.caughtUp();
      await waitFor(async () => (await bus.consumerLag(watchGroup, [topicFor(topicOf('supervision'))])).every((p) => p.lag === 0n), 'the watcher to read the supervision topic', 30_000);
      return [...received];
    },
    settle,
    async stop() {
      await watcher.stop();
      await module.stop();
    },
  };
}

/** The module's routes on a real service-kit app (auth, problem+json, metrics) with test tokens. */
export async function startApp(module: SupervisionModule): Promise<{ app: App; token(roles: Role[]): Promise<string>; auth: TestAuth }> {
  const auth = await createTestAuth('supervision');
  const app = await buildApp(testAppDeps(auth, 'supervision'), { serviceName: 'supervision', version: 'test', defaultMetrics: false });
  await app.register(module.routes, { prefix: '/supervision' });
  await app.ready();
  return { app, auth, token: (roles) => auth.token(roles) };
}
