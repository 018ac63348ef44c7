/**
 * The review process: `@govsvc/service-host` opens the store, bus and clock
 * from the environment (in-memory when none is named) and serves the module
 * under `/review`; this file adds review's own part, the seal keys.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { ed25519SealSigner, generateSealKeySet } from './app/seal-signer.ts';
import { loadReviewConfig } from './config.ts';
import { createReviewModule } from './module.ts';

const config = loadReviewConfig();
const host = await openHost('review', config);
const sealKeys = config.REVIEW_SEAL_KEYS ?? generateSealKeySet();
if (!config.REVIEW_SEAL_KEYS) host.logger.warn({ sealId: sealKeys.sealId }, 'REVIEW_SEAL_KEYS not set: sealing with a development key generated at start');

const module = createReviewModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  seal: ed25519SealSigner(sealKeys),
  consumerGroup: host.consumerGroup,
  topicFor: host.topicFor,
});
await serve(host, { module });
