import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeBusContract } from './bus-contract.ts';
import { createInProcessBus } from './in-process-bus.ts';
import { waitFor } from './wait-for.ts';

describeBusContract('in-process', async () => {
  const bus = createInProcessBus({ redeliveryDelayMs: 10 });
  return {
    bus,
    topic: (label) => `t.${label}.${randomUUID()}`,
    group: (label) => `g.${label}.${randomUUID()}`,
    settleTimeoutMs: 1_000,
    dispose: () => bus.close(),
  };
});

describe('in-process bus specifics', () => {
  it('refuses a topic that was never created, as Kafka does with auto-creation off', async () => {
    const bus = createInProcessBus();
    await expect(bus.publish('nope', [{ key: 'k', value: 'v' }])).rejects.toThrow(/nope/);
    await expect(bus.subscribe({ groupId: 'g', topics: ['nope'], handler: async () => undefined })).rejects.toThrow(/nope/);
    await bus.close();
  });

  it('stays flat in memory while consumers keep up, and never drops what a group has not consumed', async () => {
    const bus = createInProcessBus({ retainConsumed: 100 });
    await bus.ensureTopics([{ topic: 't', partitions: 2 }]);
    let fast = 0;
    await bus.subscribe({ groupId: 'fast', topics: ['t'], fromBeginning: true, handler: async () => void fast++ });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slow = 0;
    await bus.subscribe({ groupId: 'slow', topics: ['t'], fromBeginning: true, handler: async () => { await gate; slow++; } });
    for (let batch = 0; batch < 50; batch++) {
      await bus.publish('t', Array.from({ length: 100 }, (_, i) => ({ key: `case-${i}`, value: `${batch}:${i}` })));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => fast === 5_000, 'fast group done');
    // The slow group has consumed (almost) nothing: everything stays.
    expect(bus.retained('t')).toBeGreaterThanOrEqual(4_998);
    release();
    await waitFor(() => slow === 5_000, 'slow group done');
    await bus.publish('t', [{ key: 'case-1', value: 'last' }]);
    await waitFor(() => fast === 5_001 && slow === 5_001, 'the last one to both');
    // Both consumed: only about `retainConsumed` per partition stays.
    expect(bus.retained('t')).toBeLessThanOrEqual(2 * 200);
    const lag = await bus.consumerLag('fast', ['t']);
    expect(lag.reduce((n, p) => n + p.endOffset, 0n)).toBe(5_001n);
    expect(lag.every((p) => p.lag === 0n)).toBe(true);
    // A new group asking for everything gets what is still retained, from the log start.
    let late = 0;
    await bus.subscribe({ groupId: 'late', topics: ['t'], fromBeginning: true, handler: async () => void late++ });
    await waitFor(() => late === bus.retained('t'), 'late group reads the retained tail');
    await bus.close();
  });

  it('close stops delivery and refuses further use', async () => {
    const bus = createInProcessBus();
    await bus.ensureTopics([{ topic: 't', partitions: 1 }]);
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true, handler: async (m) => void seen.push(String(m.value)) });
    await bus.close();
    await expect(bus.publish('t', [{ key: 'k', value: 'v' }])).rejects.toThrow(/closed/);
    expect(seen).toEqual([]);
  });
});
