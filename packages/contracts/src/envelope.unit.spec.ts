import { ValidationError } from '@govsvc/errors/errors';
import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFailureStage, decodeIntegrationEvent, encodeIntegrationEvent, type EncodedRecord, type ReceivedRecord } from './envelope.ts';
import { examples, exampleEvent } from './examples.ts';
import { integrationEventDefinitions, type IntegrationEvent } from './registry.ts';
import { upcasters } from './upcasters.ts';

const attributes = { id: 'evt-0001', time: new Date('2025-03-12T02:00:00.000Z'), correlationId: 'corr-1', causationId: 'cmd-1' };

/** As kafkajs delivers a record: bytes everywhere. */
const received = (record: EncodedRecord, change: Partial<{ key: string | null; value: string | null; headers: Record<string, string | undefined> }> = {}): ReceivedRecord => {
  const headers = change.headers ?? record.headers;
  const key = change.key === undefined ? record.key : change.key;
  const value = change.value === undefined ? record.value : change.value;
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === undefined ? undefined : Buffer.from(v)])),
  };
};

const issuesOf = (record: ReceivedRecord): { path: string; reason: string }[] => {
  try {
    decodeIntegrationEvent(record);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('decoded a record that should have been refused');
};

const accepted = encodeIntegrationEvent(exampleEvent('intake.case-accepted.v2'), attributes);

describe('CloudEvents envelope, Kafka binary content mode', () => {
  it('writes the ce_* headers, content-type, the case id as key and subject, and JSON data', () => {
    expect(accepted.topic).toBe('govsvc.intake.events.v1');
    expect(accepted.key).toBe('BJ-2025-000123');
    expect(accepted.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: 'evt-0001',
      ce_source: '/govsvc/intake',
      ce_type: 'intake.case-accepted.v2',
      ce_subject: 'BJ-2025-000123',
      ce_time: '2025-03-12T02:00:00.000Z',
      ce_dataschema: 'urn:govsvc:events:intake.case-accepted.v2',
      ce_correlationid: 'corr-1',
      ce_causationid: 'cmd-1',
    });
    expect(JSON.parse(accepted.value)).toEqual(examples['intake.case-accepted.v2']);
  });

  it('writes the same binary-mode headers as the SDK binding, minus ce_datacontenttype and ce_partitionkey', () => {
    const event = new CloudEvent<unknown>({
      id: 'evt-0001',
      source: '/govsvc/intake',
      type: 'intake.case-accepted.v2',
      subject: 'BJ-2025-000123',
      time: '2025-03-12T02:00:00.000Z',
      dataschema: 'urn:govsvc:events:intake.case-accepted.v2',
      datacontenttype: 'application/json',
      data: examples['intake.case-accepted.v2'],
      partitionkey: 'BJ-2025-000123',
      correlationid: 'corr-1',
      causationid: 'cmd-1',
    });
    const sdk = Object.fromEntries(
      Object.entries(Kafka.binary(event).headers).filter(([name, value]) => value !== undefined && name !== 'ce_datacontenttype' && name !== 'ce_partitionkey'),
    );
    expect(accepted.headers).toEqual(sdk);
    // And the SDK reads ours back as the same event.
    const back = Kafka.toEvent({ headers: { ...accepted.headers }, key: accepted.key, value: accepted.value, body: accepted.value } as KafkaMessage<string>) as CloudEvent<unknown>;
    expect(back.validate()).toBe(true);
    expect({ ...back, partitionkey: undefined }).toEqual({ ...event, partitionkey: undefined });
  });

  it('omits the causation header when there is no cause', () => {
    const record = encodeIntegrationEvent(exampleEvent('intake.case-accepted.v2'), { ...attributes, causationId: null });
    expect(record.headers).not.toHaveProperty('ce_causationid');
    expect(decodeIntegrationEvent(received(record)).causationId).toBeNull();
  });

  it.each(integrationEventDefinitions.map((d) => d.type))('round-trips %s', (type) => {
    const event = { type, data: examples[type] } as IntegrationEvent;
    const decoded = decodeIntegrationEvent(received(encodeIntegrationEvent(event, attributes)));
    expect(decoded).toMatchObject({ id: 'evt-0001', source: `/govsvc/${type.split('.')[0]}`, receivedType: type, correlationId: 'corr-1', causationId: 'cmd-1' });
    // A superseded version arrives upcast (upcasting.unit.spec.ts checks what it becomes).
    if (!(type in upcasters)) expect(decoded).toMatchObject({ type, data: examples[type] });
  });

  it('refuses to encode invalid data: nothing leaves the process', () => {
    expect(() => encodeIntegrationEvent({ type: 'intake.case-accepted.v2', data: { ...examples['intake.case-accepted.v2'], caseId: '' } } as IntegrationEvent, attributes)).toThrow(
      expect.objectContaining({ issues: expect.arrayContaining([expect.objectContaining({ path: '/data/caseId' })]) }),
    );
  });

  it('refuses an envelope the CloudEvents spec forbids (empty source)', () => {
    expect(() => encodeIntegrationEvent(exampleEvent('intake.case-accepted.v2'), { ...attributes, source: '' })).toThrow(ValidationError);
  });
});

describe('decoding bad input: always a ValidationError naming the spot, never a crash', () => {
  const without = (name: string) => Object.fromEntries(Object.entries(accepted.headers).filter(([k]) => k !== name));

  it.each([
    ['ce_type', '/headers/ce_type'],
    ['ce_subject', '/headers/ce_subject'],
    ['ce_dataschema', '/headers/ce_dataschema'],
    ['ce_correlationid', '/headers/ce_correlationid'],
    ['ce_source', '/headers/ce_source'],
    ['ce_id', '/headers/ce_id'],
    ['content-type', '/headers/content-type'],
  ])('a record without %s', (header, path) => {
    expect(issuesOf(received(accepted, { headers: without(header) })).map((i) => i.path)).toContain(path);
  });

  it('a value that is not JSON', () => {
    expect(issuesOf(received(accepted, { value: '{"caseId": BJ-1' }))).toEqual([{ path: '/value', reason: expect.any(String) }]);
  });

  it('an empty or missing value', () => {
    expect(issuesOf(received(accepted, { value: '' }))[0]?.path).toBe('/value');
    expect(issuesOf(received(accepted, { value: null }))[0]?.path).toBe('/value');
  });

  it('a time that is not a time', () => {
    expect(issuesOf(received(accepted, { headers: { ...accepted.headers, ce_time: 'tuesday' } }))[0]?.path).toBe('/headers/ce_time');
  });

  it('another spec version', () => {
    expect(issuesOf(received(accepted, { headers: { ...accepted.headers, ce_specversion: '0.3' } })).map((i) => i.path)).toContain('/headers/ce_specversion');
  });

  it('a type nobody publishes (e.g. a newer version this reader does not know)', () => {
    expect(issuesOf(received(accepted, { headers: { ...accepted.headers, ce_type: 'intake.case-accepted.v9' } }))).toEqual([
      { path: '/headers/ce_type', reason: expect.stringContaining('intake.case-accepted.v9') },
    ]);
  });

  it('a dataschema that does not belong to the type', () => {
    expect(issuesOf(received(accepted, { headers: { ...accepted.headers, ce_dataschema: 'urn:govsvc:events:intake.case-accepted.v1' } }))[0]?.path).toBe(
      '/headers/ce_dataschema',
    );
  });

  it('data failing its schema, with the data path', () => {
    const data = { ...examples['intake.case-accepted.v2'], decisionDue: { date: '2025-02-30', provisional: false } };
    expect(issuesOf(received(accepted, { value: JSON.stringify(data) })).map((i) => i.path)).toEqual(['/data/decisionDue/date']);
  });

  it('a key or subject that is not the case id (per-case ordering would break)', () => {
    expect(issuesOf(received(accepted, { key: 'BJ-2025-999999' })).map((i) => i.path)).toEqual(['/key']);
    expect(issuesOf(received(accepted, { key: null })).map((i) => i.path)).toEqual(['/key']);
    expect(issuesOf(received(accepted, { headers: { ...accepted.headers, ce_subject: 'BJ-2025-999999' } })).map((i) => i.path)).toEqual(['/headers/ce_subject']);
  });

  it('tells where decoding failed: envelope, unknown type, or data', () => {
    const stageOf = (record: ReceivedRecord) => {
      try {
        decodeIntegrationEvent(record);
      } catch (error) {
        return decodeFailureStage(error as ValidationError);
      }
      return 'decoded';
    };
    expect(stageOf(received(accepted, { value: 'not json' }))).toBe('envelope');
    expect(stageOf(received(accepted, { headers: { ...accepted.headers, ce_type: 'intake.case-accepted.v3' } }))).toBe('type');
    expect(stageOf(received(accepted, { value: JSON.stringify({ caseId: 'BJ-1' }) }))).toBe('data');
    expect(stageOf(received(accepted, { key: 'other' }))).toBe('data');
    expect(stageOf(received(accepted))).toBe('decoded');
  });

  it('structured content mode (we publish and accept binary mode only)', () => {
    const record: ReceivedRecord = { key: accepted.key, value: JSON.stringify({ specversion: '1.0' }), headers: { 'content-type': 'application/cloudevents+json', ce_id: 'x' } };
    expect(issuesOf(record)[0]?.path).toBe('/headers/content-type');
  });

  it('a repeated header', () => {
    const record: ReceivedRecord = { ...received(accepted), headers: { ...received(accepted).headers, ce_type: [Buffer.from('a'), Buffer.from('b')] } };
    expect(issuesOf(record)[0]?.path).toBe('/headers/ce_type');
  });

  it('accepts header names in any case (some producers write Content-Type)', () => {
    const { 'content-type': type, ...rest } = accepted.headers;
    expect(decodeIntegrationEvent(received(accepted, { headers: { ...rest, 'Content-Type': type } })).type).toBe('intake.case-accepted.v2');
  });

  it('property: any bytes, any headers → either a decoded event or a ValidationError', () => {
    const bytes = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')), fc.constant(accepted.value));
    const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...Object.values(accepted.headers)));
    const headerName = fc.oneof(fc.constantFrom(...Object.keys(accepted.headers)), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.option(bytes), fc.option(bytes), fc.dictionary(headerName, headerValue, { maxKeys: 12 }), fc.boolean(), (key, value, headers, keepEnvelope) => {
        const record: ReceivedRecord = { key, value, headers: keepEnvelope ? { ...accepted.headers, ...headers } : headers };
        try {
          decodeIntegrationEvent(record);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
