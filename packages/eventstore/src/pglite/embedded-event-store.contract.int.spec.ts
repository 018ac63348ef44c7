import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../contract/event-store-contract.ts';
import { createEmbeddedEventStore } from './embedded-event-store.ts';

describeEventStoreContract(
  'embedded PostgreSQL (PGlite)',
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'govsvc-eventstore-contract-'));
    const store = await createEmbeddedEventStore({ dataDir, pollIntervalMs: 50 });
    return { store, teardown: () => rm(dataDir, { recursive: true, force: true }) };
  },
  { propertyRuns: 10 },
);
