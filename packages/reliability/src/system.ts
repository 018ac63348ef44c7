/**
 * The whole system in this process, for the fast rows of the matrix: every
 * service module the standalone composition knows (`SERVICES` from
 * `@govsvc/standalone/modules`, so a service added there is attacked here
 * without a change), mounted on one app exactly as `pnpm start` mounts them,
 * over the in-memory event store and the in-process bus. Tokens are real
 * (a fresh key pair per system, audience `standalone`), logs are captured for
 * the masking checks, and every message published on the bus is recorded so a
 * test can deliver it again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCalendar, loadSchedules } from '@govsvc/calendar/data-files';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus, OutgoingMessage } from '@govsvc/messaging/bus';
import { createInProcessBus } from '@govsvc/messaging/in-process-bus';
import { systemClock } from '@govsvc/runtime/clock';
import { randomIds } from '@govsvc/runtime/ids';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { MintOptions } from '@govsvc/service-kit/dev-tokens';
import { createLogger } from '@govsvc/service-kit/logging';
import { mountModules, startModules, stopModules, type ServiceModule } from '@govsvc/service-kit/module';
import type { Role } from '@govsvc/service-kit/principal';
import type { RateLimitOptions } from '@govsvc/service-kit/rate-limit';
import { createTestAuth, LogCapture, type TestAuth } from '@govsvc/service-kit/testing';
import { DEV_IDENTITIES } from '@govsvc/standalone/banner';
import { loadStandaloneConfig } from '@govsvc/standalone/config';
import { SERVICES, type ComposedModule, type CompositionContext } from '@govsvc/standalone/modules';
import { loadSecrets } from '@govsvc/standalone/secrets';
import type { Http } from './workload.ts';

export const AUDIENCE = 'standalone';

/** A message as it was published, to deliver it again. */
export interface PublishedMessage {
  readonly topic: string;
  readonly message: OutgoingMessage;
}

export interface System {
  readonly app: App;
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly logs: LogCapture;
  readonly auth: TestAuth;
  readonly services: readonly string[];
  /** Every message published so far, in publish order. */
  readonly published: readonly PublishedMessage[];
  /**
   * A valid token for the whole system: the role's development identity
   * (subject, centre, department as the standalone banner prints them), overridable.
   */
  token(role: Role, claims?: Partial<MintOptions>): Promise<string>;
  /** Where the app listens on loopback (for real-socket checks). */
  readonly url: string;
  /** Requests through `inject`, as the workload helpers make them. */
  readonly http: Http;
  /** Waits until the store's head has not moved for `quietMs` (background consumers done). */
  settle(quietMs?: number, timeoutMs?: number): Promise<bigint>;
  close(): Promise<void>;
}

export interface SystemOptions {
  readonly rateLimit?: RateLimitOptions;
  /** A data folder to use and keep (its generated keys are reused by the next system given it); a fresh temporary one otherwise. */
  readonly dataDir?: string;
}

function recordingBus(inner: MessageBus, published: PublishedMessage[]): MessageBus {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'publish') {
        return async (topic: string, messages: readonly OutgoingMessage[]) => {
          await target.publish(topic, messages);
          for (const message of messages) published.push({ topic, message });
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Starts every module on one app; the catalog publishes its fixture guides, as in `pnpm start`. */
export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'govsvc-reliability-')));
  const config = loadStandaloneConfig({ NODE_ENV: 'test', GOVSVC_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const { secrets } = await loadSecrets(config);
  const logs = new LogCapture();
  const logger = createLogger({ serviceName: AUDIENCE, level: 'info' }, logs);
  const store = createInMemoryEventStore();
  const published: PublishedMessage[] = [];
  const bus = recordingBus(createInProcessBus(), published);
  const context: CompositionContext = {
    store,
    bus,
    clock: systemClock,
    ids: randomIds,
    logger,
    calendar: await loadCalendar(),
    schedules: await loadSchedules(),
    secrets,
    topicFor: (topic) => topic,
    consumerGroupFor: (service) => service,
    redis: null,
    mail: { kind: 'mailbox', dir: join(dataDir, 'mail'), from: 'govsvc <noreply@example.invalid>' },
    publishFixtures: true,
    // The app listens on a loopback port (below), so webhooks the local carrier pushes reach it.
    publicUrl: () => publicUrl,
  };
  let publicUrl = 'http://127.0.0.1:0';
  const composed: ComposedModule[] = [];
  for (const entry of SERVICES) composed.push(await entry.create(context));
  const modules: ServiceModule[] = composed.map((c) => c.module);

  const auth = await createTestAuth(AUDIENCE);
  const app = await buildApp(
    { logger, tokenVerifier: auth.verifier },
    { serviceName: AUDIENCE, version: '0.0.0-reliability', defaultMetrics: false, ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }) },
  );
  // As the standalone process does: a protected route declared without a schema would break /docs/json.
  app.addHook('onRoute', (route) => {
    route.schema ??= {};
  });
  await mountModules(app, modules);
  publicUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  await startModules(modules);
  for (const c of composed) await c.afterStart?.();

  const tokens = new Map<Role, Promise<string>>();
  const system: System = {
    app,
    store,
    bus,
    logs,
    auth,
    services: modules.map((m) => m.name),
    published,
    url: publicUrl,
    async http({ method, url, token, body, headers = {} }) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: { ...headers, ...(token !== undefined && { authorization: `Bearer ${token}` }) },
        ...(body !== undefined && { payload: body as object }),
      });
      const replyHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
      return { status: res.statusCode, headers: replyHeaders, body: res.body };
    },
    token: (role, claims) => {
      const { subject, centre, department } = DEV_IDENTITIES[role];
      const mint = () => auth.token([role], { subject, ...(centre !== undefined && { centre }), ...(department !== undefined && { department }), ...claims });
      if (claims !== undefined) return mint();
      // Signing is the slow part of a fuzz request: one token per role is enough.
      let cached = tokens.get(role);
      if (cached === undefined) {
        cached = mint();
        tokens.set(role, cached);
      }
      return cached;
    },
    async settle(quietMs = 300, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let head = await store.headPosition();
      let since = Date.now();
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = await store.headPosition();
        if (now !== head) {
          head = now;
          since = Date.now();
        } else if (Date.now() - since >= quietMs) {
          return head;
        }
      }
      throw new Error(`the system did not settle within ${timeoutMs} ms (head still moving at ${head})`);
    },
    async close() {
      await app.close();
      await stopModules(modules).catch(() => undefined);
      for (const c of composed) for (const closer of c.closers) await closer.close();
      await bus.close();
      await store.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
  await system.settle();
  return system;
}

