/**
 * Which Kafka refusals go away by asking again, and the loop that asks again.
 *
 * kafkajs retries many requests itself, but not all: its admin `fetchTopicOffsets` gives up at once
 * on "This server is not the leader for that topic-partition" (a partition whose leader is still
 * loading it, e.g. just after the topic was created or the broker started), and `fetchOffsets` on
 * "The coordinator is loading" (a group's coordinator reading its offsets topic). Both are normal
 * for a second or so and say nothing about the caller's request.
 */
import { sleep } from './timing.ts';

// `leader` covers NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE and their messages.
const TRANSIENT_TEXT =
  /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION|leader|NOT_CONTROLLER|coordinator is loading|COORDINATOR_LOAD_IN_PROGRESS|COORDINATOR_NOT_AVAILABLE|coordinator is not available|timed out/i;

/** Metadata not yet propagated, a leader or coordinator still loading: the same request succeeds soon. */
export function isTransientKafkaError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    // Not kafkajs's own `retriable` flag: it is also set on a refused connection, and a broker that
    // is down should fail the caller within kafkajs's retries, not after ours on top.
    const e = current as { message?: unknown; type?: unknown; cause?: unknown };
    if (TRANSIENT_TEXT.test(`${String(e.message ?? '')} ${String(e.type ?? '')}`)) return true;
    current = e.cause;
  }
  return false;
}

export interface TransientRetry {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Delay before the second try; it doubles up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Runs `attempt` until it succeeds, fails with a non-transient error, or runs out of tries. */
export async function retryTransient<T>(policy: TransientRetry, attempt: () => Promise<T>, wait: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= policy.attempts || !isTransientKafkaError(error)) throw error;
      await wait(Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (tried - 1)));
    }
  }
}
