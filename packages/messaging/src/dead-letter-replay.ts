/**
 * Puts dead letters back where they came from, after the cause is fixed: a
 * consumer upgraded to a newer contract version (`unknown-type`), a handler
 * bug deployed away (`handler-failed`). Each dead letter is republished to its
 * original topic with its original key, value and headers (the `dlq_*` ones
 * removed), so the consumer sees exactly the record it refused.
 *
 * Progress is a consumer group on the dead-letter topic: a second run with the
 * same group replays only what arrived since. Records the filter leaves out,
 * and records that do not name their original topic, are passed over for good
 * by that group; choose another group for another selection.
 */
import { deadLetterHeaders } from '@govsvc/contracts/dead-letter';
import { headerText, type IncomingMessage, type MessageBus, type OutgoingHeaders } from './bus.ts';
import { waitFor } from './wait-for.ts';

export interface DeadLetterReplayOptions {
  readonly bus: MessageBus;
  /** `<topic>.dlq` */
  readonly deadLetterTopic: string;
  /** Remembers what was replayed already. */
  readonly groupId: string;
  /** Which dead letters to replay, e.g. `(m) => headerText(m.headers, 'dlq_reason') === 'unknown-type'`. */
  readonly filter?: (message: IncomingMessage) => boolean;
  readonly timeoutMs?: number;
}

export interface DeadLetterReplayResult {
  readonly replayed: number;
  readonly skipped: number;
}

const dlqHeaderNames = new Set<string>(Object.values(deadLetterHeaders));

/** Replays the dead letters present when it starts, then returns. */
export async function replayDeadLetters(options: DeadLetterReplayOptions): Promise<DeadLetterReplayResult> {
  const { bus, deadLetterTopic, groupId } = options;
  const pending = (await bus.consumerLag(groupId, [deadLetterTopic])).filter((p) => p.lag > 0n);
  if (pending.length === 0) return { replayed: 0, skipped: 0 };
  const last = new Map(pending.map((p) => [p.partition, p.endOffset - 1n]));
  const reached = new Set<number>();
  let replayed = 0;
  let skipped = 0;

  const subscription = await bus.subscribe({
    groupId,
    topics: [deadLetterTopic],
    fromBeginning: true,
    handler: async (message) => {
      const end = last.get(message.partition);
      // Dead letters that arrive during the run wait for the next one.
      if (end === undefined || message.offset > end) throw new Error('beyond this run');
      const target = headerText(message.headers, deadLetterHeaders.originalTopic);
      // A record without its origin (not written by our consumer runner) cannot go back: pass over it.
      if (!target || (options.filter && !options.filter(message))) skipped += 1;
      else {
        const headers = Object.fromEntries(Object.entries(message.headers).filter(([name]) => !dlqHeaderNames.has(name))) as OutgoingHeaders;
        await bus.publish(target, [{ key: message.key, value: message.value, headers }]);
        replayed += 1;
      }
      if (message.offset === end) reached.add(message.partition);
    },
  });
  try {
    await waitFor(() => reached.size === last.size, `replaying ${deadLetterTopic}`, options.timeoutMs ?? 60_000, 10);
  } finally {
    await subscription.stop();
  }
  return { replayed, skipped };
}
