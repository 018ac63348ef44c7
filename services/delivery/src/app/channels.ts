/**
 * The notification channel port (R-NOTIFY-1): one adapter per channel
 * (e-mail over SMTP, SMS and phone-call tasks through a provider). Adapters
 * translate their failures into `ChannelError`, saying whether trying again
 * can help.
 */
import type { Channel } from '../domain/events.ts';

export interface OutgoingNotification {
  /** The address on this channel: an e-mail address or a phone number. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Stable per (notice, channel): providers that deduplicate use it; e-mail sends it as the Message-ID. */
  readonly idempotencyKey: string;
}

export interface NotificationSender {
  readonly channel: Channel;
  /** Resolves with the provider's id for the message once the provider accepted it. */
  send(message: OutgoingNotification): Promise<{ readonly providerMessageId: string }>;
  close?(): Promise<void>;
}

/** A send that did not go through. `permanent`: retrying cannot help (a refused address, no address). */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export type NotificationSenders = Readonly<Record<Channel, NotificationSender>>;
