import { createIsolatedSchema } from '@govsvc/testkit/postgres';
import { describeEventStoreContract } from '../contract/event-store-contract.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

describeEventStoreContract(
  'PostgreSQL (pg)',
  async () => {
    const schema = await createIsolatedSchema('eventstore_contract');
    const store = await createPostgresEventStore({ connectionString: schema.connectionString, pollIntervalMs: 100 });
    return { store, teardown: () => schema.drop() };
  },
  { propertyRuns: 15 },
);
