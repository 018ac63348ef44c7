/**
 * The catalog process: `@govsvc/service-host` opens the store, bus and clock
 * from the environment and serves the module under `/catalog`; this file adds
 * the catalog's own part, publishing the fixture catalog at start (unless
 * CATALOG_PUBLISH_FIXTURES=false; unchanged guides produce no events).
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { FIXTURES_DIR, loadFixtureCatalog, loadSharedRecords, publishFixtureCatalog } from './app/fixture-catalog.ts';
import { loadCatalogConfig } from './config.ts';
import { createCatalogModule } from './module.ts';

const config = loadCatalogConfig();
const host = await openHost('catalog', config);
const fixturesDir = config.CATALOG_FIXTURES_DIR ?? FIXTURES_DIR;
const fixtures = config.CATALOG_PUBLISH_FIXTURES ? await loadFixtureCatalog(fixturesDir) : undefined;

const module = createCatalogModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  logger: host.logger,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  sharedRecords: fixtures?.sharedRecords ?? (await loadSharedRecords(fixturesDir)),
  topicFor: host.topicFor,
});

await serve(host, {
  module,
  description: 'Service items, versioned guides (办事指南), retained proofs and cross-level consistency',
  async afterStart() {
    if (!fixtures) return;
    const result = await publishFixtureCatalog(module.commands, fixtures, { actor: { id: 'catalog-fixture-loader', role: 'system' }, correlationId: `catalog-start-${randomIds.next()}` });
    host.logger.info({ published: result.published.length, unchanged: result.unchanged.length, proofsCatalogued: result.proofsCatalogued }, 'fixture catalog published');
  },
});
