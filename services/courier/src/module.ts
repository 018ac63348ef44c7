/**
 * The courier service as a module (docs/architecture.md "One shape for every
 * service"): routes under `/courier` (carrier webhooks under
 * `/courier/carriers`), readiness, and start/stop of its relay (waybill
 * streams → contracts), its consumer and its live-update feed.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ContactKeyring } from '@govsvc/contracts/sealed-contact';
import { topicOf } from '@govsvc/contracts/topics';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import type { IntegrationEventConsumer } from '@govsvc/messaging/consumer';
import { createRelay, type Relay } from '@govsvc/messaging/relay';
import type { Clock } from '@govsvc/runtime/clock';
import type { IdGenerator } from '@govsvc/runtime/ids';
import { Counter, Gauge } from '@govsvc/service-kit/metrics';
import type { App } from '@govsvc/service-kit/app';
import type { ServiceModule } from '@govsvc/service-kit/module';
import type { Logger } from 'pino';
import type { Carrier } from './app/carriers.ts';
import { WAYBILL_CATEGORY } from './app/codec.ts';
import { COURIER_CONSUMED_TOPICS, createCourierConsumer } from './app/consumers.ts';
import { courierContractOf } from './app/contract-mapping.ts';
import { CourierService, DEFAULT_UNMATCHED_SCAN_RETENTION_MS } from './app/courier-service.ts';
import { LiveUpdates } from './app/live-updates.ts';
import { createInMemoryReplayGuard, type ReplayGuard } from './app/webhook-signature.ts';
import type { Address } from './domain/events.ts';
import { courierRoutes } from './http/routes.ts';
import { webhookRoutes } from './http/webhook.ts';

export interface CourierModuleDeps {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly carriers: readonly Carrier[];
  readonly defaultCarrier: string;
  /** Webhook secret per carrier name. */
  readonly carrierSecrets: ReadonlyMap<string, string>;
  readonly centreAddress: Address;
  /** Id of the centre at `centreAddress` (token claim `centre`): its clerks see every parcel. Others see their cases'. */
  readonly centreId?: string;
  /** Opens the postal address delivery hands over sealed. */
  readonly contactKeys: ContactKeyring;
  readonly replayGuard?: ReplayGuard;
  /** Accepted distance of a webhook's `sentAt` from our clock (default 5 minutes). */
  readonly webhookWindowMs?: number;
  /** Names this process's live-update subscription (one per instance). */
  readonly instanceId: string;
  readonly names?: { readonly consumerGroup?: string; readonly relay?: string };
  readonly topicFor?: (contractTopic: string) => string;
  /**
   * Carrier scans for a tracking number no waybill claims yet: held this long (default 7 days) for the
   * waybill, then marked expired by a sweep every `sweepIntervalMs` (default 10 minutes).
   */
  readonly unmatchedScans?: { readonly retentionMs?: number; readonly sweepIntervalMs?: number };
}

export type { ServiceModule };

export interface CourierModule extends ServiceModule {
  readonly service: CourierService;
  readonly relay: Relay;
}

export function createCourierModule(deps: CourierModuleDeps): CourierModule {
  const logger = deps.logger.child({ module: 'courier' });
  const topicFor = deps.topicFor ?? ((topic: string) => topic);
  const service = new CourierService({
    store: deps.store,
    clock: deps.clock,
    carriers: new Map(deps.carriers.map((c) => [c.name, c])),
    defaultCarrier: deps.defaultCarrier,
    centreAddress: deps.centreAddress,
    unmatchedScanRetentionMs: deps.unmatchedScans?.retentionMs ?? DEFAULT_UNMATCHED_SCAN_RETENTION_MS,
    onDirectoryError: (error) => logger.error({ err: error }, 'courier waybill directory stopped: a WaybillCreated event could not be folded'),
  });
  let sweep: NodeJS.Timeout | undefined;
  const live = new LiveUpdates(deps.store, `courier-live-${deps.instanceId}`);
  const relay = createRelay({
    store: deps.store,
    bus: deps.bus,
    name: deps.names?.relay ?? 'courier-relay',
    map: courierContractOf,
    filter: { categories: [WAYBILL_CATEGORY] },
    topicFor,
    log: { warn: (d, m) => logger.warn(d, m), error: (d, m) => logger.error(d, m) },
  });
  const replay = deps.replayGuard ?? createInMemoryReplayGuard();
  let consumer: IntegrationEventConsumer | undefined;

  return {
    name: 'courier',
    service,
    relay,
    routes: (async (app) => {
      registerUnmatchedScanMetrics(app.metrics, service);
      await app.register(async (scope) => courierRoutes(scope as never, { service, live, homeCentre: deps.centreId ?? null }));
      // Its own scope: the webhook's raw-body JSON parser must not replace the app's.
      await app.register(async (scope) => webhookRoutes(scope as never, { service, secrets: deps.carrierSecrets, replay, clock: deps.clock, windowMs: deps.webhookWindowMs ?? 300_000 }), {
        prefix: '/carriers',
      });
    }) as FastifyPluginAsync,
    readinessChecks: [
      { name: 'courier-event-store', check: async () => void (await deps.store.headPosition()) },
      // Fails once the waybill directory's subscription died: scans would be held instead of recorded.
      { name: 'courier-waybill-directory', check: () => service.directory.following() },
      // Not ready while the contract consumer is down (crashed and rejoining its group): contracts would silently stop arriving.
      { name: 'contract-consumer', check: async () => consumer?.readinessCheck().check() },
      {
        name: 'courier-relay',
        check: async () => {
          if (relay.status().state === 'failed') throw new Error(`relay failed: ${relay.status().lastError ?? ''}`);
        },
      },
    ],
    async start() {
      await deps.bus.ensureTopics([topicOf('courier'), ...COURIER_CONSUMED_TOPICS].map((topic) => ({ topic: topicFor(topic), partitions: 6 })));
      service.directory.start();
      relay.start();
      await live.start();
      consumer = createCourierConsumer(deps.bus, service, deps.contactKeys, logger, { groupId: deps.names?.consumerGroup, topicFor });
      await consumer.start();
      sweep = setInterval(() => {
        service.expireHeldScans().then(
          (expired) => expired > 0 && logger.warn({ expired }, 'carrier scans held past their retention marked expired: no waybill claimed them'),
          (error: unknown) => logger.error({ err: error }, 'expiring held carrier scans failed; next sweep retries'),
        );
      }, deps.unmatchedScans?.sweepIntervalMs ?? 600_000);
      sweep.unref();
      logger.info({}, 'courier module started: relay, live updates, consumer and held-scan sweep running');
    },
    async stop() {
      clearInterval(sweep);
      await consumer?.stop();
      await live.stop();
      await relay.stop();
      await service.directory.stop();
      for (const carrier of deps.carriers) await carrier.close?.();
    },
  };
}

/**
 * `courier_unmatched_scans_total{carrier, outcome}` (held, applied, expired) and
 * `courier_unmatched_scans_waiting` (read at scrape time): scans held for a waybill that does not exist.
 * A rising `expired` means carriers scan parcels we never recorded; `waiting` should stay near zero.
 */
function registerUnmatchedScanMetrics(registry: App['metrics'], service: CourierService): void {
  const existing = registry.getSingleMetric('courier_unmatched_scans_total');
  const counter =
    (existing as Counter<'carrier' | 'outcome'> | undefined) ??
    new Counter({ name: 'courier_unmatched_scans_total', help: 'Carrier scans for a tracking number no waybill claimed yet, by carrier and outcome (held, applied, expired).', labelNames: ['carrier', 'outcome'] as const, registers: [registry] });
  service.onUnmatchedScan((outcome, carrier) => counter.inc({ carrier, outcome }));
  if (registry.getSingleMetric('courier_unmatched_scans_waiting')) return;
  new Gauge({
    name: 'courier_unmatched_scans_waiting',
    help: 'Carrier scans held now for a waybill that does not exist yet.',
    registers: [registry],
    async collect() {
      this.set((await service.heldScans()).waiting);
    },
  });
}
