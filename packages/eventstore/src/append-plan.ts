/**
 * The decision every adapter makes inside its append critical section, as a
 * pure function so the rules are written once: is this a retry of an append
 * already stored (no-op), a caller error (event id reused), a stale expected
 * revision (ConcurrencyError), or a write — and then with which revisions and
 * hashes.
 */
import { ConcurrencyError } from '@govsvc/errors/errors';
import { computeEventHash, computeEventHashOfTexts, sameContent } from './audit/hash-chain.ts';
import { EventIdConflictError } from './errors.ts';
import type { AppendResult, ExpectedRevision, StoredEvent, StoredEventMetadata } from './port.ts';
import type { ValidEvent } from './validation.ts';

export interface StreamHead {
  readonly revision: bigint;
  readonly hash: string;
}

/** What an event already stored under one of the batch's ids looks like (only these fields matter). */
export type ExistingEvent = Pick<StoredEvent, 'id' | 'stream' | 'revision' | 'globalPosition' | 'type' | 'schemaVersion' | 'data' | 'metadata'>;

export interface PlannedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly revision: bigint;
  readonly data: unknown;
  readonly metadata: StoredEventMetadata;
  /** The chain fields of `metadata`, also on their own (reading them does not assemble `metadata`). */
  readonly prevHash: string | null;
  readonly hash: string;
  /** Canonical JSON of data and of the caller's metadata (without the chain), when validation made them. */
  readonly dataJson?: string | undefined;
  readonly metadataJson?: string | undefined;
}

export type AppendPlan =
  | { readonly kind: 'already-appended'; readonly result: AppendResult }
  | { readonly kind: 'write'; readonly events: readonly PlannedEvent[] };

export const describeExpected = (expected: ExpectedRevision): string => (typeof expected === 'bigint' ? expected.toString() : expected);
export const describeActual = (head: StreamHead | null): string => (head ? head.revision.toString() : 'no_stream');

/** Throws ConcurrencyError when the stream's head does not match what the caller expected. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, head: StreamHead | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && head === null) ||
    (expected === 'exists' && head !== null) ||
    (typeof expected === 'bigint' && head !== null && head.revision === expected);
  if (!ok) throw new ConcurrencyError(stream, describeExpected(expected), describeActual(head));
}

/** Where a retry of this append must have put its first event, when the expected revision says. */
function retryPositionMatches(expected: ExpectedRevision, firstRevision: bigint): boolean {
  if (typeof expected === 'bigint') return firstRevision === expected + 1n;
  if (expected === 'no_stream') return firstRevision === 0n;
  if (expected === 'exists') return firstRevision > 0n;
  return true;
}

/**
 * Decides what an append does.
 * @param existing events already stored under any of the batch's ids (any stream)
 */
export function planAppend(
  stream: string,
  events: readonly ValidEvent[],
  expected: ExpectedRevision,
  head: StreamHead | null,
  existing: ReadonlyMap<string, ExistingEvent>,
): AppendPlan {
  if (existing.size > 0) return planRetry(stream, events, expected, existing);
  checkExpectedRevision(stream, expected, head);
  let revision = head ? head.revision : -1n;
  let prevHash: string | null = head ? head.hash : null;
  const planned: PlannedEvent[] = [];
  for (const event of events) {
    revision += 1n;
    const { id, type, schemaVersion, dataJson, metadataJson } = event;
    // From the canonical texts when validation made them, so `data` and `metadata` stay unread (ValidEvent).
    const hash =
      dataJson !== undefined && metadataJson !== undefined
        ? computeEventHashOfTexts({ id, stream, revision, type, schemaVersion, dataJson, metadataJson }, prevHash)
        : computeEventHash({ id, stream, revision, type, schemaVersion, data: event.data, metadata: event.metadata }, prevHash);
    planned.push(new Planned(event, revision, prevHash, hash));
    prevHash = hash;
  }
  return { kind: 'write', events: planned };
}

/**
 * A planned event. Its stored metadata (the caller's plus the chain fields) is assembled when
 * first read: the SQL store writes the canonical texts and the chain fields instead (ADR 0006).
 */
class Planned implements PlannedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly dataJson: string | undefined;
  readonly metadataJson: string | undefined;
  #metadata: StoredEventMetadata | undefined;
  constructor(
    private readonly event: ValidEvent,
    readonly revision: bigint,
    readonly prevHash: string | null,
    readonly hash: string,
  ) {
    this.id = event.id;
    this.type = event.type;
    this.schemaVersion = event.schemaVersion;
    const texts = event.dataJson !== undefined && event.metadataJson !== undefined;
    this.dataJson = texts ? event.dataJson : undefined;
    this.metadataJson = texts ? event.metadataJson : undefined;
  }
  get data(): unknown {
    return this.event.data;
  }
  get metadata(): StoredEventMetadata {
    this.#metadata ??= { ...this.event.metadata, prevHash: this.prevHash, hash: this.hash };
    return this.#metadata;
  }
}

/**
 * Some ids are stored already: only an exact retry (every event, same stream,
 * consecutive revisions at the position the expected revision implies, same
 * content) is a no-op; anything else would either duplicate or silently drop
 * an event, so it is refused naming the first event that differs.
 */
function planRetry(
  stream: string,
  events: readonly ValidEvent[],
  expected: ExpectedRevision,
  existing: ReadonlyMap<string, ExistingEvent>,
): AppendPlan {
  const first = existing.get(events[0]!.id);
  if (!first) {
    const stored = events.find((e) => existing.has(e.id))!;
    const at = existing.get(stored.id)!;
    throw new EventIdConflictError(stored.id, stream, `already stored in ${at.stream} at revision ${at.revision}, but the events before it in this batch are not`, {
      existingStream: at.stream,
      existingRevision: at.revision.toString(),
    });
  }
  let last = first;
  events.forEach((event, i) => {
    const stored = existing.get(event.id);
    const want = first.revision + BigInt(i);
    if (!stored) {
      throw new EventIdConflictError(event.id, stream, `the batch was partly stored before: events up to index ${i - 1} exist, this one does not`);
    }
    if (stored.stream !== stream || stored.revision !== want) {
      throw new EventIdConflictError(event.id, stream, `already stored in ${stored.stream} at revision ${stored.revision}, not as part of this append`, {
        existingStream: stored.stream,
        existingRevision: stored.revision.toString(),
      });
    }
    if (!sameContent(event, stored)) {
      throw new EventIdConflictError(event.id, stream, `already stored at revision ${stored.revision} with different content`, {
        existingRevision: stored.revision.toString(),
      });
    }
    last = stored;
  });
  if (!retryPositionMatches(expected, first.revision)) {
    throw new EventIdConflictError(first.id, stream, `already stored at revision ${first.revision}, which expected revision ${describeExpected(expected)} does not lead to`, {
      existingRevision: first.revision.toString(),
    });
  }
  return { kind: 'already-appended', result: { nextExpectedRevision: last.revision, lastGlobalPosition: last.globalPosition, alreadyAppended: true } };
}
