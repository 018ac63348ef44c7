/**
 * The waybill directory over PostgreSQL (R-COURIER-1: a carrier's scan finds its waybill; a case lists
 * its parcels). Started, it follows the store with a catch-up subscription: lookups read no part of the
 * log again, and a waybill whose commit lands after a later one's is waited for, not skipped.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeWithHeldCommits, type StoreWithHeldCommits } from '@govsvc/eventstore/postgres/held-commits';
import type { EventStore, ReadAllOptions } from '@govsvc/eventstore/port';
import { createIsolatedSchema, type IsolatedSchema } from '@govsvc/testkit/postgres';
import { waybillCodec, waybillStream } from './codec.ts';
import { WaybillDirectory } from './waybill-directory.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const address = { name: '朝阳区政务服务中心', phone: '010-12345678', region: '110105', address: '北京市朝阳区工体东路 1 号' };

async function createWaybill(store: EventStore, waybillId: string, caseId: string, trackingNumber: string): Promise<void> {
  const encoded = waybillCodec.encode({
    type: 'WaybillCreated',
    data: {
      waybillId,
      caseId,
      direction: 'outbound',
      carrier: 'local',
      trackingNumber,
      from: address,
      to: address,
      contents: [{ kind: 'licence', reference: `lic-${caseId}`, title: '食品经营许可证', copies: 1 }],
      owner: '0f8fad5b-d9cb-469f-a165-70867728950e',
      deliveryId: null,
      createdBy: 'clerk-7',
      createdAt: '2026-03-02T01:00:00.000Z',
    },
  });
  await store.appendToStream(waybillStream(waybillId), [{ id: randomUUID(), ...encoded, metadata: { caseId, correlationId: `corr-${waybillId}`, actor: { id: 'clerk-7', role: 'window-clerk' } } }], {
    expectedRevision: 'no_stream',
  });
}

/** The store, counting the readAll calls made through it. */
function countingReads(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'readAll') {
        return (options?: ReadAllOptions) => {
          reads += 1;
          return target.readAll(options);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, reads: () => reads };
}

describe('courier waybill directory (PostgreSQL)', () => {
  let schema: IsolatedSchema;
  let held: StoreWithHeldCommits;

  beforeAll(async () => {
    schema = await createIsolatedSchema('courier_directory');
    held = await storeWithHeldCommits(schema.connectionString);
  });
  afterAll(async () => {
    await held?.store.close();
    await schema?.drop();
  });

  it('R-COURIER-1: started, it finds waybills by tracking number and by case without reading the log again for each lookup', async () => {
    await createWaybill(held.store, 'wb-d1', 'BJ-2026-000401', 'T-401');
    const { store, reads } = countingReads(held.store);
    const directory = new WaybillDirectory(store);
    directory.start();
    try {
      expect(await directory.findByTracking('local', 'T-401')).toBe('wb-d1');
      await createWaybill(held.store, 'wb-d2', 'BJ-2026-000401', 'T-402');
      expect(await directory.findByTracking('local', 'T-402')).toBe('wb-d2');
      expect(await directory.waybillsOf('BJ-2026-000401')).toEqual(['wb-d1', 'wb-d2']);
      expect(await directory.findByTracking('local', 'T-unknown')).toBeUndefined();
      expect(await directory.waybillsOf('BJ-2026-000499')).toEqual([]);
      // Each of those lookups used to fold every WaybillCreated from position 0.
      expect(reads()).toBe(0);
    } finally {
      await directory.stop();
    }
  });

  it('R-COURIER-1: a waybill whose commit lands after a later one is waited for, not skipped', async () => {
    const directory = new WaybillDirectory(held.store);
    directory.start();
    try {
      expect(await directory.waybillsOf('BJ-2026-000402')).toEqual([]);
      const commitOfA = held.holdNextCommit();
      const creatingA = createWaybill(held.store, 'wb-a', 'BJ-2026-000402', 'T-A');
      await commitOfA.written; // position N written, not committed
      await createWaybill(held.store, 'wb-b', 'BJ-2026-000402', 'T-B'); // N + 1, committed

      const listed = directory.waybillsOf('BJ-2026-000402');
      expect(await Promise.race([listed.then(() => 'answered'), sleep(300).then(() => 'waiting for A')])).toBe('waiting for A');
      commitOfA.release();
      await creatingA;
      expect(await listed).toEqual(['wb-a', 'wb-b']);
      expect(await directory.findByTracking('local', 'T-A')).toBe('wb-a');
    } finally {
      await directory.stop();
    }
  });

  it('not started (a service used without its module), it folds the whole log for each lookup and finds the same', async () => {
    const directory = new WaybillDirectory(held.store);
    await createWaybill(held.store, 'wb-n1', 'BJ-2026-000403', 'T-N1');
    expect(await directory.findByTracking('local', 'T-N1')).toBe('wb-n1');
    expect(await directory.waybillsOf('BJ-2026-000403')).toEqual(['wb-n1']);
  });
});
