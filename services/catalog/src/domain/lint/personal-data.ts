/**
 * Unmasked personal data in a result sample (measures Art. 9, R-CAT-12: 涉及
 * 企业或个人不宜公开的信息须作隐藏处理). A sample is published to everyone, so
 * it must show the layout of a licence without a real person in it.
 *
 * What is detected, and how precisely:
 * - Resident ID numbers (GB 11643-1999): 17 digits and a digit or X, not part
 *   of a longer run of letters or digits, whose positions 7–14 are a real
 *   birth date. The check digit is deliberately not required: a made-up
 *   number in a sample still looks like a real one to a reader, which is what
 *   the rule forbids. Masked forms (`110105********002X`) contain `*` and do
 *   not match. Unified social credit codes, licence numbers (JY1…) and
 *   15-digit business registration numbers are not personal data and do not
 *   match (letters or the wrong length).
 * - Mobile phone numbers: 11 digits starting 13–19, optionally +86 and
 *   separated 3-4-4. Office landlines (010-…) are public contact data.
 * - Full names, where a label announces a person (姓名：, 法定代表人：, 经营者：
 *   …) and the value is 2–4 Chinese characters with no mask (×, *, ＊, 某,
 *   ○, X) and not an organisation (ending in 公司, 银行, 局, 中心 …). Names
 *   without a label cannot be told from other words reliably and are not
 *   guessed at.
 * - Home addresses after 住址： / 家庭住址： / 户籍地址： that give a house
 *   number (号, 室, 单元) without a mask.
 */

export type PersonalDataKind = 'resident-id' | 'mobile-phone' | 'full-name' | 'home-address';

export interface PersonalDataHit {
  readonly kind: PersonalDataKind;
  readonly index: number;
  readonly text: string;
}

const RESIDENT_ID = /(?<![0-9A-Za-z])\d{6}(\d{4})(\d{2})(\d{2})\d{3}[0-9Xx](?![0-9A-Za-z])/gu;
const MOBILE = /(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9A-Za-z])/gu;

const PERSON_LABELS = [
  '姓名', '法定代表人', '负责人', '经营者', '申请人', '出生人', '婴儿', '母亲', '父亲', '户主', '参保人', '领取人',
  '联系人', '代理人', '投资人', '投诉人', '举报人', '抵押人', '权利人', '义务人', '当事人', '受理人', '经办人', '监护人',
];
const NAME = new RegExp(
  `(?:${PERSON_LABELS.join('|')})(?:姓名)?[ \\t\\u3000]*[:：][ \\t\\u3000]*([\\p{Script=Han}·]{2,4})(?![\\p{Script=Han}·*＊×Xx○〇])`,
  'gu',
);
const ORGANISATION_ENDINGS = /(?:公司|银行|局|中心|医院|协会|学会|商会|委员会|政府|办事处|所|站|学校|大学|集团|合作社|部|院|厅|社)$/u;
const MASKS = /[某×*＊○〇Xx]/u;

const ADDRESS = /(?:家庭住址|户籍地址|住址)[ \t\u3000]*[:：][ \t\u3000]*([^\n；;]+)/gu;

function isRealDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function findPersonalData(text: string): PersonalDataHit[] {
  const hits: PersonalDataHit[] = [];
  for (const m of text.matchAll(RESIDENT_ID)) {
    const [whole, y, mo, d] = m;
    if (y && mo && d && isRealDate(y, mo, d)) hits.push({ kind: 'resident-id', index: m.index, text: whole });
  }
  for (const m of text.matchAll(MOBILE)) hits.push({ kind: 'mobile-phone', index: m.index, text: m[0] });
  for (const m of text.matchAll(NAME)) {
    const name = m[1] ?? '';
    if (MASKS.test(name) || ORGANISATION_ENDINGS.test(name)) continue;
    hits.push({ kind: 'full-name', index: m.index + m[0].length - name.length, text: name });
  }
  for (const m of text.matchAll(ADDRESS)) {
    const value = (m[1] ?? '').trim();
    if (/[号室]|单元/u.test(value) && !MASKS.test(value)) {
      hits.push({ kind: 'home-address', index: m.index + m[0].indexOf(value), text: value });
    }
  }
  return hits.sort((a, b) => a.index - b.index);
}

/** `11010519491231002X` → `110105********002X`, for messages that must not repeat the data they report. */
export function maskForMessage(hit: PersonalDataHit): string {
  const t = hit.text;
  switch (hit.kind) {
    case 'resident-id':
      return `${t.slice(0, 6)}********${t.slice(-4)}`;
    case 'mobile-phone': {
      const digits = t.replace(/\D/gu, '').slice(-11);
      return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
    }
    case 'full-name':
      return `${t.slice(0, 1)}${'*'.repeat(t.length - 1)}`;
    case 'home-address':
      return `${t.slice(0, 6)}…`;
  }
}
