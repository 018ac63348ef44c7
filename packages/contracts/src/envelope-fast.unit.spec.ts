/**
 * The envelope's fast path (envelope-fast.ts) against the SDK path it replaces (issue 3): for every
 * example contract and for mutated and random attributes and headers, encode gives the same
 * topic, key, value and headers (same order, hence the same bytes on the wire), and decode the
 * same result or the same error (class, message, issues, stage). Each property also counts how
 * often the fast path itself answered, so a fast path that always fell back would fail here.
 */
import { DomainError, ValidationError } from '@govsvc/errors/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeIntegrationEvent,
  decodeIntegrationEventViaSdk,
  encodeIntegrationEvent,
  encodeIntegrationEventViaSdk,
  type EncodedRecord,
  type EnvelopeAttributes,
  type ReceivedRecord,
} from './envelope.ts';
import { fastBinaryHeaders, fastReadEnvelope } from './envelope-fast.ts';
import { examples } from './examples.ts';
import { definitionOf, integrationEventDefinitions, type IntegrationEvent } from './registry.ts';
import { sourceOf } from './topics.ts';

const attributes: EnvelopeAttributes = { id: 'evt-0001', time: new Date('2025-03-12T02:00:00.000Z'), correlationId: 'corr-1', causationId: 'cmd-1' };
const events = integrationEventDefinitions.map((d) => ({ type: d.type, data: examples[d.type] }) as IntegrationEvent);

/** What a call did: its result, or its error reduced to what a caller can see. */
type Outcome = { readonly ok: unknown } | { readonly error: unknown };
function outcomeOf(call: () => unknown): Outcome {
  try {
    return { ok: call() };
  } catch (error) {
    if (error instanceof DomainError) {
      const details = (error as DomainError & { details: unknown }).details;
      return { error: { class: error.constructor.name, message: error.message, issues: (error as ValidationError).issues, details } };
    }
    if (error instanceof Error) return { error: { class: error.constructor.name, message: error.message } };
    throw error;
  }
}

/** A record with its headers as ordered entries: equal records are equal bytes on the wire. */
const wire = (record: EncodedRecord) => ({ topic: record.topic, key: record.key, value: record.value, headers: Object.entries(record.headers) });

/** As kafkajs delivers a record: bytes everywhere. */
const asReceived = (record: EncodedRecord): ReceivedRecord => ({
  key: Buffer.from(record.key),
  value: Buffer.from(record.value),
  headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('encode: the fast path writes what the SDK path writes', () => {
  it.each(events.map((e) => [e.type, e] as const))('%s: same topic, key, value and headers in the same order, by the fast path', (_type, event) => {
    const fast = encodeIntegrationEvent(event, attributes);
    expect(wire(fast)).toEqual(wire(encodeIntegrationEventViaSdk(event, attributes)));
    // …and the fast path did answer (not a fallback).
    const definition = definitionOf(event.type)!;
    expect(
      fastBinaryHeaders({
        id: attributes.id,
        source: sourceOf(definition.producer),
        definition,
        key: fast.key,
        time: '2025-03-12T02:00:00.000Z',
        correlationId: attributes.correlationId,
        causationId: attributes.causationId,
        data: event.data,
      }),
    ).toEqual(fast.headers);
  });

  const text = fc.oneof(
    fc.constantFrom('', ' ', 'a', 'x'.repeat(500), 'x'.repeat(501), '😀'.repeat(250), '😀'.repeat(251), 'corr-1', 'cmd-1', '事件-1'),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  );
  const times = fc.oneof(
    fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
    fc.date({ noInvalidDate: false, min: new Date(-1e14), max: new Date(3e14) }),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      '',
      '2025-03-12T02:00:00.000Z',
      '2025-03-12T02:00:00Z',
      '2025-03-12T10:00:00.000+08:00',
      '2025-03-12t02:00:00.000z',
      '2025-02-30T02:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2025-03-12T24:00:00.000Z',
      '2016-12-31T23:59:60.000Z',
      '+010000-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2025-03-12',
      'tuesday',
    ),
    fc.string({ maxLength: 30 }),
  );
  const sources = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', '/govsvc/intake', 'https://example.org/a?b#c', 'urn:x:y', 'a b', '%zz', '/x/%41', 'http://[::1]/', '\\', 'x'.repeat(501)) },
    fc.string({ maxLength: 20 }),
  );
  // Mostly valid, so the fast path gets its share; the rest probes the fallback.
  const ids = fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,40}$/) },
    { weight: 3, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom(12, null, undefined, { toString: () => 'x' }) },
  );

  it('property: any attributes → the same record or the same error; the fast path answers for the valid ones', () => {
    let fastAnswers = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...events),
        ids,
        times,
        ids,
        fc.oneof(fc.constant(null), fc.constant(undefined), ids),
        sources,
        (event, id, time, correlationId, causationId, source) => {
          const attrs = { id, time, correlationId, causationId, ...(source === undefined ? {} : { source }) } as unknown as EnvelopeAttributes;
          const fast = outcomeOf(() => wire(encodeIntegrationEvent(event, attrs)));
          const sdk = outcomeOf(() => wire(encodeIntegrationEventViaSdk(event, attrs)));
          // The SDK makes up an id or a time for an empty one: not comparable, and never the fast path's.
          const madeUp = !id || time === '';
          if (madeUp && 'ok' in fast && 'ok' in sdk) {
            const mask = (r: unknown) => ({ ...(r as ReturnType<typeof wire>), headers: (r as ReturnType<typeof wire>).headers.map(([k, v]) => [k, k === 'ce_id' || k === 'ce_time' ? '*' : v]) });
            expect(mask(fast.ok)).toEqual(mask(sdk.ok));
          } else {
            expect(fast).toEqual(sdk);
          }
          const definition = definitionOf(event.type)!;
          const answered = fastBinaryHeaders({
            id,
            source: source ?? sourceOf(definition.producer),
            definition,
            key: definition.keyOf(event.data as never),
            time: time instanceof Date ? (Number.isNaN(time.getTime()) ? 'invalid' : time.toISOString()) : time,
            correlationId,
            causationId,
            data: event.data,
          });
          if (answered !== null) {
            fastAnswers++;
            expect(madeUp).toBe(false);
            expect('ok' in sdk && (sdk.ok as ReturnType<typeof wire>).headers).toEqual(Object.entries(answered));
          }
        },
      ),
      { numRuns: 1500 },
    );
    expect(fastAnswers).toBeGreaterThan(50);
  });
});

describe('decode: the fast path reads what the SDK path reads, and refuses alike', () => {
  it.each(events.map((e) => [e.type, e] as const))('%s: the same decoded event, by the fast path', (_type, event) => {
    const record = encodeIntegrationEvent(event, attributes);
    const received = asReceived(record);
    expect(outcomeOf(() => decodeIntegrationEvent(received))).toEqual(outcomeOf(() => decodeIntegrationEventViaSdk(received)));
    expect(fastReadEnvelope({ ...record.headers }, record.value)).not.toBeNull();
  });

  const base = encodeIntegrationEvent(events.find((e) => e.type === 'intake.case-accepted.v2')!, attributes);
  const otherValues = events.map((e) => JSON.stringify(e.data));
  const headerValues = fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      '1.0',
      '0.3',
      'tuesday',
      '2025-03-12',
      '2025-03-12T10:00:00+08:00',
      '2025-03-12T02:00:00Z',
      '2025-02-30T02:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '99999-01-01',
      'application/json',
      'application/json; charset=utf-8',
      'application/jsonx',
      'text/plain',
      'application/cloudevents+json',
      'a b',
      '%zz',
      '/govsvc/review',
      'intake.case-accepted.v1',
      'intake.case-accepted.v9',
      'urn:govsvc:events:intake.case-accepted.v1',
      'not a uri',
      'BJ-2025-000123',
      'BJ-2025-999999',
      'x'.repeat(501),
      '😀'.repeat(251),
    ),
    fc.constantFrom(...Object.values(base.headers)),
    fc.string({ maxLength: 20 }),
  );
  /** A header value as it may arrive: string, bytes, repeated, or absent. */
  const delivered = fc.oneof(
    { weight: 6, arbitrary: headerValues.map((v) => Buffer.from(v) as Buffer | string | (Buffer | string)[] | undefined) },
    { weight: 2, arbitrary: headerValues },
    { weight: 1, arbitrary: fc.tuple(headerValues, headerValues).map(([a, b]) => [Buffer.from(a), b]) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const extraNames = fc.constantFrom('ce_foo', 'ce_partitionkey', 'ce_datacontenttype', 'ce_data', 'ce_data_base64', 'ce_', 'ce_bad-name', 'CE_ID', 'Content-Type', 'traceparent', 'dlq_reason');
  // Mostly the record's own key and value, so the envelope decides the outcome often enough.
  const keys = fc.oneof({ weight: 4, arbitrary: fc.constant(base.key) }, fc.constantFrom('BJ-2025-999999', '', null), fc.string({ maxLength: 10 }));
  const values = fc.oneof(
    { weight: 4, arbitrary: fc.constant(base.value) },
    fc.constantFrom(...otherValues, '', '{', 'null', '[]', '"x"', '{"caseId": BJ-1'),
    fc.string({ maxLength: 20 }),
  );

  it('property: mutated headers, key and value → the same result or the same error (stage, paths, message)', () => {
    let fastAnswers = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...Object.keys(base.headers)), delivered, { maxKeys: 2 }),
        fc.uniqueArray(fc.constantFrom(...Object.keys(base.headers)), { maxLength: 1 }),
        fc.dictionary(extraNames, delivered, { maxKeys: 1 }),
        keys,
        values,
        fc.boolean(),
        (changed, removed, extra, key, value, asBytes) => {
          const headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> = {};
          for (const [name, v] of Object.entries(base.headers)) if (!removed.includes(name)) headers[name] = asBytes ? Buffer.from(v) : v;
          Object.assign(headers, changed, extra);
          const record: ReceivedRecord = {
            key: key === null ? null : asBytes ? Buffer.from(key) : key,
            value: value === null ? null : asBytes ? Buffer.from(value) : value,
            headers,
          };
          const fast = outcomeOf(() => decodeIntegrationEvent(record));
          const sdk = outcomeOf(() => decodeIntegrationEventViaSdk(record));
          // A missing or empty ce_time becomes "now" in the SDK: compare without it.
          if ('ok' in fast && 'ok' in sdk) {
            expect({ ...(fast.ok as object), time: '*' }).toEqual({ ...(sdk.ok as object), time: '*' });
            const normalized = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Buffer.isBuffer(v) ? v.toString('utf8') : v]));
            if (typeof normalized['ce_time'] === 'string' && normalized['ce_time'] !== '') expect(fast.ok).toEqual(sdk.ok);
            const answered = fastReadEnvelope(normalized as Record<string, string>, typeof value === 'string' ? value : '');
            if (answered !== null) fastAnswers++;
          } else {
            expect(fast).toEqual(sdk);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(fastAnswers).toBeGreaterThan(50);
  });

  it('property: times in the canonical form with any field values (Feb 29, day 31, hour 24, second 60 …) → the same outcome, encode and decode', () => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const canonicalLike = fc
      .tuple(fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1900, 2000, 2023, 2024, 2100)), fc.nat(13), fc.nat(32), fc.nat(25), fc.nat(61), fc.nat(61), fc.nat(999))
      .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);
    const event = events.find((e) => e.type === 'intake.case-accepted.v2')!;
    let fastAnswers = 0;
    fc.assert(
      fc.property(canonicalLike, (time) => {
        expect(outcomeOf(() => wire(encodeIntegrationEvent(event, { ...attributes, time })))).toEqual(outcomeOf(() => wire(encodeIntegrationEventViaSdk(event, { ...attributes, time }))));
        const record: ReceivedRecord = { key: base.key, value: base.value, headers: { ...base.headers, ce_time: time } };
        expect(outcomeOf(() => decodeIntegrationEvent(record))).toEqual(outcomeOf(() => decodeIntegrationEventViaSdk(record)));
        if (fastReadEnvelope({ ...base.headers, ce_time: time }, base.value) !== null) fastAnswers++;
      }),
      { numRuns: 2000 },
    );
    expect(fastAnswers).toBeGreaterThan(100);
  });

  it.each([
    ['missing ce_id', { ce_id: undefined }],
    ['empty ce_id', { ce_id: '' }],
    ['bad ce_time', { ce_time: 'tuesday' }],
    ['empty ce_time', { ce_time: '' }],
    ['ce_time beyond year 9999', { ce_time: '+010000-01-01T00:00:00.000Z' }],
    ['ce_time with an offset (normalized to UTC)', { ce_time: '2025-03-12T10:00:00+08:00' }],
    ['wrong specversion', { ce_specversion: '0.3' }],
    ['source not a URI-reference', { ce_source: 'a b' }],
    ['empty source', { ce_source: '' }],
    ['overlong correlation id', { ce_correlationid: 'x'.repeat(501) }],
    ['empty causation id', { ce_causationid: '' }],
    ['unknown type', { ce_type: 'intake.case-accepted.v9' }],
    ['foreign dataschema', { ce_dataschema: 'urn:govsvc:events:intake.case-accepted.v1' }],
    ['text content type', { 'content-type': 'text/plain' }],
    ['an extension with a bad name', { 'ce_bad-name': 'x' }],
    ['a repeated header', { ce_type: [Buffer.from('a'), Buffer.from('b')] }],
  ] as const)('%s: the same outcome by both paths', (_name, change) => {
    for (const asBytes of [true, false]) {
      const headers: Record<string, Buffer | string | readonly (Buffer | string)[] | undefined> = {};
      for (const [name, v] of Object.entries({ ...base.headers, ...change })) headers[name] = typeof v === 'string' && asBytes ? Buffer.from(v) : v;
      const record: ReceivedRecord = { key: base.key, value: base.value, headers };
      const fast = outcomeOf(() => decodeIntegrationEvent(record));
      const sdk = outcomeOf(() => decodeIntegrationEventViaSdk(record));
      if ('ok' in fast && 'ok' in sdk && change['ce_time' as keyof typeof change] === '') {
        expect({ ...(fast.ok as object), time: '*' }).toEqual({ ...(sdk.ok as object), time: '*' });
      } else {
        expect(fast).toEqual(sdk);
      }
    }
  });
});
