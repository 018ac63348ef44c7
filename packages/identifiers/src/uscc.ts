/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015): 18
 * characters from 0-9 and A–Y without I, O, S, V, Z.
 *
 *   position 1      registration authority (登记管理部门)
 *   position 2      organisation category (机构类别)
 *   positions 3–8   region code (GB/T 2260)
 *   positions 9–17  organisation code (GB 11714) with its own check at 17
 *   position 18     check character: weights 3^i mod 31, 31 − (Σ mod 31), 31 → 0
 */
import { z } from 'zod';
import type { FieldIssue } from '@govsvc/errors/errors';
import { normalizeIdentifier, orThrow, reportTo, type Checked } from './checked.ts';
import { provinceOf } from './regions.ts';

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * Registration authorities and their organisation categories, from GB 32100-2015
 * Table 1 and its later assignments. Unknown combinations are reported as such
 * in the parse result, not rejected: the check characters decide validity.
 */
export const REGISTRATION_AUTHORITIES: Readonly<Record<string, { name: string; categories: Readonly<Record<string, string>> }>> = {
  '1': { name: '机构编制', categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    categories: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' },
  },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { name: '旅游', categories: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商（市场监管）', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', categories: {} },
};

export interface ParsedUscc {
  readonly kind: 'uscc';
  readonly value: string;
  readonly registrationAuthority: { readonly code: string; readonly name?: string };
  readonly category: { readonly code: string; readonly name?: string };
  readonly regionCode: string;
  readonly province?: string;
  /** Positions 9–17, written the GB 11714 way: `MA1FL4T5-X`. */
  readonly organizationCode: string;
  readonly checkCharacter: string;
}

/** The USCC check character (position 18) of the first 17 characters. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i] ?? '') * (USCC_WEIGHTS[i] ?? 0);
  const check = 31 - (sum % 31);
  return USCC_ALPHABET[check === 31 ? 0 : check] ?? '';
}

/** The GB 11714 organisation-code check character of its first 8 characters. */
export function organizationCodeCheckCharacter(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = first8[i] ?? '';
    // GB 11714 values: digits as themselves, letters A=10 … Z=35.
    const value = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55;
    sum += value * (ORG_WEIGHTS[i] ?? 0);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** Checks a unified social credit code and parses it; every problem is reported. */
export function checkUscc(raw: string, field = 'uscc'): Checked<ParsedUscc> {
  const value = normalizeIdentifier(raw);
  const issue = (reason: string): FieldIssue => ({ path: field, reason, rule: 'R-ID-1' });
  if (value.length !== 18) {
    return { ok: false, issues: [issue(`a unified social credit code has 18 characters, not ${value.length}`)] };
  }
  const bad = [...value].flatMap((ch, i) => (USCC_ALPHABET.includes(ch) ? [] : [i]));
  if (bad.length > 0) {
    return {
      ok: false,
      issues: bad.map((i) => issue(`position ${i + 1}: '${value[i]}' is not allowed (only 0-9 and A–Y without I, O, S, V, Z)`)),
    };
  }
  const issues: FieldIssue[] = [];
  const regionCode = value.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode)) issues.push(issue(`positions 3–8 (region code) must be digits, not '${regionCode}'`));
  const org = value.slice(8, 17);
  const orgCheck = organizationCodeCheckCharacter(org);
  if (org[8] !== orgCheck) {
    issues.push(issue(`organisation code check character (position 17) should be ${orgCheck}, not ${org[8]}`));
  }
  const check = usccCheckCharacter(value);
  if (value[17] !== check) issues.push(issue(`check character (position 18) should be ${check}, not ${value[17]}`));
  if (issues.length > 0) return { ok: false, issues };

  const authority = REGISTRATION_AUTHORITIES[value[0] ?? ''];
  const categoryName = authority?.categories[value[1] ?? ''];
  const province = provinceOf(regionCode);
  return {
    ok: true,
    value: {
      kind: 'uscc',
      value,
      registrationAuthority: { code: value[0] ?? '', ...(authority ? { name: authority.name } : {}) },
      category: { code: value[1] ?? '', ...(categoryName ? { name: categoryName } : {}) },
      regionCode,
      ...(province ? { province } : {}),
      organizationCode: `${org.slice(0, 8)}-${org[8]}`,
      checkCharacter: value[17] ?? '',
    },
  };
}

/** Parses a unified social credit code or throws a ValidationError saying what is wrong. */
export function parseUscc(raw: string, field = 'uscc'): ParsedUscc {
  return orThrow(checkUscc(raw, field), `unified social credit code ${raw}`);
}

/** A string that must be a valid USCC; parses to the normalized code. */
export const usccSchema = z
  .string()
  .transform((raw, ctx) => {
    const checked = checkUscc(raw);
    reportTo(ctx, checked);
    return checked.ok ? checked.value.value : z.NEVER;
  });
