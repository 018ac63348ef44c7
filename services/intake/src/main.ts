/**
 * The intake process: `@govsvc/service-host` opens the store, bus and clock
 * from the environment (in-memory when none is named) and serves the module
 * under `/intake`; `wiring.ts` adds intake's own adapters (slot counters,
 * seals, contact keys), closed after the module's consumer and relay stop.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { loadIntakeConfig } from './config.ts';
import { createIntakeModule } from './module.ts';
import { intakeDepsFromConfig } from './wiring.ts';

const config = loadIntakeConfig();
const host = await openHost('intake', config);
const { deps, closers } = intakeDepsFromConfig(config, {
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  topicFor: host.topicFor,
  consumerGroupId: host.consumerGroup,
});
await serve(host, { module: createIntakeModule(deps), closers, adapters: { counters: config.REDIS_URL ? 'redis' : 'memory' } });
