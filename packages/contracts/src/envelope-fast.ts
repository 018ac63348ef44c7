/**
 * The envelope's fast path (issue 3): building and reading the `ce_*` headers of the events we
 * publish without constructing a `cloudevents` SDK `CloudEvent` (its constructor runs ajv) nor
 * parsing our required attributes with zod. Those cost about a third of the relay's CPU per
 * event and most of a consumer's decode.
 *
 * It accepts a strict subset of what the SDK path accepts and answers `null` for anything
 * else, so the caller falls back to the SDK path: errors and problem details stay exactly what
 * the SDK path says. Whatever it accepts, it turns into the same headers (same order) or the same
 * attributes the SDK path would (envelope-fast.unit.spec.ts compares them, including on
 * mutated and random input). Checks, per attribute, as strict as the SDK + `RequiredAttributes`:
 * - id, type, subject, dataschema, correlationid, causationid: strings of 1–500 UTF-16 units
 *   (zod's `min(1).max(500)`; ajv's `minLength: 1` counts code points, implied);
 * - source: 1–500 units and a URI-reference as the SDK's schema requires, decided by the SDK
 *   itself once per distinct source (a handful: one per producer), remembered;
 * - type and dataschema: a published definition's own (dataschema a URI, decided once per
 *   definition by the SDK, remembered);
 * - time: only the canonical `YYYY-MM-DDTHH:mm:ss.sssZ` of a real date and time (what `Date`
 *   round-trips, hence RFC 3339 for ajv and zod alike); any other form goes the SDK way;
 * - specversion 1.0 and `content-type: application/json` (`;` parameters allowed, as zod allows);
 * - on decode, no `ce_*` header besides ours: anything else is an extension the SDK would judge.
 */
import { CloudEvent } from 'cloudevents';
import type { IntegrationEventDefinition } from './define.ts';
import { definitionOf } from './registry.ts';

const contentType = 'application/json';
/** zod's `Text` in envelope.ts: `z.string().min(1).max(500)`. */
const maxText = 500;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= maxText;

/** The attributes an event of ours carries, as encode has them before the SDK would see them. */
export interface FastEncodeInput {
  readonly id: unknown;
  readonly source: unknown;
  readonly definition: IntegrationEventDefinition;
  /** The data's key: subject and partition key. */
  readonly key: unknown;
  /** As encode passes it to the SDK (a Date already turned into its ISO string). */
  readonly time: unknown;
  readonly correlationId: unknown;
  readonly causationId: unknown;
  readonly data: unknown;
}

/** Our required attributes as `RequiredAttributes.parse` returns them on decode. */
export interface FastEnvelope {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly dataschema: string;
  readonly datacontenttype: string;
  readonly correlationid: string;
  readonly causationid?: string;
}

/** Does the SDK accept an event with these attributes (ajv, strict)? The oracle behind the two memos below. */
function sdkAccepts(attributes: Record<string, string>): boolean {
  try {
    new CloudEvent<unknown>({ specversion: '1.0', id: 'x', source: '/x', type: 'x', ...attributes });
    return true;
  } catch {
    return false;
  }
}

/** Sources the SDK found to be URI-references. Bounded: past it, unknown sources go the SDK way. */
const goodSources = new Map<string, boolean>();
const maxSources = 256;
function isGoodSource(source: unknown): source is string {
  if (!isText(source)) return false;
  const known = goodSources.get(source);
  if (known !== undefined) return known;
  if (goodSources.size >= maxSources) return false;
  const good = sdkAccepts({ source });
  goodSources.set(source, good);
  return good;
}

/** Definitions whose type and dataschema the SDK and `RequiredAttributes` accept. */
const goodDefinitions = new WeakMap<IntegrationEventDefinition, boolean>();
function isGoodDefinition(definition: IntegrationEventDefinition): boolean {
  let good = goodDefinitions.get(definition);
  if (good === undefined) {
    good = isText(definition.type) && isText(definition.dataschema) && sdkAccepts({ type: definition.type, dataschema: definition.dataschema });
    goodDefinitions.set(definition, good);
  }
  return good;
}

const canonicalTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
/**
 * `Date`'s own ISO form (`YYYY-MM-DDTHH:mm:ss.sssZ`, years 0000–9999) of a real date and time:
 * what `new Date(time).toISOString()` gives back unchanged, valid for zod's `iso.datetime` and
 * ajv's `date-time` alike. Checked by hand: a `Date` round trip costs about a microsecond.
 */
function isCanonicalTime(time: unknown): time is string {
  if (typeof time !== 'string') return false;
  const parts = canonicalTime.exec(time);
  if (parts === null) return false;
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && Number(parts[4]) <= 23 && Number(parts[5]) <= 59 && Number(parts[6]) <= 59;
}

/**
 * The binary-mode headers the SDK path would write for these attributes (envelope.ts
 * `binaryHeadersOf` of the validated `CloudEvent`: the same names in the same order, the
 * `CloudEvent` constructor's), or null when any attribute needs the SDK's judgement.
 */
export function fastBinaryHeaders(input: FastEncodeInput): Record<string, string> | null {
  const { id, source, definition, key, time, correlationId, causationId, data } = input;
  if (!isText(id) || !isCanonicalTime(time) || !isGoodSource(source) || !isGoodDefinition(definition)) return null;
  if (!isText(key) || !isText(correlationId)) return null;
  // The SDK path leaves out a falsy causation id altogether.
  if (causationId && !isText(causationId)) return null;
  // Binary data would become data_base64; a non-object is not one of our contracts.
  if (typeof data !== 'object' || data === null || ArrayBuffer.isView(data)) return null;
  const headers: Record<string, string> = {
    'content-type': contentType,
    ce_id: id,
    ce_time: time,
    ce_type: definition.type,
    ce_source: source,
    ce_specversion: '1.0',
    ce_subject: key,
    ce_dataschema: definition.dataschema,
    ce_correlationid: correlationId,
  };
  if (causationId) headers['ce_causationid'] = causationId as string;
  return headers;
}

const ourHeaders = new Set(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_subject', 'ce_time', 'ce_dataschema', 'ce_correlationid', 'ce_causationid']);

/**
 * Our required attributes, the definition `ce_type` names and the parsed data, read from
 * normalized (lower-case, string) headers as `Kafka.toEvent` + `RequiredAttributes` +
 * `validate()` would accept them; null when anything needs the SDK's judgement (an unknown
 * type included: the SDK path reports it, after the envelope checks, exactly as today).
 * The caller has already checked ce_id, binary mode, ce_specversion and a non-empty value.
 */
export function fastReadEnvelope(
  headers: Readonly<Record<string, string>>,
  value: string,
): { readonly envelope: FastEnvelope; readonly definition: IntegrationEventDefinition; readonly data: unknown } | null {
  for (const name in headers) if (name.startsWith('ce_') && !ourHeaders.has(name)) return null;
  const datacontenttype = headers['content-type'];
  if (datacontenttype !== contentType && !datacontenttype?.startsWith(`${contentType};`)) return null;
  const { ce_specversion: specversion, ce_id: id, ce_source: source, ce_type: type, ce_subject: subject } = headers;
  const { ce_time: time, ce_dataschema: dataschema, ce_correlationid: correlationid, ce_causationid: causationid } = headers;
  if (specversion !== '1.0' || !isText(id) || !isText(type) || !isText(subject) || !isText(correlationid)) return null;
  if (causationid !== undefined && !isText(causationid)) return null;
  const definition = definitionOf(type);
  if (!definition || dataschema !== definition.dataschema || !isGoodDefinition(definition) || !isGoodSource(source)) return null;
  // The SDK's binary parser keeps `new Date(ce_time).toISOString()`, not the header: the same
  // string for the canonical form only (any other form, e.g. an offset, goes the SDK's way); a
  // missing or empty ce_time becomes "now" there: left to it too.
  if (!isCanonicalTime(time)) return null;
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    return null;
  }
  const envelope: FastEnvelope = {
    specversion,
    id,
    source,
    type,
    subject,
    time,
    dataschema,
    datacontenttype,
    correlationid,
    ...(causationid === undefined ? {} : { causationid }),
  };
  return { envelope, definition, data };
}
