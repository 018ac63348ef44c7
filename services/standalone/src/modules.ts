/**
 * Which services the standalone process composes, and how each one's
 * dependencies are met from the shared adapters. One entry per service: its
 * name (the route prefix), its port in the distributed run, and `create`,
 * which builds the module from the shared context plus the ports of its own
 * (in-memory or Redis-backed, seal signers, notification channels …).
 * Adding a service is one more entry in `SERVICES`.
 *
 * The order matters twice: modules start in this order and stop in reverse.
 * Supervision starts first, so its consumer group exists before anything is
 * published (the in-process bus gives a late group only what it retains);
 * catalog publishes its fixtures after every module is running.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { YearSchedule } from '@govsvc/calendar/schedule';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { FIXTURES_DIR, loadFixtureCatalog, publishFixtureCatalog } from '@govsvc/catalog/app/fixture-catalog';
import { createCatalogModule } from '@govsvc/catalog/module';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import { createLocalCarrier } from '@govsvc/courier/adapters/local-carrier';
import { createCourierModule } from '@govsvc/courier/module';
import { createEd25519Signer } from '@govsvc/delivery/adapters/document-signer';
import { createLocalProvider, LocalOutbox } from '@govsvc/delivery/adapters/local-provider';
import { createSmtpEmailSender } from '@govsvc/delivery/adapters/smtp-email';
import { createDeliveryModule } from '@govsvc/delivery/module';
import { createEvaluationModule } from '@govsvc/evaluation/module';
import type { EventStore } from '@govsvc/eventstore/port';
import { LocalDataSharing } from '@govsvc/intake/app/data-sharing';
import { DEFAULT_CENTRES, DEFAULT_SEALS } from '@govsvc/intake/app/defaults';
import { createRedisSlotCounter } from '@govsvc/intake/app/redis-slot-counter';
import { ed25519SealSigner as intakeSealSigner } from '@govsvc/intake/app/seal';
import { InMemorySlotCounter } from '@govsvc/intake/app/slot-counter';
import { createIntakeModule } from '@govsvc/intake/module';
import type { MessageBus } from '@govsvc/messaging/bus';
import { ed25519SealSigner as reviewSealSigner } from '@govsvc/review/app/seal-signer';
import { createReviewModule } from '@govsvc/review/module';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import type { App } from '@govsvc/service-kit/app';
import type { ServiceModule } from '@govsvc/service-kit/module';
import type { Closer } from '@govsvc/service-kit/shutdown';
import { createRedisCaseTimeline } from '@govsvc/supervision/adapters/redis-case-timeline';
import { createRedisDeadlineIndex } from '@govsvc/supervision/adapters/redis-deadline-index';
import type { SealPublicKey } from '@govsvc/supervision/app/audit';
import { createMemoryCaseTimeline, rebuildCaseTimeline } from '@govsvc/supervision/app/case-timeline';
import { createMemoryDeadlineIndex } from '@govsvc/supervision/app/deadline-index';
import { rebuildDeadlineIndex } from '@govsvc/supervision/app/deadlines';
import { createSupervisionModule } from '@govsvc/supervision/module';
import { createMailboxSender } from './mailbox.ts';
import type { StandaloneSecrets } from './secrets.ts';

/** What every module is built from: one store, one bus, one clock for the whole process. */
export interface CompositionContext {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly calendar: WorkingCalendar;
  readonly schedules: readonly YearSchedule[];
  readonly secrets: StandaloneSecrets;
  readonly topicFor: (topic: string) => string;
  /** A module's consumer group: the topic prefix and its name, as each service's own process names it. */
  readonly consumerGroupFor: (service: string) => string;
  /** Redis for the structures that have a Redis adapter; in-memory stand-ins otherwise. */
  readonly redis: { readonly url: string; readonly keyPrefix: string } | null;
  /** Where e-mail goes: a real SMTP server, or the mailbox folder in the data directory. */
  readonly mail: { readonly kind: 'smtp'; readonly host: string; readonly port: number; readonly from: string } | { readonly kind: 'mailbox'; readonly dir: string; readonly from: string };
  readonly publishFixtures: boolean;
  /** This process's public base URL, known once it listens (the local carrier posts its webhooks there). */
  readonly publicUrl: () => string;
}

/** A module as the process composes it, with what it owns beyond the module itself. */
export interface ComposedModule {
  readonly module: ServiceModule;
  /** Adapters the module uses and the process closes after the modules stopped (Redis clients …). */
  readonly closers: readonly Closer[];
  /** Runs once every module started (the catalog publishes its fixtures then). */
  readonly afterStart?: () => Promise<void>;
  /** Where a person finds this service, for the banner: label → path. */
  readonly links: readonly { readonly label: string; readonly path: string }[];
}

export interface ServiceEntry {
  readonly name: string;
  /** The service's own port in the distributed run (as in docker-compose.yml, 3101–3107). */
  readonly distributedPort: number;
  create(ctx: CompositionContext): Promise<ComposedModule>;
}

interface AnyModule {
  readonly name: string;
  readonly routes: unknown;
  readonly readinessChecks: ServiceModule['readinessChecks'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The kit's `ServiceModule` from a service's own declaration of the same
 * shape (some declare `routes` on their typed `App`, which is the fastify
 * instance the kit's `buildApp` makes, so the cast only restores the type provider).
 */
function asKitModule(module: AnyModule): ServiceModule {
  const routes = module.routes as (app: App) => Promise<void>;
  return {
    name: module.name,
    routes: (async (instance) => routes(instance as unknown as App)) as FastifyPluginAsync,
    readinessChecks: module.readinessChecks,
    start: () => module.start(),
    stop: () => module.stop(),
  };
}

/** The seals' public keys, from the keys the process signs with: supervision verifies sealed documents with them. */
export function sealPublicKeys(secrets: StandaloneSecrets): SealPublicKey[] {
  return [
    ...secrets.intakeSealKeys.map((k) => ({ keyId: k.keyId, sealId: k.sealId, algorithm: 'Ed25519' as const, jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: k.privateJwk.x } })),
    ...secrets.reviewSealKeys.keys.map((k) => ({ keyId: k.kid, sealId: secrets.reviewSealKeys.sealId, algorithm: 'Ed25519' as const, jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: k.x } })),
  ];
}

const supervision: ServiceEntry = {
  name: 'supervision',
  distributedPort: 3107,
  async create(ctx) {
    const redisIndex = ctx.redis ? createRedisDeadlineIndex({ url: ctx.redis.url, prefix: `${ctx.redis.keyPrefix}supervision:dl:` }) : undefined;
    const index = redisIndex ?? createMemoryDeadlineIndex();
    const timeline = ctx.redis ? createRedisCaseTimeline({ url: ctx.redis.url, prefix: `${ctx.redis.keyPrefix}supervision:` }) : createMemoryCaseTimeline();
    if (!redisIndex) {
      // The projections' checkpoints are durable (in the store) but these stand-ins are not: without this,
      // a restart would resume after the checkpoint with an empty index and no deadline would ever fire again.
      const [deadlines, history] = [await rebuildDeadlineIndex(ctx.store, index), await rebuildCaseTimeline(ctx.store, timeline)];
      ctx.logger.info({ deadlineEvents: deadlines.events, timelineEvents: history.events }, 'supervision projections rebuilt into memory from the store');
    }
    const module = createSupervisionModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      schedules: ctx.schedules,
      index,
      timeline,
      sealKeys: sealPublicKeys(ctx.secrets),
      consoleSecret: ctx.secrets.consoleSecret,
      topicFor: ctx.topicFor,
      consumerGroupId: ctx.consumerGroupFor('supervision'),
      readinessChecks: redisIndex ? [{ name: 'redis', check: () => redisIndex.ping() }] : [],
    });
    return {
      module: asKitModule(module),
      closers: [
        { name: 'supervision-deadline-index', close: () => index.close() },
        { name: 'supervision-case-timeline', close: () => timeline.close() },
      ],
      links: [
        { label: 'operator console 监管控制台', path: '/supervision/console' },
        { label: 'deadline breaches 超时', path: '/supervision/breaches' },
      ],
    };
  },
};

const catalog: ServiceEntry = {
  name: 'catalog',
  distributedPort: 3101,
  async create(ctx) {
    const fixtures = await loadFixtureCatalog(FIXTURES_DIR);
    const module = createCatalogModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      calendar: ctx.calendar,
      sharedRecords: fixtures.sharedRecords,
      logger: ctx.logger,
      topicFor: ctx.topicFor,
    });
    return {
      module: asKitModule(module),
      closers: [],
      async afterStart() {
        if (!ctx.publishFixtures) return;
        // Idempotent: a guide unchanged since the last start appends nothing.
        const result = await publishFixtureCatalog(module.commands, fixtures, {
          actor: { id: 'catalog-fixture-loader', role: 'system' },
          correlationId: `standalone-start-${ctx.ids.next()}`,
        });
        ctx.logger.info({ published: result.published.length, unchanged: result.unchanged.length, proofsCatalogued: result.proofsCatalogued }, 'fixture catalog published');
      },
      links: [{ label: 'service guides 办事指南', path: '/catalog/guides' }],
    };
  },
};

/**
 * Cross-department items of the fixture catalog (R-COLLAB-1): a restaurant's food business licence
 * needs the district fire brigade's opinion on the premises.
 */
export const STANDALONE_COLLABORATIONS = [
  { itemCode: '01120040000111010100000011110101MB855928X301001', leadDepartment: '北京市东城区市场监督管理局', assistingDepartments: ['北京市东城区消防救援支队'] },
];

const intake: ServiceEntry = {
  name: 'intake',
  distributedPort: 3102,
  async create(ctx) {
    const redisCounter = ctx.redis ? createRedisSlotCounter({ url: ctx.redis.url, keyPrefix: `${ctx.redis.keyPrefix}intake:` }) : undefined;
    const slotCounter = redisCounter ?? new InMemorySlotCounter(ctx.clock);
    const module = createIntakeModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      calendar: ctx.calendar,
      centres: DEFAULT_CENTRES,
      seals: DEFAULT_SEALS,
      signer: intakeSealSigner(ctx.secrets.intakeSealKeys),
      slotCounter,
      dataSharing: new LocalDataSharing(),
      contactKeys: parseContactKeyring(ctx.secrets.contactKeys),
      collaborations: STANDALONE_COLLABORATIONS,
      topicFor: ctx.topicFor,
      consumerGroupId: ctx.consumerGroupFor('intake'),
      readinessChecks: redisCounter ? [{ name: 'redis', check: () => redisCounter.ping() }] : [],
    });
    return {
      module: asKitModule(module),
      closers: [{ name: 'intake-slot-counter', close: () => slotCounter.close() }],
      links: [
        { label: 'applications 申请', path: '/intake/applications' },
        { label: 'seal keys 电子印章公钥', path: '/intake/seal-keys' },
      ],
    };
  },
};

const review: ServiceEntry = {
  name: 'review',
  distributedPort: 3103,
  async create(ctx) {
    const module = createReviewModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      calendar: ctx.calendar,
      seal: reviewSealSigner(ctx.secrets.reviewSealKeys),
      topicFor: ctx.topicFor,
      consumerGroup: ctx.consumerGroupFor('review'),
    });
    return { module: asKitModule(module), closers: [], links: [{ label: 'review cases 审查', path: '/review/cases/{caseId}' }] };
  },
};

const delivery: ServiceEntry = {
  name: 'delivery',
  distributedPort: 3104,
  async create(ctx) {
    const outbox = new LocalOutbox();
    const email =
      ctx.mail.kind === 'smtp'
        ? createSmtpEmailSender({ host: ctx.mail.host, port: ctx.mail.port, secure: false, from: ctx.mail.from })
        : createMailboxSender(ctx.mail.dir, ctx.clock, ctx.mail.from);
    const module = createDeliveryModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      calendar: ctx.calendar,
      senders: { email, sms: createLocalProvider('sms', outbox, ctx.clock), phone: createLocalProvider('phone', outbox, ctx.clock) },
      signer: createEd25519Signer('delivery-standalone', ctx.secrets.documentSigningKeyPem),
      contactKeys: parseContactKeyring(ctx.secrets.contactKeys),
      outbox,
      topicFor: ctx.topicFor,
      names: { consumerGroup: ctx.consumerGroupFor('delivery') },
    });
    return { module: asKitModule(module), closers: [], links: [{ label: 'SMS / call outbox 短信外呼', path: '/delivery/outbox' }] };
  },
};

const evaluation: ServiceEntry = {
  name: 'evaluation',
  distributedPort: 3106,
  async create(ctx) {
    const module = createEvaluationModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      calendar: ctx.calendar,
      topicFor: ctx.topicFor,
      consumerGroup: ctx.consumerGroupFor('evaluation'),
    });
    return { module: asKitModule(module), closers: [], links: [{ label: 'statistics 好差评统计', path: '/evaluation/statistics' }] };
  },
};

/** The service centre parcels leave from and return to (the courier's default, 北京市政务服务中心). */
const CENTRE_ADDRESS = { name: '北京市政务服务中心', phone: '010-12345678', region: '110106', address: '北京市丰台区西三环南路1号' };

const courier: ServiceEntry = {
  name: 'courier',
  distributedPort: 3105,
  async create(ctx) {
    const localSecret = ctx.secrets.carrierSecrets.get('local');
    // The local carrier moves parcels on the process's clock: on the controlled clock, a day advanced is a parcel delivered.
    const carriers = localSecret
      ? [
          createLocalCarrier({
            clock: ctx.clock,
            secret: localSecret,
            webhookUrl: () => `${ctx.publicUrl()}/courier/carriers/local/webhook`,
            log: (message, details) => ctx.logger.warn(details, message),
          }),
        ]
      : [];
    const module = createCourierModule({
      store: ctx.store,
      bus: ctx.bus,
      clock: ctx.clock,
      ids: ctx.ids,
      logger: ctx.logger,
      carriers,
      defaultCarrier: 'local',
      carrierSecrets: ctx.secrets.carrierSecrets,
      centreAddress: CENTRE_ADDRESS,
      contactKeys: parseContactKeyring(ctx.secrets.contactKeys),
      instanceId: 'standalone',
      topicFor: ctx.topicFor,
      names: { consumerGroup: ctx.consumerGroupFor('courier') },
    });
    return { module: asKitModule(module), closers: [], links: [{ label: 'waybills of a case 快递运单', path: '/courier/cases/{caseId}/waybills' }] };
  },
};

/** Every service the standalone process runs, in start order. */
export const SERVICES: readonly ServiceEntry[] = [supervision, catalog, intake, review, delivery, courier, evaluation];
