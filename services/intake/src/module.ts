/**
 * The intake module (docs/architecture.md "One shape for every service"):
 * routes mounted under `/intake`, readiness checks, and `start()` for what
 * runs in the background: the guide projection and slot counters rebuilt from
 * the store, the relay of intake's streams to the bus, and the consumer of
 * catalog guides and supervision's automatic-outcome commands.
 */
import type { Logger } from 'pino';
import type { ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { defaultPartitions, topicOf } from '@govsvc/contracts/topics';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { App } from '@govsvc/service-kit/app';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import type { CentreConfig } from './domain/appointment/schedule.ts';
import { ApplicationService } from './app/application-service.ts';
import { AppointmentService } from './app/appointment-service.ts';
import { InMemoryCaseNumberAllocator, type CaseNumberAllocator } from './app/case-number-allocator.ts';
import { CaseIndex } from './app/case-index.ts';
import { Centres } from './app/centres.ts';
import { createIntakeConsumer } from './app/consumers.ts';
import type { DataSharing } from './app/data-sharing.ts';
import { Deadlines } from './app/deadlines.ts';
import { GuideCatalog } from './app/guides.ts';
import { intakeContractMapping, PUBLISHED_CATEGORIES } from './app/relay.ts';
import { createSqlCaseNumberAllocator, sqlOf } from './app/sql-case-number-allocator.ts';
import type { SealRegistration, SealSigner } from './app/seal.ts';
import type { ItemCollaboration } from './app/application-service.ts';
import type { SlotCounter } from './app/slot-counter.ts';
import { applicationRoutes } from './http/application-routes.ts';
import { appointmentRoutes } from './http/appointment-routes.ts';
import { documentRoutes } from './http/document-routes.ts';

export interface ServiceModule {
  readonly name: string;
  /** Route plugin; the host mounts it under `/<name>`. */
  readonly routes: (app: App) => Promise<void>;
  readonly readinessChecks: readonly ReadinessCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface IntakeModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly centres: readonly CentreConfig[];
  readonly seals: readonly SealRegistration[];
  readonly signer: SealSigner;
  readonly slotCounter: SlotCounter;
  readonly dataSharing: DataSharing;
  /**
   * Where case numbers come from. Default: a sequence per region and day in the event store's
   * database when the store is SQL (PostgreSQL, PGlite), else a counter in memory (in-memory store).
   */
  readonly caseNumbers?: CaseNumberAllocator;
  /** Seals applicants' contact details for delivery and courier (R-NOTIFY-1, R-DELIV-1). */
  readonly contactKeys: ContactKeyring;
  /** Cross-department items with their lead and assisting departments (R-COLLAB-1). */
  readonly collaborations?: readonly ItemCollaboration[];
  /** Default supplement period in working days (a notice may set its own). */
  readonly supplementWorkingDays?: number;
  /** Consumer group on the bus (one per deployment of intake). */
  readonly consumerGroupId?: string;
  /** Checkpoint name of the relay subscription. */
  readonly relaySubscriptionId?: string;
  /** Checkpoint name of the subscription that indexes submitted cases for listing (default `intake-case-index`). */
  readonly caseIndexSubscriptionId?: string;
  /** Topic actually used for a contract topic, e.g. an environment prefix (`e2e-1.govsvc.intake.events.v1`). */
  readonly topicFor?: (topic: string) => string;
  /** Extra readiness probes of the adapters main.ts chose (Redis, PostgreSQL …). */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** How often the slot counters' integrity marker is checked, so counters wiped from Redis are rebuilt from the store (default 5 s). */
  readonly countersCheckMs?: number;
}

export interface IntakeModule extends ServiceModule {
  readonly applications: ApplicationService;
  readonly appointments: AppointmentService;
  readonly guides: GuideCatalog;
}

export function createIntakeModule(deps: IntakeModuleDeps): IntakeModule {
  const centres = new Centres(deps.centres);
  const deadlines = new Deadlines(deps.calendar);
  const guides = new GuideCatalog(deps.store);
  const index = new CaseIndex(deps.store, deps.caseIndexSubscriptionId);
  const applications = new ApplicationService({
    store: deps.store,
    clock: deps.clock,
    ids: deps.ids,
    centres,
    deadlines,
    guides,
    dataSharing: deps.dataSharing,
    caseNumbers: deps.caseNumbers ?? defaultCaseNumberAllocator(deps.store),
    index,
    signer: deps.signer,
    seals: deps.seals,
    supplementWorkingDays: deps.supplementWorkingDays ?? 5,
    contactKeys: deps.contactKeys,
    collaborations: deps.collaborations ?? [],
  });
  const appointments = new AppointmentService({ store: deps.store, clock: deps.clock, centres, deadlines, counter: deps.slotCounter });
  const log = deps.logger.child({ module: 'intake' });
  let relay: Relay | undefined;
  let countersWatch: NodeJS.Timeout | undefined;
  const topicFor = deps.topicFor ?? ((topic: string) => topic);
  let consumer: IntegrationEventConsumer | undefined;

  return {
    name: 'intake',
    applications,
    appointments,
    guides,
    routes: async (app) => {
      await app.register(applicationRoutes(applications));
      await app.register(documentRoutes(applications, deps.signer));
      await app.register(appointmentRoutes({ appointments, ids: deps.ids, clock: deps.clock, deadlines }));
    },
    readinessChecks: [
      { name: 'event-store', check: async () => void (await deps.store.headPosition()) },
      // Not ready while the contract consumer is down (crashed and rejoining its group): guides and commands would silently stop arriving.
      { name: 'contract-consumer', check: async () => consumer?.readinessCheck().check() },
      ...(deps.readinessChecks ?? []),
    ],
    async start() {
      await guides.rebuild();
      const counters = await appointments.rebuildCounters();
      log.info({ guides: guides.listInForce(deps.clock.now()).length, slotCounters: counters }, 'intake projections rebuilt from the store');
      // Counters wiped behind intake's back (FLUSHALL, an empty replica) come back from the store without waiting for a
      // booking to notice; a check that fails (Redis down) is tried again at the next tick.
      countersWatch = setInterval(() => {
        appointments
          .countersWhole()
          .then((rebuilt) => rebuilt && log.warn({}, 'slot counters were wiped from Redis: rebuilt from the store'))
          .catch(() => undefined);
      }, deps.countersCheckMs ?? 5_000);
      countersWatch.unref();
      // Publishing and subscribing need the topics; creating them is idempotent, whoever comes first.
      await deps.bus.ensureTopics([topicOf('intake'), topicOf('catalog'), topicOf('supervision'), topicOf('courier')].map((topic) => ({ topic: topicFor(topic), partitions: defaultPartitions })));
      relay = createRelay({
        store: deps.store,
        bus: deps.bus,
        name: deps.relaySubscriptionId ?? 'intake-relay',
        map: intakeContractMapping(deps.store),
        filter: { categories: [...PUBLISHED_CATEGORIES] },
        topicFor,
        log: { warn: (d, m) => log.warn(d, m), error: (d, m) => log.error(d, m) },
      });
      relay.start();
      index.start({ error: (d, m) => log.error(d, m) });
      consumer = createIntakeConsumer({
        bus: deps.bus,
        guides,
        applications,
        topicFor,
        log: { warn: (d, m) => log.warn(d, m), error: (d, m) => log.error(d, m) },
        ...(deps.consumerGroupId ? { groupId: deps.consumerGroupId } : {}),
      });
      await consumer.start();
    },
    async stop() {
      clearInterval(countersWatch);
      await consumer?.stop();
      await relay?.stop();
      await index.stop();
    },
  };
}

/**
 * Case numbers from the store's own database when it has one; a process-local counter only for
 * the in-memory store. Any other store (EventStoreDB) must be given an allocator: a counter in
 * memory there would hand out a day's numbers again after a restart.
 */
export function defaultCaseNumberAllocator(store: EventStore): CaseNumberAllocator {
  const sql = sqlOf(store);
  if (sql) return createSqlCaseNumberAllocator(sql, store);
  if (typeof (store as { allEvents?: unknown }).allEvents === 'function') return new InMemoryCaseNumberAllocator();
  throw new Error('intake: this event store has no SQL database for case-number sequences; pass caseNumbers (a CaseNumberAllocator) to createIntakeModule');
}
