/**
 * Supervision on the real Kafka (the KAFKA_BROKERS wiring): an intake
 * contract on Kafka opens deadlines, the breach's automatic outcome goes out
 * as a command on the supervision topic. Topics and groups are unique to this
 * file (a prefix), so other suites' messages never mix in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveComponent } from '@govsvc/testkit/infra';
import { uniqueName } from '@govsvc/testkit/unique';
import { createKafkaBus } from '@govsvc/messaging/kafka-bus';
import type { MessageBus } from '@govsvc/messaging/bus';
import { readDeadline } from '../src/app/deadlines.ts';
import { deadlineIdOf } from '../src/domain/kinds.ts';
import { startHarness, waitFor, type Harness } from './harness.ts';

const itemCode = '11000000000000000A-0001-01';
let bus: MessageBus;
let h: Harness;

beforeAll(async () => {
  const brokers = await resolveComponent('kafka');
  const prefix = `test.${uniqueName('supervision')}.`;
  bus = createKafkaBus({ brokers, clientId: 'supervision-test', logLevel: 'error', joinTimeoutMs: 30_000 });
  h = await startHarness({ start: '2025-09-26T09:00:00+08:00', bus, topicFor: (t) => `${prefix}${t}`, groupId: `${prefix}supervision` });
}, 90_000);
afterAll(async () => {
  await h?.stop();
  await bus?.close();
});

describe('supervision on Kafka', () => {
  it('Art. 32: application on Kafka → deadlines; no notice in 5 working days → deem-acceptance command on Kafka', async () => {
    await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01' });
    await h.publish('intake.application-submitted.v1', { caseId: 'BJ-K1', itemCode, guideVersion: '2025.2', submittedAt: '2025-09-26T10:00:00+08:00' });
    const deemed = deadlineIdOf('BJ-K1', 'deemed-acceptance', 'submission');
    expect((await readDeadline(h.store, deemed)).state.schedule?.due).toBe('2025-10-10');
    await h.tick('2025-10-11T00:00:00+08:00');
    let commands: string[] = [];
    await waitFor(async () => {
      commands = (await h.published()).filter((e) => e.type === 'supervision.deem-acceptance-command.v1').map((e) => (e.data as { deadlineId: string }).deadlineId);
      return commands.length > 0;
    }, 'the command on Kafka', 30_000);
    expect(commands).toEqual([deemed]);
  }, 60_000);
});
