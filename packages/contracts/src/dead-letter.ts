/**
 * The dead-letter record format, part of the published language: operators
 * and department back-ends read `<topic>.dlq` to see what could not be
 * handled and why. A dead letter is the original record (same key, same
 * value bytes, every original header) plus these headers.
 */
export const deadLetterHeaders = {
  reason: 'dlq_reason',
  /** Human-readable error message (truncated). */
  error: 'dlq_error',
  /** JSON array of `{ path, reason }` when validation failed. */
  issues: 'dlq_issues',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  consumerGroup: 'dlq_consumer_group',
  /** How many times the handler ran before giving up (0 when it never ran). */
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
} as const;

/**
 * - `malformed`: not a CloudEvent we can read (headers, JSON, envelope);
 * - `unknown-type`: a well-formed envelope of a type this consumer's contracts do not know
 *   (often a newer version: replay it after upgrading);
 * - `invalid-data`: the data fails the schema its type names, or key/subject disagree with it;
 * - `handler-failed`: valid, but the handler kept failing (retries exhausted or a permanent error).
 */
export const deadLetterReasons = ['malformed', 'unknown-type', 'invalid-data', 'handler-failed'] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];
