/**
 * The audit checkpointer: tails the store with a catch-up subscription (so it
 * sees every event once, each stream in order, ADR 0002), keeps the map
 * stream → (last revision, last hash), checks every event against its chain
 * as it goes, and every N events or T milliseconds signs the map and writes
 * it to the sink. It never signs a state whose chain is broken: it stops and
 * reports instead.
 *
 * On start it continues from the latest checkpoint in the sink (verified with
 * the keyring), resetting its subscription checkpoint there, so the map it
 * signs always covers everything from the beginning of the store.
 */
import type { EventStore, StoredEvent, Subscription } from '../port.ts';
import {
  checkCheckpoint,
  checkpointDigest,
  publicKeyOf,
  signCheckpoint,
  type AuditCheckpoint,
  type AuditKeyring,
  type AuditSigningKey,
} from './audit-checkpoint.ts';
import type { CheckpointSink } from './checkpoint-sink.ts';
import { computeEventHash } from './hash-chain.ts';

export interface AuditCheckpointerOptions {
  readonly store: EventStore;
  readonly sink: CheckpointSink;
  readonly signingKey: AuditSigningKey;
  /** Public keys of earlier (rotated) signing keys, to trust the sink's latest checkpoint on start. */
  readonly keyring?: AuditKeyring;
  /** Sign after this many new events (default 1,000). */
  readonly everyEvents?: number;
  /** Sign after this long with new events (default 60 s). */
  readonly everyMs?: number;
  readonly subscriptionId?: string;
  readonly now?: () => Date;
}

export interface AuditCheckpointer {
  /** Resolves once the subscription runs (after loading the latest checkpoint). */
  start(): Promise<void>;
  /** Catches up with the store and signs a checkpoint now (even without new events). */
  checkpointNow(): Promise<AuditCheckpoint>;
  stop(): Promise<void>;
  /** Settles when the checkpointer stops; rejects when it found a broken chain or could not sign. */
  readonly finished: Promise<void>;
}

/** The checkpointer refuses to sign: the store's chain is broken at this event. */
export class AuditChainBrokenError extends Error {
  constructor(
    readonly event: Pick<StoredEvent, 'stream' | 'revision' | 'id'>,
    reason: string,
  ) {
    super(`audit checkpointer stopped at ${event.stream}@${event.revision} (event ${event.id}): ${reason}`);
    this.name = 'AuditChainBrokenError';
  }
}

export function createAuditCheckpointer(options: AuditCheckpointerOptions): AuditCheckpointer {
  const { store, sink, signingKey } = options;
  const subscriptionId = options.subscriptionId ?? 'audit-checkpointer';
  const everyEvents = options.everyEvents ?? 1_000;
  const everyMs = options.everyMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const keyring: AuditKeyring = { ...options.keyring, [signingKey.keyId]: publicKeyOf(signingKey) };

  const streams = new Map<string, { revision: bigint; hash: string }>();
  let sequence = 0;
  let previousDigest: string | null = null;
  let position = 0n;
  let sinceLast = 0;
  let lastSignedAt = now().getTime();
  let subscription: Subscription | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  let resolveFinished!: () => void;
  let rejectFinished!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  finished.catch(() => undefined);

  /** Signs and writes one checkpoint at a time, in sequence order. */
  const signNow = () => {
    const next = writing.then(async () => {
      const checkpoint = signCheckpoint({ sequence: sequence + 1, previousDigest, createdAt: now(), position, streams }, signingKey);
      await sink.write(checkpoint);
      sequence = checkpoint.sequence;
      previousDigest = checkpointDigest(checkpoint);
      sinceLast = 0;
      lastSignedAt = Date.parse(checkpoint.createdAt);
      return checkpoint;
    });
    writing = next.catch(() => undefined);
    return next;
  };

  const apply = (event: StoredEvent) => {
    // The position is the last event in delivery order: exactly where the subscription resumes.
    position = event.globalPosition;
    const known = streams.get(event.stream);
    // A redelivered event (at-least-once) that is already in the map changes nothing.
    if (known && event.revision <= known.revision) return;
    const expectedRevision = known ? known.revision + 1n : 0n;
    if (event.revision !== expectedRevision) throw new AuditChainBrokenError(event, `expected revision ${expectedRevision} next`);
    const expectedPrev = known ? known.hash : null;
    if (event.metadata.prevHash !== expectedPrev) throw new AuditChainBrokenError(event, 'not chained to the previous event of its stream');
    if (computeEventHash(event, event.metadata.prevHash) !== event.metadata.hash) {
      throw new AuditChainBrokenError(event, 'content does not match its hash');
    }
    streams.set(event.stream, { revision: event.revision, hash: event.metadata.hash });
    sinceLast++;
  };

  return {
    finished,

    async start() {
      const latest = await sink.latest();
      if (latest !== null && latest !== undefined) {
        const check = checkCheckpoint(latest, keyring);
        if (!check.ok) throw new Error(`audit checkpointer: the sink's latest checkpoint is not trustworthy (${check.kind}): ${check.message}`);
        const checkpoint = check.checkpoint;
        for (const [stream, signed] of Object.entries(checkpoint.streams)) streams.set(stream, { revision: BigInt(signed.revision), hash: signed.hash });
        sequence = checkpoint.sequence;
        previousDigest = checkpointDigest(checkpoint);
        position = BigInt(checkpoint.position);
      }
      // Resume exactly where the signed map ends, whatever this subscription handled before a crash.
      const stored = await store.checkpoints.read(subscriptionId);
      if (stored !== position) await store.checkpoints.store(subscriptionId, stored, position);
      subscription = store.subscribeToAll({ subscriptionId, batchSize: 500 }, async (events) => {
        for (const event of events) apply(event);
        if (sinceLast >= everyEvents || (sinceLast > 0 && now().getTime() - lastSignedAt >= everyMs)) await signNow();
      });
      subscription.finished.then(resolveFinished, rejectFinished);
    },

    async checkpointNow() {
      if (!subscription) throw new Error('audit checkpointer: start() it first');
      await subscription.caughtUp();
      return signNow();
    },

    async stop() {
      await subscription?.stop();
      await writing;
      if (!subscription) resolveFinished();
    },
  };
}
