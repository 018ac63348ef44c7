/**
 * A catalog app for tests, here and in other packages (the CLI's guide
 * commands, end-to-end journeys): the real app factory, real signed tokens,
 * the real module over a given event store (in memory by default), a
 * controlled clock and the real calendar and fixture reference data.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import type { MessageBus } from '@govsvc/messaging/bus';
import { ControlledClock } from '@govsvc/runtime/clock';
import { buildApp, type App } from '@govsvc/service-kit/app';
import type { Role } from '@govsvc/service-kit/principal';
import { createTestAuth, testAppDeps, type TestAuth } from '@govsvc/service-kit/testing';
import { loadFixtureCatalog, type FixtureCatalog } from './app/fixture-catalog.ts';
import { createCatalogModule, type CatalogModule } from './module.ts';

export interface Harness {
  readonly app: App;
  readonly module: CatalogModule;
  readonly store: EventStore;
  readonly clock: ControlledClock;
  readonly fixtures: FixtureCatalog;
  readonly calendar: WorkingCalendar;
  readonly auth: TestAuth;
  /** `authorization` header with a token for these roles. */
  bearer(...roles: Role[]): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

let shared: { calendar: WorkingCalendar; fixtures: FixtureCatalog } | undefined;

export async function createHarness(options: { store?: EventStore; bus?: MessageBus; start?: string } = {}): Promise<Harness> {
  shared ??= { calendar: await loadCalendar(), fixtures: await loadFixtureCatalog() };
  const auth = await createTestAuth('catalog');
  const store = options.store ?? createInMemoryEventStore();
  const clock = new ControlledClock(options.start ?? '2025-03-03T09:00:00+08:00');
  const module = createCatalogModule({
    store,
    clock,
    calendar: shared.calendar,
    sharedRecords: shared.fixtures.sharedRecords,
    ...(options.bus && { bus: options.bus }),
  });
  const app = await buildApp(testAppDeps(auth, 'catalog'), { serviceName: 'catalog', version: 'test', defaultMetrics: false });
  for (const check of module.readinessChecks) app.readiness.register(check);
  await app.register(module.routes, { prefix: '/catalog' });
  await module.start();
  await app.ready();
  return {
    app,
    module,
    store,
    clock,
    fixtures: shared.fixtures,
    calendar: shared.calendar,
    auth,
    bearer: async (...roles) => ({ authorization: `Bearer ${await auth.token(roles)}` }),
    async close() {
      await app.close();
      await module.stop();
    },
  };
}

/** The content of one fixture guide, by file name. */
export function fixtureGuide(h: Harness, file: string) {
  const found = h.fixtures.guides.find((g) => g.file === `guides/${file}`);
  if (!found) throw new Error(`no fixture ${file}`);
  return structuredClone(found.content);
}
