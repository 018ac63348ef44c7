import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '@govsvc/errors/errors';
import { zodEventCodec } from './event-codec.ts';
import { deterministicEventId } from './event-ids.ts';

type Event =
  | { type: 'ApplicationSubmitted'; data: { applicant: string; channel: 'online' | 'window' } }
  | { type: 'SupplementRequested'; data: { items: string[] } };

// v1 of ApplicationSubmitted had no channel; v2 added it (stored v1 payloads are lifted).
const codec = zodEventCodec<Event>({
  ApplicationSubmitted: {
    schemaVersion: 2,
    schema: z.object({ applicant: z.string(), channel: z.enum(['online', 'window']) }),
    upcasters: { 1: (data) => ({ ...(data as object), channel: 'window' }) },
  },
  SupplementRequested: { schemaVersion: 1, schema: z.object({ items: z.array(z.string()).min(1) }) },
});
const at = { stream: 'application-1', revision: 0n };

describe('zodEventCodec', () => {
  it('writes the current schema version', () => {
    expect(codec.encode({ type: 'ApplicationSubmitted', data: { applicant: 'p-1', channel: 'online' } })).toEqual({
      type: 'ApplicationSubmitted',
      schemaVersion: 2,
      data: { applicant: 'p-1', channel: 'online' },
    });
  });

  it('lifts a stored v1 payload to the current version', () => {
    expect(codec.decode({ ...at, type: 'ApplicationSubmitted', schemaVersion: 1, data: { applicant: 'p-1' } })).toEqual({
      type: 'ApplicationSubmitted',
      data: { applicant: 'p-1', channel: 'window' },
    });
  });

  it('refuses to encode an event that breaks its schema (it is never appended)', () => {
    expect(() => codec.encode({ type: 'SupplementRequested', data: { items: [] } })).toThrow(ValidationError);
  });

  it("keeps data its schema's compiled check accepts as it is, and leaves the rest to zod: unknown keys stripped, defaults filled, issues named", () => {
    const data = { applicant: 'p-1', channel: 'online' as const };
    expect(codec.encode({ type: 'ApplicationSubmitted', data }).data).toBe(data);
    const stored = { items: ['x'] };
    expect(codec.decode({ ...at, type: 'SupplementRequested', schemaVersion: 1, data: stored }).data).toBe(stored);

    const extra = { applicant: 'p-1', channel: 'online' as const, secret: 'not in the schema' };
    expect(codec.encode({ type: 'ApplicationSubmitted', data: extra }).data).toEqual({ applicant: 'p-1', channel: 'online' });
    expect(codec.decode({ ...at, type: 'SupplementRequested', schemaVersion: 1, data: { items: ['x'], more: 1 } }).data).toEqual({ items: ['x'] });

    const defaults = zodEventCodec<{ type: 'Noted'; data: { note: string } }>({ Noted: { schemaVersion: 1, schema: z.object({ note: z.string().default('none') }) } });
    expect(defaults.decode({ ...at, type: 'Noted', schemaVersion: 1, data: {} }).data).toEqual({ note: 'none' });
    const refused = (() => {
      try {
        codec.encode({ type: 'SupplementRequested', data: { items: [] } });
      } catch (error) {
        return error as ValidationError;
      }
    })();
    expect(refused?.issues.map((i) => i.path)).toEqual(['/data/items']);
  });

  it('refuses stored events of unknown type, newer version or broken payload', () => {
    expect(() => codec.decode({ ...at, type: 'CaseUpdated', schemaVersion: 1, data: {} })).toThrow(/unknown event type/);
    expect(() => codec.decode({ ...at, type: 'SupplementRequested', schemaVersion: 2, data: { items: ['x'] } })).toThrow(/newer/);
    expect(() => codec.decode({ ...at, type: 'SupplementRequested', schemaVersion: 1, data: { items: 'x' } })).toThrow(ValidationError);
  });
});

describe('deterministicEventId', () => {
  it('is a stable, well-formed UUID per (seed, index)', () => {
    const id = deterministicEventId('command-1', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId('command-1', 0)).toBe(id);
    expect(deterministicEventId('command-1', 1)).not.toBe(id);
    expect(deterministicEventId('command-2', 0)).not.toBe(id);
  });
});
