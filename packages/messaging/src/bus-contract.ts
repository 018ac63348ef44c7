/**
 * One contract suite for every MessageBus adapter (Kafka, in-process): the
 * semantics of bus.ts, checked the same way against both, so the standalone
 * mode behaves as production does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusSubscription, IncomingMessage, MessageBus, MessageHandler } from './bus.ts';
import { headerText } from './bus.ts';
import { waitFor } from './wait-for.ts';

export interface BusContractContext {
  readonly bus: MessageBus;
  /** A topic name no other test uses. */
  topic(label: string): string;
  group(label: string): string;
  /** How long a group needs to settle after a member joins or leaves (Kafka: a rebalance). */
  readonly settleTimeoutMs: number;
  dispose(): Promise<void>;
}

const text = (m: IncomingMessage) => m.value?.toString('utf8') ?? '<null>';

/** Collects what a handler saw; optionally fails or blocks on chosen messages. */
function recorder(behaviour: (m: IncomingMessage, attempt: number, signal: AbortSignal) => Promise<void> = async () => undefined) {
  const seen: IncomingMessage[] = [];
  const done: IncomingMessage[] = [];
  const attempts = new Map<string, number>();
  const handler: MessageHandler = async (message, { signal }) => {
    seen.push(message);
    const id = `${message.topic}/${message.partition}/${message.offset}`;
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    await behaviour(message, attempt, signal);
    done.push(message);
  };
  return { seen, done, handler, attempts };
}

const totalPartitions = (subs: readonly BusSubscription[], topic: string) =>
  subs.reduce((n, s) => n + (s.assignment().find((a) => a.topic === topic)?.partitions.length ?? 0), 0);

export function describeBusContract(adapter: string, createContext: () => Promise<BusContractContext>): void {
  describe(`MessageBus contract: ${adapter}`, () => {
    let ctx: BusContractContext;
    beforeAll(async () => {
      ctx = await createContext();
    });
    afterAll(async () => {
      await ctx?.dispose();
    });

    it('delivers key, value and headers byte for byte, null key and value included', async () => {
      const topic = ctx.topic('roundtrip');
      await ctx.bus.ensureTopics([{ topic, partitions: 2 }]);
      const binary = Buffer.from([0, 255, 1, 254]);
      await ctx.bus.publish(topic, [
        { key: 'case-1', value: '{"a":1}', headers: { ce_id: 'e-1', raw: binary } },
        { key: null, value: null, headers: {} },
        { key: Buffer.from('case-2'), value: binary },
      ]);
      const r = recorder();
      const sub = await ctx.bus.subscribe({ groupId: ctx.group('roundtrip'), topics: [topic], fromBeginning: true, handler: r.handler });
      try {
        await waitFor(() => r.done.length === 3, 'three messages');
        const byValue = new Map(r.done.map((m) => [m.value === null ? 'null' : m.value.toString('hex'), m]));
        const first = byValue.get(Buffer.from('{"a":1}').toString('hex'))!;
        expect(first.key?.toString()).toBe('case-1');
        expect(headerText(first.headers, 'ce_id')).toBe('e-1');
        expect(Buffer.compare(first.headers['raw'] as Buffer, binary)).toBe(0);
        expect(first.topic).toBe(topic);
        expect(first.timestamp).toBeInstanceOf(Date);
        expect(byValue.get('null')?.key).toBeNull();
        expect(byValue.get(binary.toString('hex'))?.key?.toString()).toBe('case-2');
      } finally {
        await sub.stop();
      }
    });

    it("keeps each key's messages in publish order, across several partitions and publish calls", async () => {
      const topic = ctx.topic('order');
      await ctx.bus.ensureTopics([{ topic, partitions: 4 }]);
      const keys = Array.from({ length: 12 }, (_, i) => `case-${i}`);
      for (let round = 0; round < 5; round++) {
        await ctx.bus.publish(
          topic,
          keys.flatMap((key) => [0, 1, 2, 3].map((n) => ({ key, value: `${key}:${round * 4 + n}` }))),
        );
      }
      const r = recorder();
      const sub = await ctx.bus.subscribe({ groupId: ctx.group('order'), topics: [topic], fromBeginning: true, handler: r.handler });
      try {
        await waitFor(() => r.done.length === keys.length * 20, 'every message');
        for (const key of keys) {
          const sequence = r.done.filter((m) => m.key?.toString() === key).map((m) => Number(text(m).split(':')[1]));
          expect(sequence, key).toEqual(Array.from({ length: 20 }, (_, i) => i));
        }
        // Several partitions were used, so the order above is per key, not a single global log.
        expect(new Set(r.done.map((m) => m.partition)).size).toBeGreaterThan(1);
      } finally {
        await sub.stop();
      }
    });

    it('gives each message to exactly one member of a group, and to every group', async () => {
      const topic = ctx.topic('groups');
      await ctx.bus.ensureTopics([{ topic, partitions: 4 }]);
      const shared = ctx.group('shared');
      const a1 = recorder();
      const a2 = recorder();
      const b = recorder();
      const subs = [
        await ctx.bus.subscribe({ groupId: shared, topics: [topic], fromBeginning: true, handler: a1.handler }),
        await ctx.bus.subscribe({ groupId: shared, topics: [topic], fromBeginning: true, handler: a2.handler }),
      ];
      const other = await ctx.bus.subscribe({ groupId: ctx.group('other'), topics: [topic], fromBeginning: true, handler: b.handler });
      try {
        // Publish only once the group has settled, so no rebalance redelivers anything.
        await waitFor(
          () => totalPartitions(subs, topic) === 4 && subs.every((s) => totalPartitions([s], topic) > 0),
          'both members own partitions',
          ctx.settleTimeoutMs,
        );
        const messages = Array.from({ length: 64 }, (_, i) => ({ key: `case-${i % 16}`, value: `m${i}` }));
        await ctx.bus.publish(topic, messages);
        await waitFor(() => a1.done.length + a2.done.length === 64 && b.done.length === 64, 'all delivered');
        const inGroup = [...a1.done, ...a2.done].map(text).sort();
        expect(inGroup).toEqual(messages.map((m) => m.value).sort());
        expect(a1.done.length).toBeGreaterThan(0);
        expect(a2.done.length).toBeGreaterThan(0);
        expect(b.done.map(text).sort()).toEqual(messages.map((m) => m.value).sort());
        // A partition belongs to one member: the two members never share one.
        const partitionsOf = (msgs: IncomingMessage[]) => new Set(msgs.map((m) => m.partition));
        for (const p of partitionsOf(a1.done)) expect(partitionsOf(a2.done).has(p)).toBe(false);
      } finally {
        await Promise.all([...subs, other].map((s) => s.stop()));
      }
    });

    it('redelivers a message whose handler failed, and nothing behind it overtakes it', async () => {
      const topic = ctx.topic('redeliver');
      await ctx.bus.ensureTopics([{ topic, partitions: 1 }]);
      await ctx.bus.publish(topic, [1, 2, 3, 4, 5].map((n) => ({ key: 'case-1', value: `m${n}` })));
      const r = recorder(async (m, attempt) => {
        if (text(m) === 'm3' && attempt <= 2) throw new Error('transient');
      });
      const sub = await ctx.bus.subscribe({ groupId: ctx.group('redeliver'), topics: [topic], fromBeginning: true, handler: r.handler });
      try {
        await waitFor(() => r.done.length === 5, 'all five handled');
        expect(r.done.map(text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
        expect(r.seen.map(text)).toEqual(['m1', 'm2', 'm3', 'm3', 'm3', 'm4', 'm5']);
      } finally {
        await sub.stop();
      }
    });

    it('with keyConcurrency, a slow case does not hold up the other cases of its partition, and each case stays in order', async () => {
      const topic = ctx.topic('lanes');
      await ctx.bus.ensureTopics([{ topic, partitions: 1 }]);
      await ctx.bus.publish(topic, [
        { key: 'case-a', value: 'a1' },
        { key: 'case-b', value: 'b1' },
        { key: 'case-a', value: 'a2' },
        { key: 'case-b', value: 'b2' },
        { key: 'case-c', value: 'c1' },
      ]);
      // a1 finishes only once b2 and c1, published after it in the same partition, have been handled.
      const r = recorder(async (m) => {
        if (text(m) === 'a1') await waitFor(() => r.done.some((d) => text(d) === 'b2') && r.done.some((d) => text(d) === 'c1'), 'b2 and c1 past a1');
      });
      const sub = await ctx.bus.subscribe({ groupId: ctx.group('lanes'), topics: [topic], fromBeginning: true, handler: r.handler, keyConcurrency: 4 });
      try {
        await waitFor(() => r.done.length === 5, 'all five handled');
        const order = r.done.map(text);
        expect(order.indexOf('b2')).toBeLessThan(order.indexOf('a1'));
        // Per key: a2 starts only after a1 finished, b2 after b1.
        expect(order.indexOf('a1')).toBeLessThan(order.indexOf('a2'));
        expect(order.indexOf('b1')).toBeLessThan(order.indexOf('b2'));
        expect(r.seen.map(text).indexOf('a2')).toBeGreaterThan(order.indexOf('a1'));
      } finally {
        await sub.stop();
      }
    });

    it('with keyConcurrency, a failed message comes again before anything of its case behind it, and the rest at least once', async () => {
      const topic = ctx.topic('lanes-redeliver');
      await ctx.bus.ensureTopics([{ topic, partitions: 1 }]);
      const values = ['a1', 'b1', 'a2', 'b2', 'a3'];
      await ctx.bus.publish(topic, values.map((value) => ({ key: `case-${value[0]}`, value })));
      const r = recorder(async (m, attempt) => {
        if (text(m) === 'a2' && attempt <= 2) throw new Error('transient');
      });
      const group = ctx.group('lanes-redeliver');
      const sub = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: r.handler, keyConcurrency: 4 });
      try {
        await waitFor(() => values.every((v) => r.done.some((d) => text(d) === v)) && r.done.filter((d) => text(d) === 'a2').length === 1, 'all handled');
        const seenA = r.seen.map(text).filter((v) => v.startsWith('a'));
        // a3 is never even started before a2 has succeeded (the third attempt).
        expect(seenA.slice(0, seenA.indexOf('a3'))).toEqual(['a1', 'a2', 'a2', 'a2']);
        expect(r.done.filter((d) => text(d) === 'a2')).toHaveLength(1);
        await waitFor(async () => (await ctx.bus.consumerLag(group, [topic]))[0]?.lag === 0n, 'committed through the end', ctx.settleTimeoutMs);
      } finally {
        await sub.stop();
      }
    });

    it('a group resumes after its last committed message; a new group starts where it asks', async () => {
      const topic = ctx.topic('resume');
      await ctx.bus.ensureTopics([{ topic, partitions: 2 }]);
      const group = ctx.group('resume');
      await ctx.bus.publish(topic, [1, 2, 3, 4].map((n) => ({ key: `case-${n % 2}`, value: `m${n}` })));
      const first = recorder();
      const sub1 = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: first.handler });
      await waitFor(() => first.done.length === 4, 'first four');
      await sub1.stop();

      await ctx.bus.publish(topic, [5, 6, 7, 8].map((n) => ({ key: `case-${n % 2}`, value: `m${n}` })));
      const second = recorder();
      const sub2 = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: second.handler });
      const latest = recorder();
      const sub3 = await ctx.bus.subscribe({ groupId: ctx.group('latest'), topics: [topic], fromBeginning: false, handler: latest.handler });
      try {
        await waitFor(() => second.done.length === 4, 'the four new ones');
        expect(second.done.map(text).sort()).toEqual(['m5', 'm6', 'm7', 'm8']);
        // A new group asking for new messages only sees what is published after subscribe() resolved.
        await ctx.bus.publish(topic, [{ key: 'case-1', value: 'm9' }]);
        await waitFor(() => latest.done.length === 1 && second.done.length === 5, 'm9 to both groups');
        expect(latest.done.map(text)).toEqual(['m9']);
      } finally {
        await Promise.all([sub2.stop(), sub3.stop()]);
      }
    });

    it('a message in flight when its member stops is delivered again to the next member', async () => {
      const topic = ctx.topic('handover');
      await ctx.bus.ensureTopics([{ topic, partitions: 1 }]);
      const group = ctx.group('handover');
      await ctx.bus.publish(topic, [{ key: 'case-1', value: 'm1' }]);
      let started = false;
      const stuck = recorder(
        (_m, _attempt, signal) =>
          new Promise<void>((_resolve, reject) => {
            started = true;
            signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
      );
      const sub1 = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: stuck.handler });
      await waitFor(() => started, 'handler started');
      await sub1.stop();
      expect(stuck.done).toHaveLength(0);
      const next = recorder();
      const sub2 = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: next.handler });
      try {
        await waitFor(() => next.done.length === 1, 'redelivered to the next member', ctx.settleTimeoutMs);
        expect(next.done.map(text)).toEqual(['m1']);
      } finally {
        await sub2.stop();
      }
    });

    it('reports lag per partition: published minus committed', async () => {
      const topic = ctx.topic('lag');
      await ctx.bus.ensureTopics([{ topic, partitions: 2 }]);
      const group = ctx.group('lag');
      await ctx.bus.publish(topic, Array.from({ length: 6 }, (_, i) => ({ key: `case-${i}`, value: `m${i}` })));
      const before = await ctx.bus.consumerLag(group, [topic]);
      expect(before.map((p) => p.partition).sort()).toEqual([0, 1]);
      expect(before.reduce((n, p) => n + p.lag, 0n)).toBe(6n);
      expect(before.every((p) => p.committedOffset === null)).toBe(true);

      const r = recorder();
      const sub = await ctx.bus.subscribe({ groupId: group, topics: [topic], fromBeginning: true, handler: r.handler });
      try {
        await waitFor(() => r.done.length === 6, 'all consumed');
        await waitFor(async () => (await ctx.bus.consumerLag(group, [topic])).every((p) => p.lag === 0n), 'lag drops to zero');
        const after = await ctx.bus.consumerLag(group, [topic]);
        for (const p of after) expect(p.committedOffset).toBe(p.endOffset);
      } finally {
        await sub.stop();
      }
    });

    it('ensureTopics is idempotent', async () => {
      const topic = ctx.topic('idempotent');
      await ctx.bus.ensureTopics([{ topic, partitions: 3 }]);
      await ctx.bus.ensureTopics([{ topic, partitions: 3 }]);
      await ctx.bus.publish(topic, [{ key: 'k', value: 'v' }]);
      expect((await ctx.bus.consumerLag(ctx.group('idempotent'), [topic])).length).toBe(3);
    });
  });
}
