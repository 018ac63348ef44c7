import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeIntegrationEvent, type ReceivedRecord } from './envelope.ts';
import { exampleEvent } from './examples.ts';
import { currentTypeOf, integrationEventDefinitions, readIntegrationEvent, upcastToCurrent } from './registry.ts';
import { shanghaiDateOf, upcasters } from './upcasters.ts';

interface Fixture {
  readonly description: string;
  readonly record: { key: string; headers: Record<string, string>; value: string };
  readonly expected: unknown;
}

const fixtureDir = new URL('./__fixtures__/intake.case-accepted.v1/', import.meta.url);
const fixtures = await Promise.all(
  (await readdir(fixtureDir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(async (file) => [file, JSON.parse(await readFile(new URL(file, fixtureDir), 'utf8')) as Fixture] as const),
);

/** As kafkajs hands records over: key, value and header values as bytes. */
const asReceived = (record: Fixture['record']): ReceivedRecord => ({
  key: Buffer.from(record.key),
  value: Buffer.from(record.value),
  headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('upcasting intake.case-accepted v1 → v2 (stored old payloads)', () => {
  it('has stored v1 records to test against', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixtures)('R-ACC-2: a reader of the stored v1 record %s gets the v2 event', (_file, fixture) => {
    const decoded = decodeIntegrationEvent(asReceived(fixture.record));
    expect(decoded.receivedType).toBe('intake.case-accepted.v1');
    expect(decoded.type).toBe('intake.case-accepted.v2');
    expect(decoded.data).toEqual(fixture.expected);
    // The envelope is the one stored, untouched by the upcast.
    expect(decoded.id).toBe(fixture.record.headers['ce_id']);
    expect(decoded.dataschema).toBe('urn:govsvc:events:intake.case-accepted.v1');
  });

  it.each(fixtures)('a store reader of the v1 data in %s gets the same v2 data as the Kafka reader', (_file, fixture) => {
    const fromStore = readIntegrationEvent('intake.case-accepted.v1', JSON.parse(fixture.record.value));
    expect(fromStore).toEqual({ type: 'intake.case-accepted.v2', data: fixture.expected });
  });

  it('the effective day is the Beijing calendar day of the acceptance, not the UTC one', () => {
    expect(shanghaiDateOf('2024-12-30T16:45:00Z')).toBe('2024-12-31');
    expect(shanghaiDateOf('2024-12-30T15:59:59Z')).toBe('2024-12-30');
    expect(shanghaiDateOf('2024-12-31T00:30:00+08:00')).toBe('2024-12-31');
  });

  it('a v2 event is already current and passes through unchanged', () => {
    const v2 = exampleEvent('intake.case-accepted.v2');
    expect(upcastToCurrent(v2)).toEqual(v2);
  });

  it('a v1 payload that was invalid when stored is refused, not upcast into something plausible', () => {
    const { acceptedBy: _gone, ...broken } = exampleEvent('intake.case-accepted.v1').data;
    expect(() => readIntegrationEvent('intake.case-accepted.v1', broken)).toThrow(/acceptedBy/);
  });
});

const catalogFixtureDir = new URL('./__fixtures__/catalog.guide-published.v1/', import.meta.url);
const catalogFixtures = await Promise.all(
  (await readdir(catalogFixtureDir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(async (file) => [file, JSON.parse(await readFile(new URL(file, catalogFixtureDir), 'utf8')) as Fixture] as const),
);

describe('upcasting catalog.guide-published v1 → v2 (stored old payloads)', () => {
  it('has stored v1 records to test against', () => {
    expect(catalogFixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(catalogFixtures)('R-REV-3/4/5: a reader of the stored v1 record %s gets v2 with the documented defaults', (_file, fixture) => {
    const decoded = decodeIntegrationEvent(asReceived(fixture.record));
    expect(decoded.receivedType).toBe('catalog.guide-published.v1');
    expect(decoded.type).toBe('catalog.guide-published.v2');
    expect(decoded.data).toEqual(fixture.expected);
    expect(decoded.subject).toBe(fixture.record.key);
    expect(decoded.dataschema).toBe('urn:govsvc:events:catalog.guide-published.v1');
  });

  it.each(catalogFixtures)('a store reader of the v1 data in %s gets the same v2 data as the Kafka reader', (_file, fixture) => {
    expect(readIntegrationEvent('catalog.guide-published.v1', JSON.parse(fixture.record.value))).toEqual({ type: 'catalog.guide-published.v2', data: fixture.expected });
  });

  it('v1 stated no review facts: two signatures conclude, licence facts unstated, no collaboration; every v1 field is kept', () => {
    const v1 = exampleEvent('catalog.guide-published.v1');
    const v2 = upcastToCurrent(v1);
    expect(v2.type).toBe('catalog.guide-published.v2');
    expect(v2.data).toEqual({ ...v1.data, collectiveDecision: { required: false, legalBasis: null }, licence: null, collaboration: null });
  });

  it('a v1 payload that was invalid when stored is refused, not upcast', () => {
    const v1 = exampleEvent('catalog.guide-published.v1').data;
    expect(() => readIntegrationEvent('catalog.guide-published.v1', { ...v1, promisedLimitWorkingDays: 99 })).toThrow(/promisedLimitWorkingDays/);
  });

  it('the current version of catalog.guide-published is v2', () => {
    expect(currentTypeOf('catalog.guide-published')).toBe('catalog.guide-published.v2');
  });
});

describe('upcaster chains', () => {
  it('every superseded version reaches the current version of its family, one step at a time', () => {
    for (const [from, step] of Object.entries(upcasters)) {
      const source = integrationEventDefinitions.find((d) => d.type === from);
      const target = integrationEventDefinitions.find((d) => d.type === step.to);
      expect(source, from).toBeDefined();
      expect(target?.family).toBe(source?.family);
      expect(target!.version).toBe(source!.version + 1);
    }
    for (const definition of integrationEventDefinitions) {
      const current = currentTypeOf(definition.family);
      const isSuperseded = definition.type in upcasters;
      expect(isSuperseded, `${definition.type} is older than ${current} but has no upcaster`).toBe(current !== definition.type);
    }
  });

  it('the current version of intake.case-accepted is v2', () => {
    expect(currentTypeOf('intake.case-accepted')).toBe('intake.case-accepted.v2');
    expect(currentTypeOf('intake.no-such-event')).toBeUndefined();
  });
});
