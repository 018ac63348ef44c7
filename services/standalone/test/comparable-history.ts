/**
 * A case history reduced to what two runs given the same inputs on the same
 * clock must agree on: per stream (the case id replaced), the events in
 * stream order with their type, actor, guide version and data. What each
 * run mints for itself is masked: the case id and every other UUID, case and
 * document numbers, signatures, hashes and key ids (each run has its own
 * keys, named per deployment), and the store's own positions and recording instants.
 *
 * A stream fed by several independent sources records their contracts in
 * the order they arrive (delivery's case stream hears intake's acceptance
 * and review's progress; supervision's hears review's decision and
 * delivery's schedule: they race, in one process as across many). So each
 * stream is compared as the set of its events plus, for each source (the
 * actor), the order of that source's events: what causality fixes, and
 * nothing that the interleaving of independent services decides.
 */
export interface TimelineEntryLike {
  readonly stream: string;
  readonly revision: string;
  readonly type: string;
  readonly actor: { readonly id: string; readonly role: string; readonly department?: string };
  readonly guideVersion: string | null;
  readonly data: unknown;
}

export interface ComparableEvent {
  readonly type: string;
  readonly actor: TimelineEntryLike['actor'];
  readonly guideVersion: string | null;
  readonly data: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Case numbers (京 + 19 digits) and the document numbers built on them. */
const CASE_NUMBER = /京\d{19}/g;
/** Long opaque tokens: base64url/hex signatures, hashes, key material. */
const OPAQUE = /^[A-Za-z0-9+/_=-]{40,}$/;
const MINTED_KEYS = new Set(['signature', 'sig', 'signedWith', 'hash', 'previousHash', 'keyId', 'kid', 'publicKey', 'digest', 'sealedContact', 'contact', 'ciphertext', 'nonce', 'commandId', 'correlationId', 'causationId']);

function mask(value: unknown, caseId: string): unknown {
  if (typeof value === 'string') {
    // A signed document carries its canonical JSON as a string: mask inside it too.
    if (value.startsWith('{')) {
      try {
        return JSON.stringify(mask(JSON.parse(value), caseId));
      } catch {
        // not JSON after all: masked as text below
      }
    }
    const masked = value.split(caseId).join('<case>').replace(UUID, '<id>').replace(CASE_NUMBER, '<case-number>');
    return OPAQUE.test(masked) ? '<opaque>' : masked;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, caseId));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, MINTED_KEYS.has(k) ? '<minted>' : mask(v, caseId)]));
  }
  return value;
}

export interface ComparableStream {
  /** Every event of the stream, in a canonical (sorted) order. */
  readonly events: readonly ComparableEvent[];
  /** The events in stream order, where one cause orders the stream; null where independent sources race. */
  readonly inOrder: readonly ComparableEvent[] | null;
}

const ORDERED_BY_ONE_CAUSE = /^(application|review|deadline)-/;

const canonical = (e: ComparableEvent) => JSON.stringify(e);

/** Stream (case id masked) → its events, as a set and, where one cause orders them, in order. */
export function comparableHistory(caseId: string, entries: readonly TimelineEntryLike[]): Record<string, ComparableStream> {
  const streams: Record<string, (ComparableEvent & { revision: bigint })[]> = {};
  for (const e of entries) {
    const stream = e.stream.split(caseId).join('<case>').replace(UUID, '<id>');
    (streams[stream] ??= []).push({ revision: BigInt(e.revision), type: e.type, actor: mask(e.actor, caseId) as TimelineEntryLike['actor'], guideVersion: e.guideVersion, data: mask(e.data, caseId) });
  }
  return Object.fromEntries(
    Object.entries(streams).map(([stream, events]) => {
      const inOrder = events.sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0)).map(({ revision: _, ...event }) => event);
      return [stream, { events: [...inOrder].sort((a, b) => canonical(a).localeCompare(canonical(b))), inOrder: ORDERED_BY_ONE_CAUSE.test(stream) ? inOrder : null }];
    }),
  );
}
