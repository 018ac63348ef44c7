import { describe, expect, it } from 'vitest';
import { RowEvent } from './row-event.ts';
import { rowToEvent, type EventRow } from './sql-event-store.ts';

const metadataText = '{"actor":{"id":"clerk-7","role":"window-clerk"},"caseId":"application-1","correlationId":"c-1","hash":"ab","prevHash":null}';
const row = (): EventRow => ({
  global_position: '42',
  transaction_id: '900',
  stream_name: 'application-1',
  stream_revision: '3',
  event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  type: 'CaseAccepted',
  schema_version: 1,
  data: { window: 4 },
  metadata: metadataText,
  recorded_at: 1_764_270_000_123.456,
});
const plain = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  type: 'CaseAccepted',
  schemaVersion: 1,
  stream: 'application-1',
  revision: 3n,
  globalPosition: 42n,
  recordedAt: new Date(1_764_270_000_123),
  data: { window: 4 },
  metadata: JSON.parse(metadataText) as unknown,
};

describe('a stored event read from SQL (metadata parsed when first read)', () => {
  it('reads as the plain event it stands for, keys in the same order', () => {
    const event = rowToEvent(row());
    expect(Object.keys(event)).toEqual(Object.keys(plain));
    expect({ ...event }).toStrictEqual(plain);
    expect(event.metadata.hash).toBe('ab');
    expect(event.recordedAt.toISOString()).toBe('2025-11-27T19:00:00.123Z');
  });

  it('keeps its metadata through spread, Object.entries, JSON.stringify and structuredClone', () => {
    const event = rowToEvent(row());
    expect({ ...event, revision: 9n }.metadata).toEqual(plain.metadata);
    expect(Object.fromEntries(Object.entries(event)).metadata).toEqual(plain.metadata);
    expect((JSON.parse(JSON.stringify({ ...event, revision: '3', globalPosition: '42' })) as { metadata: unknown }).metadata).toEqual(plain.metadata);
    expect(structuredClone(event).metadata).toEqual(plain.metadata);
  });

  it('parses the metadata once, and still after the event was frozen', () => {
    const event = Object.freeze(rowToEvent(row()));
    const first = event.metadata;
    expect(event.metadata).toBe(first);
    expect(first).toEqual(plain.metadata);
  });

  it('takes metadata a driver already parsed as it is', () => {
    const parsed = { caseId: 'application-1' };
    const event = new RowEvent('id', 'T', 1, 'application-1', 0n, 1n, new Date(0), null, parsed as never);
    expect(event.metadata).toBe(parsed);
  });

  it('does not let metadata be reassigned', () => {
    const event = rowToEvent(row()) as { metadata: unknown };
    expect(() => {
      event.metadata = {};
    }).toThrow(TypeError);
  });

  it('reads the time from epoch milliseconds given as a number or as text', () => {
    expect(rowToEvent({ ...row(), recorded_at: '1764270000123.9' }).recordedAt.getTime()).toBe(1_764_270_000_123);
    expect(rowToEvent({ ...row(), recorded_at: new Date(5) }).recordedAt.getTime()).toBe(5);
  });
});
