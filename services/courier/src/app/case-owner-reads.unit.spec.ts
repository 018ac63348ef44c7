/** How often recording a case's owner reads the store (issue 8: courier read each case's stream twice a day). */
import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import type { EventStore } from '@govsvc/eventstore/port';
import { ControlledClock } from '@govsvc/runtime/clock';
import { CourierService, type Cause } from './courier-service.ts';
import { caseStream } from './codec.ts';

const OWNER = '0f8fad5b-d9cb-469f-a165-70867728950e';
const MASKED = '110105********002X';
const cause = (seed: string): Cause => ({ seed, actor: { id: 'courier-consumer', role: 'system' }, correlationId: `corr-${seed}` });

function countingStore(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const counting = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'readStream') return (...args: Parameters<EventStore['readStream']>) => (reads++, target.readStream(...args));
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { store: counting, reads: () => reads };
}

const serviceOn = (store: EventStore) =>
  new CourierService({
    store,
    clock: new ControlledClock('2025-03-21T01:00:00.000Z'),
    carriers: new Map(),
    defaultCarrier: 'none',
    centreAddress: { name: '北京市政务服务中心', phone: '010-12345678', region: '110106', address: '北京市丰台区西三环南路1号' },
  });

describe('recording the owner of a case (R-COURIER-1)', () => {
  it('a new case is recorded without a read, and a later contract naming the same owner and centre reads nothing and adds nothing', async () => {
    const memory = createInMemoryEventStore();
    const { store, reads } = countingStore(memory);
    const service = serviceOn(store);

    await service.recordCaseOwner('BJ-C1', OWNER, MASKED, cause('submitted'), { probablyNew: true });
    await service.recordCaseCentre('BJ-C1', 'centre-chaoyang', 'submission', cause('centre'));
    await service.recordCaseOwner('BJ-C1', OWNER, MASKED, cause('preferences'));
    await service.recordCaseCentre('BJ-C1', 'centre-chaoyang', 'pickup', cause('preferences-centre'));
    expect(reads()).toBe(0);
    expect((await memory.readStream(caseStream('BJ-C1'))).map((e) => e.type)).toEqual(['CaseOwnerRecorded', 'CaseCentreRecorded']);
  });

  it('a wrong guess (the case exists, this process holds nothing) is read after all, and the contract adds nothing twice', async () => {
    const memory = createInMemoryEventStore();
    await serviceOn(memory).recordCaseOwner('BJ-C2', OWNER, MASKED, cause('submitted'), { probablyNew: true });
    const { store, reads } = countingStore(memory);
    const restarted = serviceOn(store);

    await restarted.recordCaseOwner('BJ-C2', OWNER, MASKED, cause('submitted'), { probablyNew: true });
    expect(reads()).toBeGreaterThan(0);
    expect((await memory.readStream(caseStream('BJ-C2'))).map((e) => e.type)).toEqual(['CaseOwnerRecorded']);
  });
});
