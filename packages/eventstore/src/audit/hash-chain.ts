/**
 * The per-stream hash chain (ADR 0003). Each event's hash covers its id,
 * stream, revision, type, schema version, data, the caller's metadata and the
 * previous event's hash, so altering, removing, inserting or reordering an
 * event breaks the chain at that event. `recordedAt` and `globalPosition` are
 * left out on purpose: the store assigns them while writing (EventStoreDB
 * only after the write), so they cannot be inside a hash computed before it.
 */
import { sha256Hex } from '../sha256.ts';
import { canonicalJson } from './canonical-json.ts';
import type { EventMetadataInput, StoredEventMetadata } from '../port.ts';

export interface HashableEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** The caller's metadata; `prevHash` / `hash` keys, if present, are ignored. */
  readonly metadata: EventMetadataInput | StoredEventMetadata;
  /** Canonical JSON of `data` and of the caller's metadata, when validation made them (ValidEvent). */
  readonly dataJson?: string;
  readonly metadataJson?: string;
}

/** The caller's part of stored metadata: everything but the chain fields. */
export function metadataWithoutChain(metadata: EventMetadataInput | StoredEventMetadata): EventMetadataInput {
  const { prevHash: _prevHash, hash: _hash, ...rest } = metadata as StoredEventMetadata;
  return rest;
}

/** The exact bytes that are hashed, exposed so a verifier can show what it compared. */
export function hashInput(event: HashableEvent, prevHash: string | null): string {
  if (event.dataJson !== undefined && event.metadataJson !== undefined) return textsHashInput(event as CanonicalHashableEvent, prevHash);
  return canonicalJson({
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: metadataWithoutChain(event.metadata),
    prevHash,
  });
}

/** SHA-256 (lowercase hex) of the event's canonical serialization chained to `prevHash`. */
export function computeEventHash(event: HashableEvent, prevHash: string | null): string {
  return sha256Hex(hashInput(event, prevHash));
}

/** An event whose data and caller metadata are given only as their canonical JSON (the append hot path). */
export type CanonicalHashableEvent = Pick<HashableEvent, 'id' | 'stream' | 'revision' | 'type' | 'schemaVersion'> & {
  readonly dataJson: string;
  readonly metadataJson: string;
};

/** `computeEventHash` from the canonical texts alone: the same bytes, without reading `data` or `metadata`. */
export function computeEventHashOfTexts(event: CanonicalHashableEvent, prevHash: string | null): string {
  return sha256Hex(textsHashInput(event, prevHash));
}

// The same bytes canonicalJson writes for hashInput's object (keys in code-unit order), with
// data and metadata already canonical: the append hot path walks them once, not twice.
const textsHashInput = (event: CanonicalHashableEvent, prevHash: string | null): string =>
  `{"data":${event.dataJson},"id":${JSON.stringify(event.id)},"metadata":${event.metadataJson},` +
  `"prevHash":${prevHash === null ? 'null' : JSON.stringify(prevHash)},"revision":${JSON.stringify(event.revision.toString())},` +
  `"schemaVersion":${canonicalJson(event.schemaVersion)},"stream":${JSON.stringify(event.stream)},"type":${JSON.stringify(event.type)}}`;

/** Content equality used by idempotent appends: same type, version, data and caller metadata. */
export function sameContent(
  a: Pick<HashableEvent, 'type' | 'schemaVersion' | 'data' | 'metadata'>,
  b: Pick<HashableEvent, 'type' | 'schemaVersion' | 'data' | 'metadata'>,
): boolean {
  const content = (e: typeof a) =>
    canonicalJson({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: metadataWithoutChain(e.metadata) });
  return content(a) === content(b);
}
