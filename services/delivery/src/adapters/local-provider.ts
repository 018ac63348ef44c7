/**
 * The local SMS and voice provider for development and the standalone mode:
 * instead of a carrier network, every message goes to an outbox the operator
 * can read (`GET /delivery/outbox`). Numbers are kept masked: the outbox is an
 * operator view, not a copy of personal data.
 */
import { maskPhone } from '@govsvc/identifiers/masking';
import type { Clock } from '@govsvc/runtime/clock';
import { ChannelError, type NotificationSender, type OutgoingNotification } from '../app/channels.ts';

export interface OutboxEntry {
  readonly providerMessageId: string;
  readonly kind: 'sms' | 'call-task';
  readonly to: string;
  readonly text: string;
  readonly idempotencyKey: string;
  readonly at: string;
}

export class LocalOutbox {
  readonly #entries: OutboxEntry[] = [];
  constructor(private readonly capacity = 10_000) {}

  add(entry: OutboxEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.shift();
  }

  list(filter: { readonly since?: string } = {}): readonly OutboxEntry[] {
    return this.#entries.filter((e) => !filter.since || e.at >= filter.since);
  }
}

/** An SMS (`sms`) or phone-call task (`phone`) provider writing to the outbox; like real providers it deduplicates by key. */
export function createLocalProvider(channel: 'sms' | 'phone', outbox: LocalOutbox, clock: Clock): NotificationSender {
  return {
    channel,
    async send(message: OutgoingNotification) {
      if (!/^[0-9+()\- ]{5,30}$/.test(message.to)) throw new ChannelError(`not a phone number`, true);
      const existing = outbox.list().find((e) => e.idempotencyKey === message.idempotencyKey);
      if (existing) return { providerMessageId: existing.providerMessageId };
      const providerMessageId = `local-${channel}-${message.idempotencyKey}`;
      outbox.add({
        providerMessageId,
        kind: channel === 'sms' ? 'sms' : 'call-task',
        to: maskPhone(message.to),
        text: message.text,
        idempotencyKey: message.idempotencyKey,
        at: clock.now().toISOString(),
      });
      return { providerMessageId };
    },
  };
}
