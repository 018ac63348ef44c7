/**
 * The local SMS and voice provider (development, standalone, the megacity bench): one message per
 * idempotency key, as a carrier deduplicates, found by its key, and numbers kept masked (R-NOTIFY-1).
 */
import { describe, expect, it } from 'vitest';
import { ControlledClock } from '@govsvc/runtime/clock';
import { createLocalProvider, LocalOutbox } from './local-provider.ts';

describe('local provider and its outbox', () => {
  const clock = new ControlledClock('2025-03-20T08:00:00Z');
  const sms = (outbox: LocalOutbox) => createLocalProvider('sms', outbox, clock);
  const message = (key: string, text = '您的申请已受理') => ({ to: '13812345678', subject: '', text, idempotencyKey: key });

  it('R-NOTIFY-1: sends once per idempotency key, answering a repeat with the first message id; keeps the number masked', async () => {
    const outbox = new LocalOutbox();
    const first = await sms(outbox).send(message('notice-1.sms'));
    const again = await sms(outbox).send(message('notice-1.sms', 'a retry'));
    expect(again).toEqual(first);
    expect(outbox.list()).toHaveLength(1);
    expect(outbox.list()[0]).toMatchObject({ to: '138****5678', text: '您的申请已受理' });
    expect(outbox.sentWith('notice-1.sms')?.providerMessageId).toBe(first.providerMessageId);
  });

  it('holds at most its capacity: the oldest entries leave, and their keys with them', async () => {
    const outbox = new LocalOutbox(3);
    for (const key of ['a', 'b', 'c', 'd']) await sms(outbox).send(message(key));
    expect(outbox.list().map((e) => e.idempotencyKey)).toEqual(['b', 'c', 'd']);
    expect(outbox.sentWith('a')).toBeUndefined();
    expect(outbox.sentWith('d')).toBeDefined();
    await sms(outbox).send(message('a')); // gone from the outbox: sent again, as a carrier that forgot it would
    expect(outbox.list().map((e) => e.idempotencyKey)).toEqual(['c', 'd', 'a']);
  });

  it('refuses what is not a phone number, for good', async () => {
    await expect(sms(new LocalOutbox()).send({ ...message('x'), to: 'not a number' })).rejects.toMatchObject({ permanent: true });
  });
});
