/**
 * Publishing a guide document straight into the PostgreSQL event store,
 * without a running catalog service: for operators with database access
 * (`govsvc guide publish <file> --database-url …`). The same decider and
 * lints decide, against the retained proofs in that store and the shared-data
 * directory; a running catalog's relay later publishes the contracts, since
 * it tails the store. It bypasses the HTTP API's authentication, so access
 * to it is access to the database.
 */
import { loadCalendar } from '@govsvc/calendar/data-files';
import { createPostgresEventStore } from '@govsvc/eventstore/postgres/postgres-event-store';
import { systemClock } from '@govsvc/runtime/clock';
import type { GuideContent } from '../domain/guide/content.ts';
import type { Change } from '../domain/guide/events.ts';
import { createCatalogModule } from '../module.ts';
import { FIXTURES_DIR, loadReferenceData } from './fixture-catalog.ts';

export interface LocalPublishOptions {
  readonly databaseUrl: string;
  readonly content: GuideContent;
  readonly change?: Change;
  /** Who publishes: recorded as the actor of the events. */
  readonly actor: string;
  readonly correlationId: string;
  readonly fixturesDir?: string;
  readonly calendarDataDir?: string;
}

export async function publishGuideToStore(options: LocalPublishOptions) {
  const store = await createPostgresEventStore({ connectionString: options.databaseUrl });
  try {
    const reference = await loadReferenceData(options.fixturesDir ?? FIXTURES_DIR);
    const module = createCatalogModule({
      store,
      clock: systemClock,
      calendar: await loadCalendar(options.calendarDataDir),
      sharedRecords: reference.sharedRecords,
    });
    await module.start();
    try {
      return await module.commands.publishGuideDocument(options.content, options.change, {
        actor: { id: options.actor, role: 'admin' },
        correlationId: options.correlationId,
      });
    } finally {
      await module.stop();
    }
  } finally {
    await store.close();
  }
}
