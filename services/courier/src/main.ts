/**
 * The courier process: `@govsvc/service-host` opens the PostgreSQL store,
 * Kafka and the clock (courier has no in-memory mode) and serves the module
 * under `/courier`; this file adds courier's own adapters: the local carrier
 * for development and the shared webhook replay guard in Redis.
 */
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { createLocalCarrier, DEFAULT_JOURNEY } from './adapters/local-carrier.ts';
import { createRedisReplayGuard } from './adapters/redis-replay-guard.ts';
import { loadCourierConfig } from './config.ts';
import { createCourierModule } from './module.ts';

const config = loadCourierConfig();
const host = await openHost('courier', config, { requireDurable: true });
const localSecret = config.CARRIER_SECRETS.get('local');
const carriers = localSecret
  ? [
      createLocalCarrier({
        clock: host.clock,
        secret: localSecret,
        webhookUrl: () => `${config.PUBLIC_BASE_URL}/courier/carriers/local/webhook`,
        journey: DEFAULT_JOURNEY.map((step) => ({ ...step, afterMs: step.afterMs / config.LOCAL_CARRIER_TIME_SCALE })),
        log: (m, d) => host.logger.warn(d, m),
      }),
    ]
  : [];
const replayGuard = config.REDIS_URL ? createRedisReplayGuard({ url: config.REDIS_URL }) : undefined;
const module = createCourierModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
  carriers,
  defaultCarrier: config.DEFAULT_CARRIER,
  carrierSecrets: config.CARRIER_SECRETS,
  centreAddress: config.CENTRE_ADDRESS,
  centreId: config.CENTRE_ID,
  contactKeys: parseContactKeyring(config.APPLICANT_CONTACT_KEYS),
  webhookWindowMs: config.WEBHOOK_WINDOW_MS,
  instanceId: config.INSTANCE_ID,
  ...(replayGuard && { replayGuard }),
  topicFor: host.topicFor,
  names: { consumerGroup: host.consumerGroup },
});
await serve(host, {
  module,
  description: 'Two-way express delivery with tracking (Art. 19)',
  closers: replayGuard ? [{ name: 'redis', close: () => replayGuard.close() }] : [],
  readinessChecks: replayGuard ? [{ name: 'redis-replay-guard', check: () => replayGuard.ping() }] : [],
});
