/**
 * Input checks shared by every adapter, so a bad append is refused the same
 * way (ValidationError, nothing stored) whatever the backend, and what is
 * stored is plain JSON that reads back exactly as it was hashed.
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { canonicalJsonOfPlain } from './audit/canonical-json.ts';
import type { EventMetadataInput, ExpectedRevision, NewEvent, ReadStreamOptions, ReadAllOptions } from './port.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL jsonb refuses NUL and unpaired surrogates; refuse them for every adapter alike.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const nonEmpty = z.string().min(1);
const actorSchema = z.looseObject({ id: nonEmpty, role: nonEmpty, department: nonEmpty.optional() });
const metadataSchema = z.looseObject({
  caseId: nonEmpty.optional(),
  correlationId: nonEmpty,
  causationId: nonEmpty.optional(),
  actor: actorSchema,
  guideVersion: nonEmpty.optional(),
});
const newEventSchema = z.object({
  id: z.string().regex(UUID, 'must be a UUID'),
  type: z.string().min(1).max(200),
  schemaVersion: z.number().int().min(1),
  data: z.unknown(),
  metadata: metadataSchema,
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const filled = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const filledIfPresent = (value: unknown): boolean => value === undefined || filled(value);

/**
 * `newEventSchema` written out by hand for the hot path: true only for an event the schema
 * certainly accepts (so it never lets through what zod would refuse). Anything else, valid or
 * not, goes through zod, which decides and names every issue.
 */
function plainlyValid(event: unknown): boolean {
  if (!isRecord(event)) return false;
  const { id, type, schemaVersion, data, metadata } = event;
  if (typeof id !== 'string' || !UUID.test(id) || typeof type !== 'string' || type.length < 1 || type.length > 200) return false;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1 || data === undefined) return false;
  if (!isRecord(metadata) || !filled(metadata['correlationId']) || !isRecord(metadata['actor'])) return false;
  const actor = metadata['actor'];
  return (
    filled(actor['id']) &&
    filled(actor['role']) &&
    filledIfPresent(actor['department']) &&
    filledIfPresent(metadata['caseId']) &&
    filledIfPresent(metadata['causationId']) &&
    filledIfPresent(metadata['guideVersion'])
  );
}

const issuesOf = (error: z.ZodError, prefix: string): FieldIssue[] =>
  error.issues.map((issue) => ({ path: `${prefix}/${issue.path.map(String).join('/')}`, reason: issue.message }));

// String.prototype.isWellFormed (ES2024, in Node 20) is far cheaper than the lookbehind regex.
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
/** Text PostgreSQL jsonb can hold: no NUL, no unpaired surrogate. */
export const cleanText = (text: string): boolean => !text.includes('\u0000') && (isWellFormed ? isWellFormed.call(text) : !BAD_TEXT.test(text));

/**
 * The hot path of `normalizeJson` (every appended event goes through it): one JSON.stringify
 * whose replacer only *checks* each value, then JSON.parse for the copy. Returns undefined when
 * anything is not plain JSON (or a cycle makes stringify throw); `normalizeJson` then walks the
 * value itself to name the path and reason. Accepts exactly what the walk accepts, with the
 * same result: dates become ISO strings, undefined members are dropped, -0 becomes 0.
 */
function plainJsonCopy(value: unknown): unknown {
  if (value === undefined) return undefined;
  let ok = true;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function check(this: Record<string, unknown>, key: string, v: unknown) {
      if (!ok) return null;
      if (!cleanText(key)) ok = false;
      const raw = this[key]; // before toJSON
      switch (typeof v) {
        case 'string':
          // A string that was not there before toJSON must come from a valid Date.
          if (raw !== v && !(raw instanceof Date && !Number.isNaN(raw.getTime()))) ok = false;
          else if (raw === v && !cleanText(v)) ok = false;
          return v;
        case 'number':
          if (!Number.isFinite(v) || raw !== v) ok = false;
          return v;
        case 'boolean':
          if (raw !== v) ok = false;
          return v;
        case 'undefined':
          return v;
        case 'object': {
          if (raw !== v) ok = false; // toJSON of an invalid Date (null) or of a class instance
          if (v === null || Array.isArray(v)) return v;
          const proto: unknown = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) ok = false;
          return v;
        }
        default:
          ok = false;
          return null;
      }
    });
  } catch {
    return undefined;
  }
  return ok && text !== undefined ? (JSON.parse(text) as unknown) : undefined;
}

/**
 * Plain JSON, deep-copied (see `plainJsonCopy` for the hot path). Throws ValidationError naming
 * the first offending path.
 */
export function toPlainJson(value: unknown, path: string): unknown {
  return plainJsonCopy(value) ?? normalizeJson(value, path);
}

/**
 * A deep copy that is plain JSON: plain objects, arrays, finite numbers,
 * strings, booleans, null. Dates become ISO strings (as JSON.stringify would);
 * `undefined` object members are dropped. Everything else (bigint, Map, class
 * instances, functions, cycles) is refused rather than silently mangled.
 */
export function normalizeJson(value: unknown, path = '', seen = new Set<object>()): unknown {
  const fail = (reason: string): never => {
    throw new ValidationError(`not storable as JSON at ${path || '/'}: ${reason}`, [{ path: path || '/', reason }]);
  };
  switch (typeof value) {
    case 'string':
      if (BAD_TEXT.test(value)) fail('string holds NUL or an unpaired surrogate');
      return value;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) fail(`${value} is not a finite number`);
      return Object.is(value, -0) ? 0 : value;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) fail('invalid Date');
        return value.toISOString();
      }
      if (seen.has(value)) fail('circular reference');
      seen.add(value);
      try {
        if (Array.isArray(value)) return value.map((item, i) => normalizeJson(item ?? null, `${path}/${i}`, seen));
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) fail(`a ${proto?.constructor?.name ?? 'class'} instance is not plain JSON`);
        const out: Record<string, unknown> = {};
        for (const [key, member] of Object.entries(value)) {
          if (member === undefined) continue;
          if (BAD_TEXT.test(key)) fail(`key ${JSON.stringify(key)} holds NUL or an unpaired surrogate`);
          const copy = normalizeJson(member, `${path}/${key}`, seen);
          // A "__proto__" key is data (JSON.parse makes it an own property): assigned, it would set
          // the copy's prototype, or vanish for a primitive, so the stored data would lose it.
          if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
          else out[key] = copy;
        }
        return out;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return fail(`a ${typeof value} is not JSON (encode bigints as strings)`);
  }
}

/** Stream names are `category-id`; `$` is reserved for the store's own streams (EventStoreDB system streams, checkpoints). */
export function assertStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > 500 || stream.startsWith('$') || !cleanText(stream)) {
    throw new ValidationError(`invalid stream name ${JSON.stringify(stream)}`, [
      { path: '/stream', reason: 'a non-empty string of at most 500 characters, not starting with $' },
    ]);
  }
}

export function assertExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'exists') return;
  if (typeof expected === 'bigint' && expected >= 0n) return;
  throw new ValidationError(`invalid expected revision ${String(expected)}`, [
    { path: '/expectedRevision', reason: "'any', 'no_stream', 'exists' or a revision >= 0n" },
  ]);
}

export function assertSubscriptionId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || BAD_TEXT.test(id)) {
    throw new ValidationError(`invalid subscription id ${JSON.stringify(id)}`, [{ path: '/subscriptionId', reason: '1..200 characters' }]);
  }
}

export function assertPosition(position: bigint, path: string): void {
  if (typeof position !== 'bigint' || position < 0n) {
    throw new ValidationError(`invalid position ${String(position)}`, [{ path, reason: 'a bigint >= 0n' }]);
  }
}

function assertCount(count: number | undefined, path: string): void {
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1)) {
    throw new ValidationError(`invalid ${path.slice(1)} ${count}`, [{ path, reason: 'a positive integer' }]);
  }
}

export function assertReadStreamOptions(options: ReadStreamOptions): void {
  if (options.direction !== undefined && options.direction !== 'forwards' && options.direction !== 'backwards') {
    throw new ValidationError(`invalid direction ${String(options.direction)}`, [{ path: '/direction', reason: "'forwards' or 'backwards'" }]);
  }
  if (options.fromRevision !== undefined) assertPosition(options.fromRevision, '/fromRevision');
  assertCount(options.maxCount, '/maxCount');
}

export function assertReadAllOptions(options: ReadAllOptions): void {
  if (options.after !== undefined) assertPosition(options.after, '/after');
  assertCount(options.maxCount, '/maxCount');
}

export function assertBatchSize(batchSize: number | undefined): void {
  assertCount(batchSize, '/batchSize');
}

/** A subscription's wait (`lingerMs`, `checkpointIntervalMs`): whole milliseconds, at most a minute (longer would only look like a stalled projection). */
export function assertSubscriptionMs(ms: number | undefined, field: 'lingerMs' | 'checkpointIntervalMs'): void {
  if (ms !== undefined && !(Number.isSafeInteger(ms) && ms >= 0 && ms <= 60_000)) {
    throw new ValidationError(`invalid ${field} ${ms}`, [{ path: `/${field}`, reason: 'an integer from 0 to 60000 (milliseconds)' }]);
  }
}

/** A validated event: lowercase id, JSON-normalized data and metadata. */
export interface ValidEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadataInput;
  /**
   * The canonical JSON of `data` and `metadata`, when the hot path made it while checking
   * (plain values, the common case): the hash and the SQL payload reuse it instead of walking
   * the values again (ADR 0006). Absent when the explaining path copied the values.
   */
  readonly dataJson?: string;
  readonly metadataJson?: string;
}

/**
 * A canonical text built piece by piece (+=, the walk `canonicalJsonOfPlain` falls back to) is a
 * tree of hundreds of small strings to V8. Every later use that needs it whole (the hash input,
 * the SQL payload that pg measures and encodes) would walk that tree again, and walking it inside
 * a larger string is slow: 25 µs an event for pg's byteLength of the payload here. Reading one
 * character makes V8 flatten the text in place, once; later copies take it as one piece. (A text
 * from JSON.stringify, the usual case, is flat already and costs nothing here.)
 */
const flattened = (text: string): string => {
  text.charCodeAt(0);
  return text;
};

/**
 * A valid event checked plain by the canonical walk. Its copies of data and metadata are parsed
 * from the canonical texts when first read: the texts were made at validation, so a caller
 * changing its objects afterwards changes nothing here, and the SQL store, which stores and
 * hashes the texts, never pays for the copies (two stringify/parse round trips per event).
 * The copies hold the same values as the caller's, keys in canonical order.
 */
class CanonicalEvent implements ValidEvent {
  #data: unknown;
  #metadata: EventMetadataInput | undefined;
  constructor(
    readonly id: string,
    readonly type: string,
    readonly schemaVersion: number,
    readonly dataJson: string,
    readonly metadataJson: string,
  ) {}
  get data(): unknown {
    if (this.#data === undefined) this.#data = JSON.parse(this.dataJson) as unknown;
    return this.#data;
  }
  get metadata(): EventMetadataInput {
    this.#metadata ??= JSON.parse(this.metadataJson) as EventMetadataInput;
    return this.#metadata;
  }
}

/**
 * Checks a batch before anything is written. Lists every issue at once
 * (events/2/metadata/actor/role …). The chain fields are the store's to set.
 */
export function validateNewEvents(stream: string, events: readonly NewEvent[]): ValidEvent[] {
  assertStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) {
    throw new ValidationError('an append needs at least one event', [{ path: '/events', reason: 'empty' }]);
  }
  const issues: FieldIssue[] = [];
  const ids = new Set<string>();
  const valid: ValidEvent[] = [];
  events.forEach((event, i) => {
    if (!plainlyValid(event)) {
      const parsed = newEventSchema.safeParse(event);
      if (!parsed.success) {
        issues.push(...issuesOf(parsed.error, `/events/${i}`));
        return;
      }
    }
    if ('prevHash' in event.metadata || 'hash' in event.metadata) {
      issues.push({ path: `/events/${i}/metadata`, reason: 'prevHash and hash are computed by the store' });
      return;
    }
    const id = event.id.toLowerCase();
    if (ids.has(id)) issues.push({ path: `/events/${i}/id`, reason: `duplicate event id ${id} in one append` });
    ids.add(id);
    const dataJson = canonicalJsonOfPlain(event.data, cleanText);
    const metadataJson = dataJson === undefined ? undefined : canonicalJsonOfPlain(event.metadata, cleanText);
    if (dataJson !== undefined && metadataJson !== undefined) {
      valid.push(new CanonicalEvent(id, event.type, event.schemaVersion, flattened(dataJson), flattened(metadataJson)));
      return;
    }
    try {
      valid.push({
        id,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: toPlainJson(event.data, `/events/${i}/data`),
        metadata: toPlainJson(event.metadata, `/events/${i}/metadata`) as EventMetadataInput,
      });
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else throw error;
    }
  });
  if (issues.length > 0) throw new ValidationError(`invalid append to ${stream}`, issues, { stream });
  return valid;
}
