/**
 * The catalog service as a module (docs/architecture.md "One shape for every
 * service"): routes to mount under `/catalog`, readiness checks, and
 * start/stop of what runs in the background: the subscription feeding the
 * read models and the relay publishing the catalog's contracts.
 *
 * The read models live in memory and are rebuilt from the store at every
 * start, so their subscription id is unique per module instance: a stored
 * checkpoint would skip the replay a fresh process needs, and replicas
 * sharing one id would fight over it (compare-and-set). It is random on
 * purpose, not from an ids port: a deterministic generator (tests, demos)
 * would hand a restarted process its predecessor's checkpoint. The cost is
 * one checkpoint row per start in a durable store, until the port offers
 * checkpoint-less subscriptions. The relay's checkpoint, in contrast, is
 * shared and durable: it must not republish everything at every start.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { EventStore, Subscription } from '@govsvc/eventstore/port';
import { defaultPartitions, topicOf } from '@govsvc/contracts/topics';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { App } from '@govsvc/service-kit/app';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import { CatalogCommands } from './app/catalog-commands.ts';
import { PolicyRegister } from './app/policy-register.ts';
import { CATALOG_PUBLISHED_CATEGORIES, catalogIntegrationEvents } from './app/contract-mapping.ts';
import { PublishedGuidesReadModel } from './app/published-guides-read-model.ts';
import { RetainedProofsReadModel } from './app/retained-proofs-read-model.ts';
import type { LintContext, SharedRecord } from './domain/lint/context.ts';
import { adminRoutes } from './http/admin-routes.ts';
import { publicRoutes } from './http/public-routes.ts';
import { policyRoutes } from './http/policy-routes.ts';
import { supervisionRoutes } from './http/supervision-routes.ts';

export interface CatalogModuleDeps {
  readonly store: EventStore;
  /** Where the relay publishes the catalog's contracts; without one, nothing is relayed (tests of the API alone). */
  readonly bus?: MessageBus;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  /** The shared-data directory the R-CAT-10 lint consults. */
  readonly sharedRecords: readonly SharedRecord[];
  readonly logger?: Logger;
  /** Topic naming for an environment or a test; identity by default. */
  readonly topicFor?: (topic: string) => string;
}

export interface ServiceModule {
  readonly name: string;
  /** Mount with `app.register(module.routes, { prefix: '/catalog' })`. */
  readonly routes: FastifyPluginAsync;
  readonly readinessChecks: readonly ReadinessCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CatalogModule extends ServiceModule {
  readonly commands: CatalogCommands;
  readonly guides: PublishedGuidesReadModel;
  readonly proofs: RetainedProofsReadModel;
  /** Resolves once the read models have applied everything appended before the call. */
  caughtUp(): Promise<void>;
  /** Resolves once every catalog event appended before the call is published. */
  relayCaughtUp(): Promise<void>;
}

export const CATALOG_RELAY_NAME = 'relay-catalog';

export function createCatalogModule(deps: CatalogModuleDeps): CatalogModule {
  const guides = new PublishedGuidesReadModel();
  const proofs = new RetainedProofsReadModel();
  let readModels: Subscription | undefined;
  let relay: Relay | undefined;

  const caughtUp = async () => {
    if (!readModels) throw new Error('the catalog module is not started');
    await readModels.caughtUp();
  };
  const lintContext = async (): Promise<LintContext> => {
    await caughtUp();
    return { retainedProofs: proofs.catalog(), sharedRecords: deps.sharedRecords };
  };
  const policies = new PolicyRegister({ store: deps.store, clock: deps.clock, calendar: deps.calendar });
  const commands = new CatalogCommands({ store: deps.store, clock: deps.clock, calendar: deps.calendar, lintContext, proofsCaughtUp: caughtUp });

  const routes: FastifyPluginAsync = async (instance) => {
    const app = instance as unknown as App;
    await publicRoutes(app, { guides, proofs });
    await supervisionRoutes(app, { guides });
    await policyRoutes(app, { policies });
    await app.register(async (child) => adminRoutes(child as unknown as App, { commands, caughtUp }), { prefix: '/admin' });
  };

  return {
    name: 'catalog',
    commands,
    guides,
    proofs,
    caughtUp,
    relayCaughtUp: async () => relay?.caughtUp(),
    routes,
    readinessChecks: [
      { name: 'catalog-event-store', check: async () => void (await deps.store.headPosition()) },
      // Fails once the subscription died (a stored event that no longer parses): the read models would go stale.
      { name: 'catalog-read-models', check: caughtUp },
    ],
    async start() {
      readModels = deps.store.subscribeToAll(
        { subscriptionId: `catalog-read-models-${randomUUID()}`, filter: { categories: [...CATALOG_PUBLISHED_CATEGORIES] }, startAfter: 0n, storeCheckpoints: false },
        async (events) => {
          proofs.apply(events);
          guides.apply(events);
        },
      );
      await readModels.caughtUp();
      if (deps.bus) {
        const topicFor = deps.topicFor ?? ((topic: string) => topic);
        await deps.bus.ensureTopics([{ topic: topicFor(topicOf('catalog')), partitions: defaultPartitions }]);
        const log = deps.logger?.child({ module: 'catalog' });
        relay = createRelay({
          store: deps.store,
          bus: deps.bus,
          name: CATALOG_RELAY_NAME,
          map: catalogIntegrationEvents,
          filter: { categories: [...CATALOG_PUBLISHED_CATEGORIES] },
          topicFor,
          ...(log && { log: { warn: (d, m) => log.warn(d, m), error: (d, m) => log.error(d, m) } }),
        });
        relay.start();
      }
      deps.logger?.info({ guides: guides.list().length, proofs: proofs.list().length, relay: deps.bus !== undefined }, 'catalog module started');
    },
    async stop() {
      await relay?.stop();
      await readModels?.stop();
    },
  };
}
