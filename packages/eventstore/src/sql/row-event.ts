/**
 * A stored event as the SQL adapters read it: the metadata stays JSON text until someone reads it.
 *
 * Why: measured on a full replay (issue 3, 10 million events under a minute), parsing each row's
 * metadata (correlation, causation, actor, both chain hashes: about 300 of the row's 700 bytes of
 * JSON) took a third of the reader's time, and most readers never look at it: a projection or a
 * decider's fold reads `type` and `data`; the fold cache wants one hash per stream. The first read
 * of `metadata` parses it once and keeps the result.
 *
 * `metadata` is an own, enumerable accessor (one shared descriptor), not a prototype getter, so
 * the event behaves as the plain object it replaces: `{ ...event }`, `Object.entries`,
 * `JSON.stringify` and `structuredClone` all see the metadata; freezing the event still lets the
 * getter keep what it parsed (a private field, not a property).
 */
import type { StoredEvent, StoredEventMetadata } from '../port.ts';

export class RowEvent implements StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly stream: string;
  readonly revision: bigint;
  readonly globalPosition: bigint;
  readonly recordedAt: Date;
  readonly data: unknown;
  declare readonly metadata: StoredEventMetadata;
  #metadata: StoredEventMetadata | string;

  static readonly #metadataDescriptor: PropertyDescriptor = {
    get(this: RowEvent): StoredEventMetadata {
      const kept = this.#metadata;
      if (typeof kept !== 'string') return kept;
      const parsed = JSON.parse(kept) as StoredEventMetadata;
      this.#metadata = parsed;
      return parsed;
    },
    enumerable: true,
  };

  constructor(
    id: string,
    type: string,
    schemaVersion: number,
    stream: string,
    revision: bigint,
    globalPosition: bigint,
    recordedAt: Date,
    data: unknown,
    metadata: StoredEventMetadata | string,
  ) {
    // Assigned in the order a plain StoredEvent literal lists them, so keys enumerate alike.
    this.id = id;
    this.type = type;
    this.schemaVersion = schemaVersion;
    this.stream = stream;
    this.revision = revision;
    this.globalPosition = globalPosition;
    this.recordedAt = recordedAt;
    this.data = data;
    this.#metadata = metadata;
    Object.defineProperty(this, 'metadata', RowEvent.#metadataDescriptor);
  }
}
