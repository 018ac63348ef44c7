import { describeEventStoreContract } from '../contract/event-store-contract.ts';
import { createInMemoryEventStore } from './memory-event-store.ts';

describeEventStoreContract('in-memory', async () => createInMemoryEventStore(), { propertyRuns: 100 });
