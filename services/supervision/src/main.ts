/**
 * The supervision process: `@govsvc/service-host` opens the store, bus and
 * clock from the environment and serves the module under `/supervision`;
 * supervision adds its Redis projections (deadline index, case timeline; in
 * memory without REDIS_URL), closed after the module's scheduler, consumer,
 * relay and projections stop.
 */
import { loadSchedules } from '@govsvc/calendar/data-files';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { createRedisCaseTimeline } from './adapters/redis-case-timeline.ts';
import { createRedisDeadlineIndex } from './adapters/redis-deadline-index.ts';
import { createMemoryCaseTimeline } from './app/case-timeline.ts';
import { createMemoryDeadlineIndex } from './app/deadline-index.ts';
import { loadSupervisionConfig } from './config.ts';
import { createSupervisionModule } from './module.ts';

const config = loadSupervisionConfig();
const host = await openHost('supervision', config);
const redisIndex = config.REDIS_URL ? createRedisDeadlineIndex({ url: config.REDIS_URL, prefix: `${config.REDIS_KEY_PREFIX}dl:` }) : undefined;
const index = redisIndex ?? createMemoryDeadlineIndex();
const timeline = config.REDIS_URL ? createRedisCaseTimeline({ url: config.REDIS_URL, prefix: config.REDIS_KEY_PREFIX }) : createMemoryCaseTimeline();
if (!config.SEAL_PUBLIC_KEYS) host.logger.warn('SEAL_PUBLIC_KEYS not set: sealed documents will be reported as unverifiable');

const module = createSupervisionModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
  schedules: await loadSchedules(config.CALENDAR_DATA_DIR),
  index,
  timeline,
  warning: { minUnits: config.WARNING_MIN_UNITS, fraction: config.WARNING_FRACTION },
  consumerGroupId: host.consumerGroup,
  topicFor: host.topicFor,
  scheduler: {
    batchSize: config.SCHEDULER_BATCH_SIZE,
    concurrency: config.SCHEDULER_CONCURRENCY,
    freshShare: config.SCHEDULER_FRESH_SHARE,
    freshWindowMs: config.SCHEDULER_FRESH_WINDOW_MS,
  },
  ...(config.SEAL_PUBLIC_KEYS ? { sealKeys: config.SEAL_PUBLIC_KEYS } : {}),
  ...(config.CONSOLE_SESSION_SECRET ? { consoleSecret: config.CONSOLE_SESSION_SECRET } : {}),
  readinessChecks: redisIndex ? [{ name: 'redis', check: () => redisIndex.ping() }] : [],
});
await serve(host, {
  module,
  closers: [
    { name: 'deadline-index', close: () => index.close() },
    { name: 'case-timeline', close: () => timeline.close() },
  ],
  adapters: { index: redisIndex ? 'redis' : 'memory' },
});
