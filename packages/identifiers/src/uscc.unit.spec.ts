import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '@govsvc/errors/errors';
import { completeUscc, USCC_CHARS, validUscc } from '../test/generate.ts';
import { checkUscc, organizationCodeCheckCharacter, parseUscc, usccCheckCharacter, usccSchema } from './uscc.ts';

const reasons = (raw: string) => {
  const r = checkUscc(raw);
  return r.ok ? [] : r.issues.map((i) => i.reason);
};

describe('unified social credit code (GB 32100-2015)', () => {
  it('R-ID-1: accepts the standard\'s example and parses its parts', () => {
    expect(parseUscc('91350100M000100Y43')).toEqual({
      kind: 'uscc',
      value: '91350100M000100Y43',
      registrationAuthority: { code: '9', name: '工商（市场监管）' },
      category: { code: '1', name: '企业' },
      regionCode: '350100',
      province: '福建省',
      organizationCode: 'M000100Y-4',
      checkCharacter: '3',
    });
  });

  it('R-ID-1: accepts publicly registered codes (an enterprise in Shenzhen, one in Beijing, a central public institution)', () => {
    for (const code of ['9144030071526726XG', '91440300708461136T', '91110108551385082Q']) {
      expect(checkUscc(code).ok, code).toBe(true);
    }
    const central = parseUscc('12100000400000624D');
    expect(central).toMatchObject({ registrationAuthority: { name: '机构编制' }, category: { name: '事业单位' }, regionCode: '100000' });
    expect(central.province).toBeUndefined();
  });

  it('reads lower case and spaces as people type them', () => {
    expect(parseUscc(' 91350100m000100y43 ').value).toBe('91350100M000100Y43');
  });

  it('R-ID-1: says which check character it expected', () => {
    expect(reasons('91350100M000100Y44')).toEqual(['check character (position 18) should be 3, not 4']);
    // Position 17 changed and 18 recomputed: only the inner GB 11714 check fails.
    const innerWrong = '91350100M000100Y5';
    const code = innerWrong + usccCheckCharacter(innerWrong);
    expect(reasons(code)).toEqual(['organisation code check character (position 17) should be 4, not 5']);
  });

  it('names forbidden characters and their positions, and a wrong length', () => {
    expect(reasons('9I350100M0O0100Y43')).toEqual([
      "position 2: 'I' is not allowed (only 0-9 and A–Y without I, O, S, V, Z)",
      "position 11: 'O' is not allowed (only 0-9 and A–Y without I, O, S, V, Z)",
    ]);
    expect(reasons('91350100M000100Y4')).toEqual(['a unified social credit code has 18 characters, not 17']);
    expect(reasons(completeUscc('9135A100M000100Y'))).toContain("positions 3–8 (region code) must be digits, not '35A100'");
  });

  it('computes the check characters as the standards define them', () => {
    expect(organizationCodeCheckCharacter('M000100Y')).toBe('4');
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    // 11 − (Σ mod 11) = 10 is written X, 11 is written 0.
    expect(organizationCodeCheckCharacter('71526726')).toBe('X');
    expect(organizationCodeCheckCharacter('10000004')).toBe('0');
    expect(checkUscc(completeUscc('9111000000000000')).ok).toBe(true);
  });

  it('parseUscc throws a ValidationError carrying the rule and field', () => {
    try {
      parseUscc('91350100M000100Y44', 'applicant/uscc');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues[0]).toMatchObject({ path: 'applicant/uscc', rule: 'R-ID-1' });
    }
  });

  it('the zod schema gives the precise reason', () => {
    const result = usccSchema.safeParse('91350100M000100Y44');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('check character (position 18) should be 3, not 4');
    expect(usccSchema.parse('91350100m000100y43')).toBe('91350100M000100Y43');
  });

  it('property: generated codes are valid; changing any one character makes them invalid', () => {
    fc.assert(
      fc.property(validUscc, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (code, position, shift) => {
        expect(checkUscc(code).ok).toBe(true);
        const replaced = USCC_CHARS[(USCC_CHARS.indexOf(code[position]!) + shift) % 31]!;
        const changed = code.slice(0, position) + replaced + code.slice(position + 1);
        expect(checkUscc(changed).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
