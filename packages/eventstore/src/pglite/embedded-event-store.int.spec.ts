import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '@govsvc/errors/errors';
import { computeEventHash } from '../audit/hash-chain.ts';
import type { StoredEvent } from '../port.ts';
import { newEvents } from '../test-fixtures.ts';
import { createEmbeddedEventStore, EMBEDDED_POLL_INTERVAL_MS } from './embedded-event-store.ts';

describe('embedded event store (PGlite) in a data folder', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'govsvc-eventstore-embedded-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loses nothing across a restart: events, chain, positions, checkpoints, and appends carry on', async () => {
    const first = await createEmbeddedEventStore({ dataDir });
    // The catch-up relies on the xid horizon; PGlite is real PostgreSQL, so it has it:
    // once a transaction committed, the next snapshot's horizon is past its id.
    const [mine] = await first.driver.transaction((tx) => tx.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid'));
    const [now] = await first.driver.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    expect(BigInt(now!.xmin)).toBeGreaterThan(BigInt(mine!.xid));

    await first.appendToStream('application-1', newEvents(3), { expectedRevision: 'no_stream' });
    await first.appendToStream('review-1', newEvents(2), { expectedRevision: 'no_stream' });
    await first.appendToStream('application-1', newEvents(1), { expectedRevision: 2n });
    const seen: StoredEvent[] = [];
    const subscription = first.subscribeToAll({ subscriptionId: 'relay', batchSize: 2 }, async (events) => {
      seen.push(...events);
    });
    await subscription.caughtUp();
    await subscription.stop();
    const before = await first.readAll();
    await first.close();

    const second = await createEmbeddedEventStore({ dataDir });
    try {
      expect(await second.readAll()).toEqual(before);
      expect(await second.checkpoints.read('relay')).toBe(before[before.length - 1]!.globalPosition);
      expect(await second.streamRevision('application-1')).toBe(3n);
      await expect(second.appendToStream('application-1', newEvents(1), { expectedRevision: 2n })).rejects.toBeInstanceOf(ConcurrencyError);

      const next = await second.appendToStream('application-1', newEvents(1), { expectedRevision: 3n });
      expect(next.lastGlobalPosition).toBeGreaterThan(before[before.length - 1]!.globalPosition);
      const stream = await second.readStream('application-1');
      expect(stream.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      // The chain continues from the hash stored before the restart.
      expect(stream[4]!.metadata.prevHash).toBe(stream[3]!.metadata.hash);
      for (const e of stream) expect(e.metadata.hash).toBe(computeEventHash(e, e.metadata.prevHash));

      const resumed: StoredEvent[] = [];
      const again = second.subscribeToAll({ subscriptionId: 'relay' }, async (events) => {
        resumed.push(...events);
      });
      await again.caughtUp();
      await again.stop();
      expect(seen).toHaveLength(before.length);
      expect(resumed.map((e) => e.revision)).toEqual([4n]);
    } finally {
      await second.close();
    }
  });

  it('wakes a subscription on each commit\'s own hint: the long poll is only a safety net', async () => {
    const store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    try {
      const seen: StoredEvent[] = [];
      const subscription = store.subscribeToAll({ subscriptionId: 'follower' }, async (events) => {
        seen.push(...events);
      });
      await subscription.caughtUp();
      // Each append arrives well inside one poll interval, so it came by the hint (PGlite's in-process NOTIFY).
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        await store.appendToStream(`application-wake-${i}`, newEvents(1), { expectedRevision: 'no_stream' });
        while (seen.length < i + 1) {
          if (Date.now() - started > EMBEDDED_POLL_INTERVAL_MS / 2) throw new Error(`append ${i} not delivered within half a poll interval`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      await subscription.stop();
    } finally {
      await store.close();
    }
  });
});
