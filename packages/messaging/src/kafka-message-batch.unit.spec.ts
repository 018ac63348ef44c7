/**
 * The producer thread's batch format (kafka-message-batch.mjs): what goes in comes out as the same
 * bytes, whatever the keys, values and headers hold, and the buffer is one that can be transferred.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packMessages, unpackMessages, type PackableMessage } from './kafka-message-batch.mjs';

const asBytes = (v: string | Uint8Array | null | undefined): Buffer | null => (v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));

describe('packed message batches for the producer thread', () => {
  it('gives back every key, value and header as the same bytes, null where there was none', () => {
    const messages: PackableMessage[] = [
      { key: 'BJ-1', value: Buffer.from('{"a":1}'), headers: { ce_id: 'e-1', ce_type: 'intake.application-submitted.v1', ce_subject: '北京-案件-1' } },
      { key: null, value: null },
      { key: Buffer.from([0, 255, 1]), value: '', headers: {} },
      { key: 'k', value: 'v', headers: { repeated: ['one', Buffer.from('two')], empty: '' } },
      { key: 'p', value: 'q', headers: JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string> },
    ];
    const unpacked = unpackMessages(packMessages(messages));
    expect(unpacked).toHaveLength(5);
    expect(unpacked[0]!.key).toEqual(Buffer.from('BJ-1'));
    expect(unpacked[0]!.value!.toString()).toBe('{"a":1}');
    expect(unpacked[0]!.headers!['ce_subject']).toEqual(Buffer.from('北京-案件-1'));
    expect(unpacked[1]).toEqual({ key: null, value: null });
    expect(unpacked[2]).toEqual({ key: Buffer.from([0, 255, 1]), value: Buffer.alloc(0) });
    expect(unpacked[3]!.headers).toEqual({ repeated: [Buffer.from('one'), Buffer.from('two')], empty: Buffer.alloc(0) });
    expect(Object.keys(unpacked[4]!.headers!)).toEqual(['__proto__', 'constructor']);
    expect(unpacked[4]!.headers!['__proto__']).toEqual(Buffer.from('x'));
  });

  it('round-trips any batch, byte for byte (property)', () => {
    const bytes = fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 64 }));
    const headerValue = fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 16 }), fc.array(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 8 })), { maxLength: 3 }));
    const message = fc.record({ key: bytes, value: bytes, headers: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), headerValue, { maxKeys: 5 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const packed = packMessages(messages);
        expect(packed).toBeInstanceOf(ArrayBuffer);
        const unpacked = unpackMessages(structuredClone(packed, { transfer: [packed] }));
        expect(unpacked).toHaveLength(messages.length);
        messages.forEach((m, i) => {
          const u = unpacked[i]!;
          expect(u.key).toEqual(asBytes(m.key));
          expect(u.value).toEqual(asBytes(m.value));
          const names = Object.keys(m.headers ?? {});
          expect(Object.keys(u.headers ?? {})).toEqual(names);
          for (const name of names) {
            const sent = m.headers![name]!;
            expect(u.headers![name]).toEqual(Array.isArray(sent) ? sent.map(asBytes) : asBytes(sent as string | Uint8Array));
          }
        });
      }),
    );
  });
});
