/**
 * The supervision module (docs/architecture.md "One shape for every service"):
 * routes under `/supervision`, readiness checks, and `start()` for what runs
 * in the background: the calendar publications, the two projections (deadline
 * index, case timeline) catching up from their checkpoints, the consumer of
 * every service's contracts, the scheduler, and the relay publishing
 * supervision's contracts and automatic-outcome commands.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { YearSchedule } from '@govsvc/calendar/schedule';
import { integrationEventDefinitions, type CurrentTypeName } from '@govsvc/contracts/registry';
import { upcasters } from '@govsvc/contracts/upcasters';
import { defaultPartitions, topicOf } from '@govsvc/contracts/topics';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createIntegrationEventConsumer, type IntegrationEventConsumer, type IntegrationEventHandlers } from '@govsvc/messaging/consumer';
import type { ProcessedMessages } from '@govsvc/messaging/processed-messages';
import type { Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { App } from '@govsvc/service-kit/app';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import { SealVerifier, type SealPublicKey } from './app/audit.ts';
import { CalendarHolder } from './app/calendar-holder.ts';
import { caughtUpWithin, rebuildCaseTimeline, subscribeCaseTimeline, TIMELINE_FRESHNESS_WAIT_MS, type CaseTimeline } from './app/case-timeline.ts';
import { ConsoleSessions } from './app/console-session.ts';
import { createContractConsumer, type ContractConsumer } from './app/contract-consumer.ts';
import type { DeadlineIndex, IndexChange, IndexEntry } from './app/deadline-index.ts';
import { DeadlineFoldCache, rebuildDeadlineIndex, subscribeDeadlineIndex, summariesFromStore } from './app/deadlines.ts';
import { createSupervisionRelay } from './app/relay.ts';
import { givingWayTo, Scheduler } from './app/scheduler.ts';
import { DEFAULT_WARNING, type WarningPolicy } from './domain/kinds.ts';
import { TRIGGERS } from './domain/triggers.ts';
import { supervisionRoutes } from './http/routes.ts';

export interface ServiceModule {
  readonly name: string;
  /** Route plugin; the host mounts it under `/<name>`. */
  readonly routes: (app: App) => Promise<void>;
  readonly readinessChecks: readonly ReadinessCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SupervisionModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  /** The calendar's year schedules (data files); publications in the store are applied on top at start. */
  readonly schedules: readonly YearSchedule[];
  readonly index: DeadlineIndex;
  readonly timeline: CaseTimeline;
  readonly warning?: WarningPolicy;
  /** Public keys of the seals documents are signed with (audit verification). */
  readonly sealKeys?: readonly SealPublicKey[];
  /** HMAC secret of console sessions; random per process when absent. */
  readonly consoleSecret?: string;
  readonly consumerGroupId?: string;
  /** Topic actually used for a contract topic, e.g. an environment prefix (tests isolate themselves with it); identity by default. */
  readonly topicFor?: (contractTopic: string) => string;
  /** Scheduler tuning. */
  readonly scheduler?: { readonly batchSize?: number; readonly concurrency?: number; readonly idleMs?: number; readonly perDeadline?: boolean; readonly freshShare?: number; readonly freshWindowMs?: number };
  /** Deadline states the index projection and the scheduler share (default 20,000, about 700 bytes each; 0 holds none). */
  readonly foldCacheCapacity?: number;
  /** Run the scheduler loop in start() (default true); tests drive `scheduler.runOnce()` instead. */
  readonly runScheduler?: boolean;
  /** How often the projections' integrity markers are checked, so a wiped Redis is rebuilt from the store (default 5 s). */
  readonly indexCheckMs?: number;
  readonly readinessChecks?: readonly ReadinessCheck[];
}

export interface SupervisionModule extends ServiceModule {
  readonly scheduler: Scheduler;
  readonly consumer: ContractConsumer;
  readonly calendar: CalendarHolder;
  readonly index: DeadlineIndex;
  /** Emits `deadline` (IndexEntry) and `closed` ({ deadlineId }) on every index change. */
  readonly changes: EventEmitter;
  /** Resolves once both projections have caught up with the store and the relay has published. */
  caughtUp(): Promise<void>;
  rebuild(projection: 'deadline-index' | 'case-timeline'): Promise<{ events: number }>;
}

/** The topics supervision consumes: every producer whose contracts open or close deadlines. */
export const CONSUMED_TOPICS = [topicOf('catalog'), topicOf('intake'), topicOf('review'), topicOf('delivery'), topicOf('evaluation')];

/** Wraps the index so every write that lands is announced (console live updates, scheduler wake-ups). */
function announcing(index: DeadlineIndex, changes: EventEmitter): DeadlineIndex {
  return {
    ...index,
    async upsert(entry: IndexEntry) {
      const written = await index.upsert(entry);
      if (written) changes.emit('deadline', entry);
      return written;
    },
    async remove(deadlineId: string, revision: number) {
      const removed = await index.remove(deadlineId, revision);
      if (removed) changes.emit('closed', { deadlineId });
      return removed;
    },
    async applyMany(batch: readonly IndexChange[]) {
      const written = await index.applyMany(batch);
      batch.forEach((change, i) => {
        if (!written[i]) return;
        if ('upsert' in change) changes.emit('deadline', change.upsert);
        else changes.emit('closed', { deadlineId: change.remove.deadlineId });
      });
      return written;
    },
  };
}

/** Effects are appends with ids derived from the message: redelivery is a no-op, the store deduplicates. */
const storeDeduplicates: ProcessedMessages<undefined> = {
  wasProcessed: async () => false,
  processOnce: async (_consumer, _eventId, effect) => {
    await effect(undefined);
    return 'processed';
  },
};

export function createSupervisionModule(deps: SupervisionModuleDeps): SupervisionModule {
  const log = deps.logger.child({ module: 'supervision' });
  const changes = new EventEmitter();
  changes.setMaxListeners(1000); // one per open console
  // The index keeps console summaries of carded deadlines only; the rest are folded from the store on demand.
  deps.index.useSummarySource?.(summariesFromStore(deps.store));
  const index = announcing(deps.index, changes);
  const calendar = new CalendarHolder(deps.store, deps.schedules);
  const warning = deps.warning ?? DEFAULT_WARNING;
  // What the projection folds the scheduler fires from without reading, and what the scheduler fires the projection folds onto.
  const foldCache = new DeadlineFoldCache(deps.foldCacheCapacity);
  const scheduler = new Scheduler({
    store: deps.store,
    index,
    clock: deps.clock,
    calendar: () => calendar.current(),
    cache: foldCache,
    ...deps.scheduler,
    onError: (error, deadlineId) => log.error({ err: error, deadlineId }, 'firing a deadline failed; it stays due and is retried'),
  });
  // Every deadline the index learns is announced with when it fires next (the contracts' and the firings' alike).
  changes.on('deadline', (entry: IndexEntry) => scheduler.poke(entry.nextAt));
  const consumer = createContractConsumer({ store: deps.store, index, calendar: () => calendar.current(), warning });
  const sessions = new ConsoleSessions(deps.consoleSecret);
  const seals = new SealVerifier(deps.sealKeys ?? []);

  let indexSubscription: Subscription | undefined;
  let calendarSubscription: Subscription | undefined;
  let timelineSubscription: Subscription | undefined;
  let stopped = false;
  /** Subscriptions that ended on an error and are being subscribed again (readiness reports them). */
  const resubscribing = new Set<string>();
  /**
   * A projection's subscription ends when its handler throws anything but UnavailableError (which it waits out). A
   * projection that silently stops following the store would show a stale index or timeline forever (finding 12), so
   * an ended one is subscribed again from its checkpoint, after a pause, until the module stops.
   */
  function keepSubscribed(name: string, subscribe: () => Subscription, hold: (subscription: Subscription) => void): void {
    const subscription = subscribe();
    hold(subscription);
    resubscribing.delete(name);
    subscription.finished.catch((error: unknown) => {
      if (stopped) return;
      resubscribing.add(name);
      log.error({ err: error, subscription: name }, 'projection subscription ended; subscribing again from its checkpoint');
      setTimeout(() => {
        if (!stopped) keepSubscribed(name, subscribe, hold);
      }, 1_000).unref();
    });
  }
  let relay: Relay | undefined;
  let busConsumer: IntegrationEventConsumer | undefined;

  const handlers = Object.fromEntries(
    [...(Object.keys(TRIGGERS) as CurrentTypeName[]), ...currentGuideTypes()].map((type) => [type, async (event: Parameters<ContractConsumer['handle']>[0]) => consumer.handle(event)]),
  ) as IntegrationEventHandlers<undefined>;

  // A wiped projection (Redis flushed or failed over to an empty replica) is rebuilt from the store; until then
  // readiness fails, so nothing routes to a supervision that cannot see its deadlines (docs/reliability.md finding 9).
  const guarded = [
    { name: 'deadline-index' as const, integrity: deps.index.integrity, hasEntries: async () => (await deps.index.countOpen()) > 0 },
    { name: 'case-timeline' as const, integrity: deps.timeline.integrity, hasEntries: async () => !(await deps.timeline.isEmpty()) },
  ];
  const whole = new Map<string, boolean>(guarded.map((g) => [g.name, true]));
  let restoring: Promise<void> | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const restoreIfWiped = (atStart = false) =>
    (restoring ??= (async () => {
      for (const { name, integrity, hasEntries } of guarded) {
        // A rebuild under way (an operator's, through the route) shows as "not intact" until it completes: that is
        // no wipe, and a second rebuild would clear what the first one replayed so far.
        if (rebuildsUnderWay.has(name)) continue;
        if (!integrity || (await integrity.intact())) {
          whole.set(name, true);
          continue;
        }
        // At start, a projection with entries but no marker was built before markers existed (or by a
        // bench's projection): adopt it. A wipe leaves nothing behind, and an empty one is rebuilt.
        if (atStart && (await hasEntries())) {
          await integrity.complete(await integrity.begin());
          log.info({ projection: name }, 'projection adopted as whole (built before its integrity marker existed)');
          whole.set(name, true);
          continue;
        }
        whole.set(name, false);
        log.warn({ projection: name }, 'projection not whole (Redis flushed or new): rebuilding it from the event store');
        const { events } = await rebuild(name);
        whole.set(name, await integrity.intact());
        log.info({ projection: name, events, whole: whole.get(name) }, 'projection rebuilt');
      }
    })()
      .catch((error: unknown) => log.error({ err: error }, 'checking or rebuilding a projection failed; trying again'))
      .finally(() => (restoring = undefined)));

  /**
   * One rebuild per projection at a time: the route and the watchdog share it. Two at once clear each other's
   * replay, and the history answered in between loses cases (the fault harness's CI run, seed 7: the timeline
   * check saw two cases empty right after `POST /projections/case-timeline/rebuild` returned).
   */
  const rebuildsUnderWay = new Map<string, Promise<{ events: number }>>();
  function rebuild(projection: 'deadline-index' | 'case-timeline'): Promise<{ events: number }> {
    const running = rebuildsUnderWay.get(projection);
    if (running) return running;
    const run = rebuildNow(projection).finally(() => rebuildsUnderWay.delete(projection));
    rebuildsUnderWay.set(projection, run);
    return run;
  }

  async function rebuildNow(projection: 'deadline-index' | 'case-timeline') {
    if (projection === 'deadline-index') {
      const result = await rebuildDeadlineIndex(deps.store, index);
      scheduler.poke();
      return result;
    }
    return rebuildCaseTimeline(deps.store, deps.timeline);
  }

  return {
    name: 'supervision',
    scheduler,
    consumer,
    calendar,
    index,
    changes,
    rebuild,
    routes: async (app) => {
      registerMetrics(app, index);
      await app.register(supervisionRoutes({ store: deps.store, index, timeline: deps.timeline, timelineFresh: () => caughtUpWithin(timelineSubscription, TIMELINE_FRESHNESS_WAIT_MS), calendar, clock: deps.clock, sessions, seals, changes, rebuild }));
    },
    readinessChecks: [
      { name: 'event-store', check: async () => void (await deps.store.headPosition()) },
      // Not ready while the contract consumer is down (crashed and rejoining): deadlines would silently stop opening.
      { name: 'contract-consumer', check: async () => busConsumer?.readinessCheck().check() },
      {
        name: 'projections',
        check: async () => {
          const rebuilding = [...whole].filter(([, isWhole]) => !isWhole).map(([name]) => name);
          if (rebuilding.length > 0) throw new Error(`being rebuilt from the event store: ${rebuilding.join(', ')}`);
          if (resubscribing.size > 0) throw new Error(`subscribing again after an error: ${[...resubscribing].join(', ')}`);
        },
      },
      ...(deps.readinessChecks ?? []),
    ],
    async start() {
      await calendar.load();
      await restoreIfWiped(true);
      watchdog = setInterval(() => void restoreIfWiped(), deps.indexCheckMs ?? 5_000);
      watchdog.unref();
      keepSubscribed('deadline-index', () => subscribeDeadlineIndex(deps.store, index, foldCache), (s) => (indexSubscription = s));
      keepSubscribed('calendar', () => calendar.subscribe(index, deps.clock), (s) => (calendarSubscription = s));
      keepSubscribed('case-timeline', () => subscribeCaseTimeline(deps.store, deps.timeline), (s) => (timelineSubscription = s));
      const topicFor = deps.topicFor ?? ((topic: string) => topic);
      // The bus retries a broker's transient refusals itself (kafka-bus ensureTopics).
      await deps.bus.ensureTopics([...CONSUMED_TOPICS, topicOf('supervision')].map((topic) => ({ topic: topicFor(topic), partitions: defaultPartitions })));
      relay = createSupervisionRelay(deps.store, deps.bus, { warn: (d, m) => log.warn(d, m), error: (d, m) => log.error(d, m) }, topicFor, givingWayTo(scheduler));
      relay.start();
      busConsumer = createIntegrationEventConsumer<undefined>({
        bus: deps.bus,
        groupId: deps.consumerGroupId ?? 'supervision',
        topics: CONSUMED_TOPICS.map(topicFor),
        processed: storeDeduplicates,
        fromBeginning: true,
        handlers,
        log: { warn: (d, m) => log.warn(d, m), error: (d, m) => log.error(d, m) },
      });
      await busConsumer.start();
      if (deps.runScheduler ?? true) scheduler.start();
      log.info({ calendarYears: calendar.current().publishedYears().length }, 'supervision started');
    },
    async caughtUp() {
      await Promise.all([indexSubscription?.caughtUp(), calendarSubscription?.caughtUp()]);
      await Promise.all([timelineSubscription?.caughtUp(), relay?.caughtUp()]);
    },
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      await restoring;
      await scheduler.stop();
      await busConsumer?.stop();
      await relay?.stop();
      await calendarSubscription?.stop();
      await indexSubscription?.stop();
      await timelineSubscription?.stop();
    },
  };
}


/** The current version(s) of the guide contract: older ones reach handlers upcast to it. */
function currentGuideTypes(): string[] {
  return integrationEventDefinitions.filter((d) => d.family === 'catalog.guide-published' && !(d.type in upcasters)).map((d) => d.type);
}

/** Prometheus gauges read from the index at scrape time: open deadlines, and warnings and cards by colour and department. */
function registerMetrics(app: App, index: DeadlineIndex): void {
  const registers = [app.metrics];
  new Gauge({
    name: 'supervision_open_deadlines',
    help: 'Deadlines currently running (open), of every kind.',
    registers,
    async collect() {
      this.set(await index.countOpen());
    },
  });
  new Gauge({
    name: 'supervision_cards',
    help: 'Open deadlines with a warning (预警), yellow card (黄牌) or red card (红牌), by colour and department.',
    labelNames: ['colour', 'department'],
    registers,
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const entry of await index.carded()) {
        const key = `${entry.card}\u0000${entry.department}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of counts) {
        const [colour, department] = key.split('\u0000') as [string, string];
        this.set({ colour, department }, count);
      }
    },
  });
}
