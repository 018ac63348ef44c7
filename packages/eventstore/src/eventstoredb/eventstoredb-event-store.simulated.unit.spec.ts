import { describeEventStoreContract } from '../contract/event-store-contract.ts';
import { createEventStoreDbEventStore } from './eventstoredb-event-store.ts';
import { createSimulatedEsdbClient } from './simulated-esdb-client.ts';

// The adapter's own logic over an in-process stand-in of the narrow client (see
// simulated-esdb-client.ts). The real server runs in eventstoredb-event-store.contract.int.spec.ts.
describeEventStoreContract(
  'EventStoreDB adapter over a simulated client',
  async () => createEventStoreDbEventStore(createSimulatedEsdbClient(), { pollIntervalMs: 20 }),
  { globallyUniqueEventIds: false, propertyRuns: 30 },
);
