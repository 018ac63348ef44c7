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
  /** The entries by idempotency key: a send looks its key up here, not through a copy of the whole outbox. */
  readonly #byKey = new Map<string, OutboxEntry>();
  constructor(private readonly capacity = 10_000) {}

  add(entry: OutboxEntry): void {
    this.#entries.push(entry);
    this.#byKey.set(entry.idempotencyKey, entry);
    if (this.#entries.length > this.capacity) {
      const dropped = this.#entries.shift()!;
      if (this.#byKey.get(dropped.idempotencyKey) === dropped) this.#byKey.delete(dropped.idempotencyKey);
    }
  }

  /** The entry sent under this idempotency key, while the outbox still holds it. */
  sentWith(idempotencyKey: string): OutboxEntry | undefined {
    return this.#byKey.get(idempotencyKey);
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
      // Every send looked for its key in a copy of the whole outbox: 1.5 s of delivery's CPU in a megacity day.
      const existing = outbox.sentWith(message.idempotencyKey);
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
