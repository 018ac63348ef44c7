/**
 * Audit verification (ADR 0003): walks each stream's hash chain and, given
 * the latest signed checkpoint, checks the store still holds everything the
 * checkpoint saw. Reports, per stream, the FIRST event that was altered,
 * removed, inserted or reordered, and for the whole store the streams whose
 * tail or whole history disappeared or was rewritten since the checkpoint.
 *
 * It reads what the database really holds: pass the raw rows (e.g. from
 * `SqlEventStore.readRows`) or any EventStore (read through `readAll`).
 */
import type { EventStore, StoredEvent } from '../port.ts';
import { checkCheckpoint, type AuditCheckpoint, type AuditKeyring } from './audit-checkpoint.ts';
import { computeEventHash } from './hash-chain.ts';

export type AuditProblemKind =
  /** The event's content no longer matches its hash, or its predecessor was changed and re-hashed. */
  | 'altered'
  /** Revisions are missing from the middle of a stream. */
  | 'removed'
  /** An event that is not part of the chain sits between chained events. */
  | 'inserted'
  /** Events of a stream are not in the order they were written. */
  | 'reordered'
  /** The stream ends before the revision the checkpoint signed. */
  | 'truncated'
  /** A stream the checkpoint signed is gone. */
  | 'stream-removed'
  /** The stream's event at the signed revision has another hash: its history was rewritten. */
  | 'rewritten'
  | 'checkpoint-malformed'
  | 'unknown-key'
  | 'bad-signature'
  /** The latest checkpoint is older than allowed: the checkpointer or its sink stopped. */
  | 'stale-checkpoint';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  readonly stream?: string;
  readonly revision?: bigint;
  readonly eventId?: string;
  readonly globalPosition?: bigint;
  readonly message: string;
}

export interface StreamAuditResult {
  readonly stream: string;
  readonly ok: boolean;
  readonly events: number;
  /** The first problem in revision order, or null. */
  readonly first: AuditProblem | null;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly streams: number;
  readonly events: number;
  /** Checkpoint problems first, then per stream its first problem, by global position, then vanished data. */
  readonly problems: readonly AuditProblem[];
  readonly first: AuditProblem | null;
  /** The checkpoint the store was checked against, when one was given and authentic. */
  readonly checkpoint: { readonly sequence: number; readonly keyId: string; readonly createdAt: string; readonly position: bigint } | null;
}

const hashOf = (event: StoredEvent): string | null => (typeof event.metadata?.hash === 'string' ? event.metadata.hash : null);
const prevHashOf = (event: StoredEvent): string | null => (typeof event.metadata?.prevHash === 'string' ? event.metadata.prevHash : null);
const at = (event: StoredEvent) => ({ stream: event.stream, revision: event.revision, eventId: event.id, globalPosition: event.globalPosition });
const safeHash = (event: StoredEvent, revision: bigint, prevHash: string | null): string | null => {
  try {
    return computeEventHash({ ...event, revision }, prevHash);
  } catch {
    return null; // content that is not even canonical JSON any more
  }
};

/** The first problem of one stream's events (any order in; checked in revision order). */
function firstProblemOf(stream: string, unordered: readonly StoredEvent[]): AuditProblem | null {
  const events = [...unordered].sort((a, b) =>
    a.revision !== b.revision ? (a.revision < b.revision ? -1 : 1) : a.globalPosition < b.globalPosition ? -1 : 1,
  );
  const indexByHash = new Map<string, number>();
  events.forEach((event, i) => {
    const hash = hashOf(event);
    if (hash !== null && !indexByHash.has(hash)) indexByHash.set(hash, i);
  });
  const lastRevision = events.length > 0 ? events[events.length - 1]!.revision : -1n;

  let prev: StoredEvent | null = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const where = `${stream}@${event.revision} (event ${event.id})`;
    const expectedRevision = prev ? prev.revision + 1n : 0n;
    if (prev && event.revision === prev.revision) {
      return { kind: 'inserted', ...at(event), message: `${where}: a second event at revision ${event.revision}` };
    }
    if (event.revision > expectedRevision) {
      const missing = event.revision - 1n === expectedRevision ? `revision ${expectedRevision} is` : `revisions ${expectedRevision}..${event.revision - 1n} are`;
      return { kind: 'removed', ...at(event), revision: expectedRevision, message: `${stream}: ${missing} missing (the next event present is ${where})` };
    }

    const prevHash = prevHashOf(event);
    const expectedPrevHash = prev ? hashOf(prev) : null;
    const linked = prevHash === expectedPrevHash;
    if (!linked) {
      const j = prevHash === null ? undefined : indexByHash.get(prevHash);
      if (j !== undefined && j < i - 1) {
        const intruder = events[j + 1]!;
        return {
          kind: 'inserted',
          ...at(intruder),
          message: `${stream}@${intruder.revision} (event ${intruder.id}) is not part of the chain: ${where} follows revision ${events[j]!.revision} directly`,
        };
      }
      if (j !== undefined && j > i) {
        return { kind: 'reordered', ...at(event), message: `${where} is chained after revision ${events[j]!.revision}, which now comes later` };
      }
      if (prevHash === null && prev) {
        return { kind: 'inserted', ...at(event), message: `${where} claims to be the first event of the stream` };
      }
    }

    const hash = hashOf(event);
    if (hash === null || safeHash(event, event.revision, prevHash) !== hash) {
      // Was it written at another revision (the stream renumbered around it)?
      for (let r = 0n; r <= lastRevision + 1n && hash !== null; r++) {
        if (r === event.revision || safeHash(event, r, prevHash) !== hash) continue;
        const kind = r > event.revision ? 'removed' : 'inserted';
        const what = r > event.revision ? 'events before it were removed' : 'events were inserted before it';
        return { kind, ...at(event), message: `${where} was written at revision ${r}: ${what} and the stream renumbered` };
      }
      return { kind: 'altered', ...at(event), message: `${where}: its content no longer matches its hash` };
    }

    if (!linked) {
      if (prev) {
        return {
          kind: 'altered',
          ...at(prev),
          message: `${stream}@${prev.revision} (event ${prev.id}) was changed and re-hashed: ${where} was chained to a different version of it`,
        };
      }
      return { kind: 'altered', ...at(event), message: `${where} is chained to an event that is not in the store` };
    }
    if (prev && event.globalPosition < prev.globalPosition) {
      return { kind: 'reordered', ...at(event), message: `${where} was recorded before revision ${prev.revision} (global position ${event.globalPosition} < ${prev.globalPosition})` };
    }
    prev = event;
  }
  return null;
}

/** Verifies one stream: its events (as read from anywhere), or a stream of a store. */
export async function verifyStream(source: EventStore | readonly StoredEvent[], stream?: string): Promise<StreamAuditResult> {
  const events = Array.isArray(source) ? (source as readonly StoredEvent[]) : await (source as EventStore).readStream(stream!);
  const name = stream ?? events[0]?.stream ?? '';
  const first = firstProblemOf(name, events.filter((e) => e.stream === name));
  return { stream: name, ok: first === null, events: events.length, first };
}

export interface VerifyAllOptions {
  /** The latest checkpoint from the sink (as stored: it is parsed and authenticated here). */
  readonly checkpoint?: unknown;
  /** Public keys by key id, including rotated-out ones. Required with `checkpoint`. */
  readonly keys?: AuditKeyring;
  /** Report `stale-checkpoint` when the checkpoint is older than this. */
  readonly maxCheckpointAgeMs?: number;
  readonly now?: () => Date;
}

async function* eventsOf(source: EventStore | Iterable<StoredEvent> | AsyncIterable<StoredEvent>): AsyncIterable<StoredEvent> {
  if (Symbol.iterator in source || Symbol.asyncIterator in source) {
    yield* source as Iterable<StoredEvent>;
    return;
  }
  const store = source as EventStore;
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1_000 });
    yield* page;
    if (page.length < 1_000) return;
    after = page[page.length - 1]!.globalPosition;
  }
}

/** Verifies every stream, and the store against the latest signed checkpoint when given. */
export async function verifyAll(
  source: EventStore | Iterable<StoredEvent> | AsyncIterable<StoredEvent>,
  options: VerifyAllOptions = {},
): Promise<AuditReport> {
  const byStream = new Map<string, StoredEvent[]>();
  let count = 0;
  for await (const event of eventsOf(source)) {
    count++;
    const list = byStream.get(event.stream);
    if (list) list.push(event);
    else byStream.set(event.stream, [event]);
  }

  const checkpointProblems: AuditProblem[] = [];
  const eventProblems: AuditProblem[] = [];
  const missingProblems: AuditProblem[] = [];
  for (const [stream, events] of byStream) {
    const first = firstProblemOf(stream, events);
    if (first) eventProblems.push(first);
  }

  let trusted: AuditCheckpoint | null = null;
  if (options.checkpoint !== undefined && options.checkpoint !== null) {
    const check = checkCheckpoint(options.checkpoint, options.keys ?? {});
    if (!check.ok) checkpointProblems.push({ kind: check.kind, message: check.message });
    else trusted = check.checkpoint;
  }
  if (trusted) {
    const now = (options.now ?? (() => new Date()))();
    const age = now.getTime() - Date.parse(trusted.createdAt);
    if (options.maxCheckpointAgeMs !== undefined && age > options.maxCheckpointAgeMs) {
      checkpointProblems.push({
        kind: 'stale-checkpoint',
        message: `the latest checkpoint (${trusted.sequence}, ${trusted.createdAt}) is ${Math.round(age / 1000)} s old; at most ${Math.round(options.maxCheckpointAgeMs / 1000)} s allowed`,
      });
    }
    for (const [stream, signed] of Object.entries(trusted.streams)) {
      const revision = BigInt(signed.revision);
      const events = byStream.get(stream);
      if (!events || events.length === 0) {
        missingProblems.push({
          kind: 'stream-removed',
          stream,
          message: `${stream} is gone: checkpoint ${trusted.sequence} signed ${revision + 1n} event(s) in it, up to revision ${revision}`,
        });
        continue;
      }
      const last = events.reduce((a, b) => (b.revision > a.revision ? b : a));
      if (last.revision < revision) {
        missingProblems.push({
          kind: 'truncated',
          stream,
          revision: last.revision + 1n,
          message: `${stream} ends at revision ${last.revision}; checkpoint ${trusted.sequence} signed it up to revision ${revision}: ${revision - last.revision} event(s) removed from its end`,
        });
        continue;
      }
      const signedEvent = events.find((e) => e.revision === revision);
      // A chain problem in this stream already names the first bad event; the differing hash is its echo.
      const chainProblem = eventProblems.some((p) => p.stream === stream);
      if (signedEvent && !chainProblem && hashOf(signedEvent) !== signed.hash) {
        missingProblems.push({
          kind: 'rewritten',
          ...at(signedEvent),
          message: `${stream}@${revision} (event ${signedEvent.id}) has another hash than checkpoint ${trusted.sequence} signed: the stream's history up to there was rewritten`,
        });
      }
    }
  }

  eventProblems.sort((a, b) => ((a.globalPosition ?? 0n) < (b.globalPosition ?? 0n) ? -1 : 1));
  missingProblems.sort((a, b) => (a.stream! < b.stream! ? -1 : 1));
  const problems = [...checkpointProblems, ...eventProblems, ...missingProblems];
  return {
    ok: problems.length === 0,
    streams: byStream.size,
    events: count,
    problems,
    first: problems[0] ?? null,
    checkpoint: trusted
      ? { sequence: trusted.sequence, keyId: trusted.keyId, createdAt: trusted.createdAt, position: BigInt(trusted.position) }
      : null,
  };
}
