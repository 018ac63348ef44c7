/**
 * Duplicates (issue 9, faults): the bus delivers at least once, and a relay
 * that loses its checkpoint publishes everything again. Story: a few real
 * cases run through intake → review/delivery/supervision/evaluation and every
 * contract is published once; then every message ever published is delivered
 * again, twice, to every consumer group, in its original order. No consumer
 * may act twice: the store does not grow and no notification is sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../src/system.ts';
import { acceptApplication, APPLICANT_A, APPLICANT_B, submitApplication } from '../src/workload.ts';

describe('duplicate delivery of every message and a replay of everything relayed', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem();
    for (const person of [APPLICANT_A, APPLICANT_B, APPLICANT_A]) {
      const { caseId } = await submitApplication(system.http, system, person);
      await acceptApplication(system.http, system, caseId);
    }
    await system.settle();
  });
  afterAll(() => system.close());

  async function outbox(): Promise<number> {
    const reply = await system.http({ method: 'GET', url: '/delivery/outbox', token: await system.token('operator') });
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as unknown;
    return Array.isArray(body) ? body.length : Object.values(body as Record<string, unknown[]>).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  }

  it('every message delivered again (twice): no second effect anywhere', async () => {
    const messages = [...system.published];
    const topics = new Set(messages.map((m) => m.topic));
    const headBefore = await system.store.headPosition();
    const eventsBefore = await system.store.readAll();
    const sentBefore = await outbox();
    console.info(`[duplicates] ${messages.length} messages on ${topics.size} topics, ${eventsBefore.length} events, ${sentBefore} notifications before the replay`);
    expect(messages.length).toBeGreaterThan(10);
    expect(topics.size).toBeGreaterThan(3);

    for (let round = 0; round < 2; round++) {
      for (const { topic, message } of messages) await system.bus.publish(topic, [message]);
    }
    const headAfter = await system.settle(500);
    const appended = (await system.store.readAll({ after: headBefore })).map((e) => `${e.stream}:${e.type}`);
    expect(appended, `second effects: ${appended.join(', ')}`).toEqual([]);
    expect(headAfter).toBe(headBefore);
    expect(await outbox()).toBe(sentBefore);
    // The replay did reach the consumers: the bus carried every message three times.
    expect(system.published.length).toBe(messages.length * 3);
  });
});
