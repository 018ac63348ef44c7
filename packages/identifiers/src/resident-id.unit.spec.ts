import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completeResidentId, validResidentId } from '../test/generate.ts';
import { checkResidentId, convertLegacyResidentId, parseResidentId, residentIdSchema } from './resident-id.ts';

const today = '2026-11-26';
const reasons = (raw: string, on = today) => {
  const r = checkResidentId(raw, { today: on });
  return r.ok ? [] : r.issues.map((i) => i.reason);
};

describe('resident ID number (GB 11643-1999)', () => {
  it('R-ID-1: accepts the standard\'s example and reads region, birth date and sex', () => {
    expect(parseResidentId('11010519491231002X', { today })).toEqual({
      kind: 'resident-id',
      value: '11010519491231002X',
      addressCode: '110105',
      province: '北京市',
      birthDate: '1949-12-31',
      sequence: '002',
      sex: 'female',
      checkCharacter: 'X',
    });
    expect(parseResidentId('11010519491231002x', { today }).value).toBe('11010519491231002X');
    expect(parseResidentId(completeResidentId('11010520000229001'), { today })).toMatchObject({ birthDate: '2000-02-29', sex: 'male' });
  });

  it('R-ID-1: says which check character it expected', () => {
    expect(reasons('110105194912310021')).toEqual(['check character (position 18) should be X, not 1']);
  });

  it('refuses a birth date that does not exist or lies after the given today', () => {
    expect(reasons(completeResidentId('11010519490231002'))).toEqual(['birth date 19490231 (positions 7–14) is not a real date']);
    expect(reasons(completeResidentId('11010520190229002'))).toEqual(['birth date 20190229 (positions 7–14) is not a real date']);
    const bornNewYear2027 = completeResidentId('11010520270101002');
    expect(reasons(bornNewYear2027)).toEqual(['birth date 2027-01-01 is after today (2026-11-26)']);
    expect(reasons(bornNewYear2027, '2027-01-01')).toEqual([]);
  });

  it('refuses an address code that names no province, reporting every problem at once', () => {
    expect(reasons('990105194902310021')).toEqual([
      'address code 990105 (positions 1–6): 99 is not a province code',
      'birth date 19490231 (positions 7–14) is not a real date',
      expect.stringMatching(/^check character \(position 18\) should be/),
    ]);
  });

  it('refuses wrong lengths and characters with positions', () => {
    expect(reasons('1101051949123100')).toEqual(['a resident ID number has 18 characters (or 15 for an old one), not 16']);
    expect(reasons('1101051949A231002X')).toEqual(["position 11: 'A' is not allowed (17 digits, then a digit or X)"]);
    expect(reasons('11010549123100A')).toEqual(['a 15-digit resident ID number has only digits']);
  });

  it('converts a 15-digit legacy number to 18 digits (century 19, check computed)', () => {
    expect(convertLegacyResidentId('110105491231002')).toBe('11010519491231002X');
    expect(parseResidentId('110105491231002', { today })).toMatchObject({
      value: '11010519491231002X',
      legacy15: '110105491231002',
      birthDate: '1949-12-31',
    });
    expect(reasons('110105490231002')).toEqual(['birth date 19490231 (positions 7–14) is not a real date']);
  });

  it('the zod schema gives the precise reason', () => {
    const schema = residentIdSchema({ today });
    expect(schema.safeParse('110105194912310021').error?.issues[0]?.message).toBe('check character (position 18) should be X, not 1');
    expect(schema.parse('110105491231002')).toBe('11010519491231002X');
  });

  it('property: generated numbers are valid; changing any one character makes them invalid', () => {
    fc.assert(
      fc.property(validResidentId, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (id, position, shift) => {
        expect(checkResidentId(id, { today }).ok).toBe(true);
        const alphabet = position === 17 ? '0123456789X' : '0123456789';
        const replaced = alphabet[(alphabet.indexOf(id[position]!) + shift) % alphabet.length]!;
        if (replaced === id[position]) return;
        expect(checkResidentId(id.slice(0, position) + replaced + id.slice(position + 1), { today }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('property: an 18-digit number of the 1900s, shortened to 15, converts back to itself', () => {
    fc.assert(
      fc.property(validResidentId.filter((id) => id.slice(6, 8) === '19'), (id) => {
        expect(convertLegacyResidentId(id.slice(0, 6) + id.slice(8, 17))).toBe(id);
      }),
    );
  });
});
