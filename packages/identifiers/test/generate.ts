// Independent re-statements of the check rules (weights written out as in the
// standards, not computed), used to generate valid numbers for tests.
import fc from 'fast-check';

export const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_W = [3, 7, 9, 10, 5, 8, 4, 2];
const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Completes 16 characters (positions 1–16) into a valid USCC. */
export function completeUscc(first16: string): string {
  const orgValue = (c: string) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 'A'.charCodeAt(0) + 10);
  const orgSum = [...first16.slice(8, 16)].reduce((s, c, i) => s + orgValue(c) * ORG_W[i]!, 0);
  const orgCheck = { 10: 'X', 11: '0' }[11 - (orgSum % 11)] ?? String(11 - (orgSum % 11));
  const first17 = first16 + orgCheck;
  const sum = [...first17].reduce((s, c, i) => s + USCC_CHARS.indexOf(c) * USCC_W[i]!, 0);
  return first17 + USCC_CHARS[(31 - (sum % 31)) % 31];
}

/** Completes 17 digits into a valid resident ID number. */
export function completeResidentId(first17: string): string {
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * ID_W[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}

const chars = (alphabet: string, n: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((a) => a.join(''));

export const validUscc = fc
  .tuple(fc.constantFrom('1', '5', '9', 'Y'), fc.constantFrom('1', '2', '3'), chars('0123456789', 6), chars(USCC_CHARS, 8))
  .map(([a, b, region, org]) => completeUscc(`${a}${b}${region}${org}`));

export const PROVINCE_CODES = ['11', '12', '13', '31', '32', '44', '50', '65', '81'];

export const validResidentId = fc
  .tuple(
    fc.constantFrom(...PROVINCE_CODES),
    chars('0123456789', 4),
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-11-26T00:00:00Z'), noInvalidDate: true }),
    chars('0123456789', 3),
  )
  .map(([p, rest, birth, seq]) => completeResidentId(`${p}${rest}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${seq}`));
