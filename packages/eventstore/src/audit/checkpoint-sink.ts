/**
 * Where signed audit checkpoints go: somewhere the event store's operators
 * cannot quietly rewrite. The file adapter is here; the compacted Kafka topic
 * adapter belongs to the messaging package and implements the same port.
 */
import type { AuditCheckpoint } from './audit-checkpoint.ts';

export interface CheckpointSink {
  /** Stores a signed checkpoint durably before resolving. */
  write(checkpoint: AuditCheckpoint): Promise<void>;
  /** The most recent checkpoint, or null when none was written yet. Returned as stored: verify it. */
  latest(): Promise<unknown>;
}

export { auditCheckpointSchema, type AuditCheckpoint } from './audit-checkpoint.ts';
