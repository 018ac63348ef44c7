/**
 * The CloudEvents envelope in Kafka binary content mode (CloudEvents Kafka
 * protocol binding §3.2): attributes travel as `ce_*` headers, the data as the
 * JSON message value, `content-type` carries `datacontenttype`, and the
 * partition key (case id) is the Kafka key. The `cloudevents` SDK builds and
 * validates the envelope and does the binding; this module adds what the SDK
 * leaves open: our required attributes, the data schema, and key/subject
 * consistency.
 *
 * Headers on the wire (all strings):
 *   ce_specversion, ce_id, ce_source, ce_type, ce_subject (= case id),
 *   ce_time, ce_dataschema, content-type, ce_correlationid, ce_causationid?
 */
import { CloudEvent, Kafka, ValidationError as CloudEventsValidationError, type KafkaMessage } from 'cloudevents';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import {
  definitionOf,
  inSchemaOrder,
  issuesOf,
  parseIntegrationEvent,
  parseOwnedIntegrationEvent,
  passesCompiledCheck,
  upcastToCurrent,
  type CurrentIntegrationEvent,
  type IntegrationEvent,
  type IntegrationEventTypeName,
} from './registry.ts';
import { sourceOf } from './topics.ts';
import type { IntegrationEventDefinition } from './define.ts';
import { fastBinaryHeaders, fastReadEnvelope } from './envelope-fast.ts';

export const contentType = 'application/json';

/** A record ready for the producer: value is UTF-8 JSON. */
export interface EncodedRecord {
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

/** A record as a consumer receives it; header values may be bytes (Kafka headers are byte arrays). */
export interface ReceivedRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers: Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;
}

export interface EnvelopeAttributes {
  /** Unique per source. Derive it from the domain event id so a re-publish carries the same id and consumers dedupe it. */
  readonly id: string;
  readonly time: Date | string;
  readonly correlationId: string;
  readonly causationId?: string | null;
  /** Defaults to the producing service (`/govsvc/intake`). */
  readonly source?: string;
}

export interface DecodedIntegrationEvent<E extends CurrentIntegrationEvent = CurrentIntegrationEvent> {
  readonly id: string;
  readonly source: string;
  /** The current type after upcasting; switch on this. */
  readonly type: E['type'];
  readonly data: E['data'];
  /** The type on the wire (an older version when it was upcast). */
  readonly receivedType: IntegrationEventTypeName;
  /** Case id (item code for catalog events). */
  readonly subject: string;
  readonly time: string;
  readonly dataschema: string;
  readonly correlationId: string;
  readonly causationId: string | null;
}

const Text = z.string().min(1).max(500);

/** Attributes the CloudEvents spec leaves optional but our contract requires. */
const RequiredAttributes = z.object({
  specversion: z.literal('1.0'),
  id: Text,
  source: Text,
  type: Text,
  subject: Text,
  time: z.iso.datetime({ offset: true }),
  dataschema: Text,
  datacontenttype: z.string().refine((v) => v === contentType || v.startsWith(`${contentType};`), 'must be application/json'),
  correlationid: Text,
  causationid: Text.optional(),
});

const attributeHeader: Record<string, string> = { datacontenttype: 'content-type' };
const headerOf = (attribute: string): string => attributeHeader[attribute] ?? `ce_${attribute}`;

/**
 * Where decoding failed, in `ValidationError.details.stage`, so a consumer can tell a broken
 * envelope from an event type it does not know (often a newer version) from data that fails its schema.
 */
export type DecodeFailureStage = 'envelope' | 'type' | 'data';

const invalid = (message: string, issues: FieldIssue[], stage: DecodeFailureStage = 'envelope'): ValidationError =>
  new ValidationError(message, issues, { stage });

/** The stage of a decode failure (`envelope` for errors not raised by decodeIntegrationEvent). */
export function decodeFailureStage(error: ValidationError): DecodeFailureStage {
  const stage = error.details['stage'];
  return stage === 'type' || stage === 'data' ? stage : 'envelope';
}

/** Serializes an event for Kafka. Validates the data first: an invalid contract never leaves the process. */
export function encodeIntegrationEvent(event: IntegrationEvent, attributes: EnvelopeAttributes): EncodedRecord {
  return encode(event, attributes, true);
}

/**
 * The SDK path alone, without the fast path (envelope-fast.ts): the reference the fast path is
 * tested (envelope-fast.unit.spec.ts) and measured (envelope-micro-bench.ts) against. Not for production use.
 */
export function encodeIntegrationEventViaSdk(event: IntegrationEvent, attributes: EnvelopeAttributes): EncodedRecord {
  return encode(event, attributes, false);
}

function encode(event: IntegrationEvent, attributes: EnvelopeAttributes, fast: boolean): EncodedRecord {
  // Serialized below before anything could change it, so data the compiled check accepts, keys in
  // the schema's order, is sent as it is: the same bytes as zod's copy (ADR 0005). Accepted with keys
  // in another order (read back from jsonb), it is copied into the schema's order without zod.
  // Anything else is parsed by zod, which refuses it or returns the copy to send.
  const parsed = passesCompiledCheck(event.type, event.data, { ordered: true })
    ? event
    : (inSchemaOrder(event.type, event.data) ?? parseIntegrationEvent(event.type, event.data, '/data'));
  // parseIntegrationEvent found it, so the definition exists.
  const definition = definitionOf(parsed.type)!;
  const key = definition.keyOf(parsed.data);
  const time = attributes.time instanceof Date ? attributes.time.toISOString() : attributes.time;
  const source = attributes.source ?? sourceOf(definition.producer);
  // The fast path builds the same headers for what it accepts; anything in doubt goes the SDK's
  // way, whose errors are the ones callers see.
  const headers =
    (fast
      ? fastBinaryHeaders({ id: attributes.id, source, definition, key, time, correlationId: attributes.correlationId, causationId: attributes.causationId, data: parsed.data })
      : null) ?? sdkBinaryHeaders(attributes, source, definition, key, time, parsed.data);
  return { topic: definition.topic, key, headers, value: JSON.stringify(parsed.data) };
}

/** Headers of the `CloudEvent` the SDK builds and validates (ajv), with our required attributes checked by zod. */
function sdkBinaryHeaders(
  attributes: EnvelopeAttributes,
  source: string,
  definition: IntegrationEventDefinition,
  key: string,
  time: string,
  data: unknown,
): Record<string, string> {
  let cloudEvent: CloudEvent<unknown>;
  try {
    cloudEvent = new CloudEvent<unknown>({
      specversion: '1.0',
      id: attributes.id,
      source,
      type: definition.type,
      subject: key,
      time,
      dataschema: definition.dataschema,
      datacontenttype: contentType,
      data,
      partitionkey: key,
      correlationid: attributes.correlationId,
      ...(attributes.causationId ? { causationid: attributes.causationId } : {}),
    });
    RequiredAttributes.parse(cloudEvent);
  } catch (error) {
    throw envelopeError(error, 'cannot build the CloudEvents envelope');
  }
  return binaryHeadersOf(cloudEvent);
}

/**
 * Binary-mode headers of a validated CloudEvent (Kafka binding §3.2): `content-type` carries
 * `datacontenttype`, every other attribute and extension becomes `ce_<name>`, `partitionkey`
 * is the Kafka key rather than a header (§3.1). This is what the SDK's `Kafka.binary` produces
 * minus the two headers the binding does not call for (`ce_datacontenttype`, `ce_partitionkey`),
 * but about 15× cheaper: `Kafka.binary` cost ~9 µs per event, most of the relay's encoding time.
 * A unit test keeps the two in agreement.
 */
function binaryHeadersOf(cloudEvent: CloudEvent<unknown>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType };
  for (const name of Object.keys(cloudEvent)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || name === 'partitionkey') continue;
    const value = (cloudEvent as unknown as Record<string, unknown>)[name];
    if (value !== undefined) headers[`ce_${name}`] = String(value);
  }
  return headers;
}

/**
 * Decodes and validates a received record: the envelope (CloudEvents spec and
 * our required attributes), the data against the schema its type names, the
 * key and subject against the data; then upcasts to the current version.
 * Throws ValidationError with paths under `/headers`, `/key`, `/value`, `/data`.
 */
export function decodeIntegrationEvent(record: ReceivedRecord): DecodedIntegrationEvent {
  return decode(record, true);
}

/** The SDK path alone (see encodeIntegrationEventViaSdk): the fast path's reference. Not for production use. */
export function decodeIntegrationEventViaSdk(record: ReceivedRecord): DecodedIntegrationEvent {
  return decode(record, false);
}

function decode(record: ReceivedRecord, fast: boolean): DecodedIntegrationEvent {
  const { headers, issues } = normalizeHeaders(record.headers);
  if (issues.length > 0) throw invalid('malformed headers', issues);
  const value = record.value === null ? null : typeof record.value === 'string' ? record.value : record.value.toString('utf8');
  const key = record.key === null ? null : typeof record.key === 'string' ? record.key : record.key.toString('utf8');
  if (!headers['ce_id']) throw invalid('not a CloudEvent in binary mode', [{ path: '/headers/ce_id', reason: 'missing' }]);
  if (headers['content-type']?.startsWith('application/cloudevents')) {
    throw invalid('structured or batch mode', [{ path: '/headers/content-type', reason: 'only binary content mode is accepted' }]);
  }
  if (headers['ce_specversion'] !== '1.0') {
    // Checked before the SDK sees it: it would apply 0.3 rules and fail on unrelated attributes.
    throw invalid('unsupported CloudEvents version', [{ path: '/headers/ce_specversion', reason: 'must be 1.0' }]);
  }
  if (value === null || value.length === 0) throw invalid('empty value', [{ path: '/value', reason: 'missing: the data is required' }]);

  // The fast path reads what it can vouch for as the SDK path would; the rest goes the SDK's way.
  const { envelope, definition, data } = (fast ? fastReadEnvelope(headers, value) : null) ?? sdkReadEnvelope(headers, key, value);
  let event: IntegrationEvent;
  try {
    // The data was just parsed from the record's value and is ours alone: the compiled check may
    // accept it as it is (ADR 0005); anything else is parsed by zod.
    event = parseOwnedIntegrationEvent(definition.type, data, '/data');
  } catch (error) {
    if (error instanceof ValidationError) throw invalid(error.message, [...error.issues], 'data');
    throw error;
  }
  const expectedKey = definition.keyOf(event.data);
  const mismatches: FieldIssue[] = [];
  if (envelope.subject !== expectedKey) mismatches.push({ path: '/headers/ce_subject', reason: `must equal data.${definition.keyField} (${expectedKey})` });
  // A producer keying by anything else breaks per-case ordering: refuse it loudly.
  if (key !== expectedKey) mismatches.push({ path: '/key', reason: `must equal data.${definition.keyField} (${expectedKey})` });
  if (mismatches.length > 0) throw invalid('key or subject does not match the data', mismatches, 'data');

  let current: CurrentIntegrationEvent;
  try {
    current = upcastToCurrent(event);
  } catch (error) {
    if (error instanceof ValidationError) throw invalid(`upcasting ${event.type}: ${error.message}`, [...error.issues], 'data');
    throw error;
  }
  return {
    id: envelope.id,
    source: envelope.source,
    type: current.type,
    data: current.data,
    receivedType: event.type,
    subject: envelope.subject,
    time: envelope.time,
    dataschema: envelope.dataschema,
    correlationId: envelope.correlationid,
    causationId: envelope.causationid ?? null,
  } as DecodedIntegrationEvent;
}

/** The envelope as `Kafka.toEvent`, `RequiredAttributes` and `validate()` read and judge it; then the type and its dataschema. */
function sdkReadEnvelope(
  headers: Record<string, string>,
  key: string | null,
  value: string,
): { readonly envelope: z.output<typeof RequiredAttributes>; readonly definition: IntegrationEventDefinition; readonly data: unknown } {
  let cloudEvent: CloudEvent<unknown>;
  try {
    const message: KafkaMessage<string> = { headers, key: key ?? '', value, body: value };
    cloudEvent = Kafka.toEvent(message) as CloudEvent<unknown>;
  } catch (error) {
    throw envelopeError(error, 'invalid CloudEvents envelope');
  }
  // Our required attributes first: their errors name the missing header precisely.
  const attributes = RequiredAttributes.safeParse(cloudEvent);
  if (!attributes.success) {
    throw invalid(
      'invalid CloudEvents envelope',
      attributes.error.issues.map((i) => ({ path: `/headers/${headerOf(String(i.path[0] ?? 'ce'))}`, reason: i.message })),
    );
  }
  try {
    // Then the spec's own rules (source is a URI-reference, extension names and types …).
    cloudEvent.validate();
  } catch (error) {
    throw envelopeError(error, 'invalid CloudEvents envelope');
  }
  const envelope = attributes.data;
  const definition = definitionOf(envelope.type);
  if (!definition) {
    throw invalid('unknown event type', [{ path: '/headers/ce_type', reason: `not a published integration event type: ${envelope.type}` }], 'type');
  }
  if (envelope.dataschema !== definition.dataschema) {
    throw invalid('dataschema does not match type', [
      { path: '/headers/ce_dataschema', reason: `expected ${definition.dataschema} for ${definition.type}` },
    ]);
  }
  return { envelope, definition, data: cloudEvent.data };
}

function normalizeHeaders(raw: ReceivedRecord['headers']): { headers: Record<string, string>; issues: FieldIssue[] } {
  const headers: Record<string, string> = {};
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (Array.isArray(value)) {
      issues.push({ path: `/headers/${lower}`, reason: 'repeated header: each CloudEvents attribute appears once' });
      continue;
    }
    if (lower in headers) {
      issues.push({ path: `/headers/${lower}`, reason: 'repeated header (differing only in case)' });
      continue;
    }
    headers[lower] = typeof value === 'string' ? value : (value as Buffer).toString('utf8');
  }
  return { headers, issues };
}

function envelopeError(error: unknown, message: string): ValidationError {
  if (error instanceof ValidationError) return error;
  if (error instanceof z.ZodError) return invalid(message, issuesOf(error, '/headers'));
  if (error instanceof SyntaxError) return invalid('value is not JSON', [{ path: '/value', reason: error.message }]);
  // `new Date(garbage).toISOString()` inside the SDK's binary parser.
  if (error instanceof RangeError) return invalid(message, [{ path: '/headers/ce_time', reason: 'not a valid time' }]);
  if (error instanceof CloudEventsValidationError) {
    const details = (error.errors ?? []) as readonly (string | { instancePath?: string; message?: string; params?: { missingProperty?: string } })[];
    const issues = details.map((d) => {
      if (typeof d === 'string') return { path: '/headers', reason: d };
      const attribute = (d.instancePath ?? '').replace(/^\//, '') || d.params?.missingProperty;
      return { path: attribute ? `/headers/${headerOf(attribute)}` : '/headers', reason: d.message ?? 'invalid' };
    });
    return invalid(`${message}: ${error.message}`, issues.length > 0 ? issues : [{ path: '/headers', reason: error.message }]);
  }
  if (error instanceof TypeError) return invalid(message, [{ path: '/headers', reason: error.message }]);
  throw error;
}
