import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeBusContract } from './bus-contract.ts';
import { createInProcessBus } from './in-process-bus.ts';

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
