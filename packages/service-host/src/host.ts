/**
 * One service module as its own process. Every `services/<name>/src/main.ts`
 * is the same four steps — read the environment, open the shared adapters,
 * build the service's own, serve — and only the third differs, so the rest
 * lives here: one place decides how a process picks its event store, bus and
 * clock, names its topics and consumer group, mounts the clock endpoint,
 * logs "<name> listening" (process supervisors and the end-to-end harnesses
 * wait for that line) and shuts down in order (module, the service's own
 * adapters, bus, store).
 */
import type { Logger } from 'pino';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { createKafkaBus, type BusLogger } from '@govsvc/messaging/kafka-bus';
import { withProducerWorker } from '@govsvc/messaging/kafka-producer-worker';
import type { Clock } from '@govsvc/runtime/clock';
import { appDepsFromConfig, appOptionsFromConfig, buildApp, type App, type AppDeps } from '@govsvc/service-kit/app';
import type { ReadinessCheck } from '@govsvc/service-kit/health';
import { listen, listenOptionsFromConfig, type RunningServer } from '@govsvc/service-kit/listen';
import { mountModules, startModules, type ServiceModule } from '@govsvc/service-kit/module';
import type { Closer } from '@govsvc/service-kit/shutdown';
import { checkHostConfig, namingOf, type HostConfig } from './host-config.ts';
import { clockRoutes, createProcessClock, type ProcessClock } from './process-clock.ts';

export interface Host<C extends HostConfig = HostConfig> {
  readonly service: string;
  readonly config: C;
  readonly appDeps: AppDeps;
  readonly logger: Logger;
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly time: ProcessClock;
  readonly clock: Clock;
  readonly topicFor: (topic: string) => string;
  readonly consumerGroup: string;
  /** What the process runs on, for its start-up line. */
  readonly adapters: Readonly<Record<string, string>>;
}

export interface OpenHostOptions {
  /** Refuse to fall back to in-memory adapters (services whose state must survive a restart). */
  readonly requireDurable?: boolean;
}

/** Opens the adapters every service shares, from its (already loaded) configuration. */
export async function openHost<C extends HostConfig>(service: string, config: C, options: OpenHostOptions = {}): Promise<Host<C>> {
  checkHostConfig(config);
  if (options.requireDurable && (!config.DATABASE_URL || !config.KAFKA_BROKERS)) {
    throw new Error(`${service} needs DATABASE_URL and KAFKA_BROKERS: it has no in-memory mode`);
  }
  const appDeps = await appDepsFromConfig(config);
  const logger = appDeps.logger;
  const time = await createProcessClock({
    mode: config.GOVSVC_CLOCK,
    ...(config.GOVSVC_CLOCK_STATE_FILE !== undefined && { stateFile: config.GOVSVC_CLOCK_STATE_FILE }),
    ...(config.GOVSVC_CLOCK_START !== undefined && { start: config.GOVSVC_CLOCK_START }),
  });
  if (time.mode !== 'system') logger.warn({ clock: time.mode, now: time.clock.now().toISOString() }, 'the clock is not the wall clock: POST /admin/clock moves it');
  const store: EventStore = config.DATABASE_URL ? await createPostgresEventStore({ connectionString: config.DATABASE_URL }) : createInMemoryEventStore({ now: () => time.clock.now() });
  const kafkaLog: BusLogger = (level, message, extra) => logger[level]({ kafka: extra }, message);
  const kafka = config.KAFKA_BROKERS ? { brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME, log: kafkaLog } : undefined;
  let bus: MessageBus = kafka ? createKafkaBus(kafka) : createInProcessBus();
  if (kafka && config.KAFKA_PRODUCER_THREAD) bus = withProducerWorker(bus, kafka);
  const naming = namingOf(service, config);
  return {
    service,
    config,
    appDeps,
    logger,
    store,
    bus,
    time,
    clock: time.clock,
    ...naming,
    adapters: {
      store: config.DATABASE_URL ? 'postgres' : 'memory',
      bus: config.KAFKA_BROKERS ? (config.KAFKA_PRODUCER_THREAD ? 'kafka (producer thread)' : 'kafka') : 'in-process',
      clock: time.mode,
      ...(config.TOPIC_PREFIX !== '' && { topicPrefix: config.TOPIC_PREFIX }),
      consumerGroup: naming.consumerGroup,
    },
  };
}

export interface ServeOptions {
  readonly module: ServiceModule;
  /** The OpenAPI description of the service. */
  readonly description?: string;
  /** The service's own adapters, closed after the module stops and before the bus and the store. */
  readonly closers?: readonly Closer[];
  /** Extra fields of the start-up line (e.g. `counters: 'redis'`). */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Readiness of the service's own adapters (e.g. its Redis), beside the module's. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Runs after the module started, before the port opens (e.g. publishing fixtures). */
  readonly afterStart?: () => Promise<void>;
}

export interface ServedProcess extends RunningServer {
  readonly app: App;
}

/** Mounts the module under `/<name>` with the clock endpoint, starts it, listens, and logs "<name> listening". */
export async function serve(host: Host, options: ServeOptions): Promise<ServedProcess> {
  const { module } = options;
  const app = await buildApp(host.appDeps, { ...appOptionsFromConfig(host.config), ...(options.description !== undefined && { description: options.description }) });
  await app.register(clockRoutes(host.time, host.service));
  await mountModules(app, [module]);
  for (const check of options.readinessChecks ?? []) app.readiness.register(check);
  await startModules([module]);
  await options.afterStart?.();
  const server = await listen(
    app,
    listenOptionsFromConfig(host.config, [
      { name: `${module.name}-module`, close: () => module.stop() },
      ...(options.closers ?? []),
      { name: 'bus', close: () => host.bus.close() },
      { name: 'event-store', close: () => host.store.close() },
    ]),
  );
  host.logger.info({ url: server.url, ...host.adapters, ...options.adapters }, `${host.service} listening`);
  return { ...server, app };
}
