/**
 * The evaluation process: `@govsvc/service-host` opens the store, bus and
 * clock from the environment (in-memory when none is named) and serves the
 * module under `/evaluation`; evaluation adds only its complaint limit and
 * projection polling.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { randomIds } from '@govsvc/runtime/ids';
import { openHost, serve } from '@govsvc/service-host/host';
import { loadEvaluationConfig } from './config.ts';
import { createEvaluationModule } from './module.ts';

const config = loadEvaluationConfig();
const host = await openHost('evaluation', config);

const module = createEvaluationModule({
  store: host.store,
  bus: host.bus,
  clock: host.clock,
  ids: randomIds,
  logger: host.logger,
  calendar: await loadCalendar(config.CALENDAR_DATA_DIR),
  complaintLimitWorkingDays: config.COMPLAINT_LIMIT_WORKING_DAYS,
  topicFor: host.topicFor,
  consumerGroup: host.consumerGroup,
});
await serve(host, { module });
