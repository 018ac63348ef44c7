/**
 * Catch-all wording (模糊性兜底性条款) in material texts, measures Art. 7(1)
 * (R-CAT-6): a material list must be closed, so an applicant can know in
 * advance everything that may be asked. The regulation names 其他 and 有关
 * ("其他、有关等"); practice adds 等 closing an enumeration and 相关 used the
 * way 有关 is.
 *
 * Each marker is a character sequence that also occurs in legitimate words,
 * so the rule is stated precisely and tested both ways:
 *
 * 1. Text inside quotation or book-title marks (《》〈〉“”‘’「」『』"") is a
 *    proper name or a quotation (a law's title such as 《关于不动产登记收费标准
 *    等有关问题的通知》) and is never scanned.
 * 2. 其他 / 其它 is a catch-all, except in 其他组织, the statutory category of
 *    applicants (公民、法人或者其他组织, Administrative Licensing Law Art. 2).
 * 3. 有关 / 相关 is a catch-all when it qualifies an unnamed thing: followed
 *    (directly or after 的) by a generic noun (材料, 部门, 规定 …), followed by
 *    的 as in 与…有关的X (a relative clause that names nothing), or ending a
 *    clause. Elsewhere (相关性, a proper name such as 北京市相关产业促进中心 that
 *    is not quoted) it is left alone.
 * 4. 等 / 等等 is a catch-all when it closes an open enumeration. It is not
 *    when it belongs to a word (等级, 同等, 平等, 高等学校, 三级甲等, 一等奖 …)
 *    or when a count closes the list (身份证、户口簿等2项), which makes it
 *    exhaustive.
 */

export type CatchAllMarker = '其他' | '有关' | '相关' | '等';

export interface CatchAllHit {
  readonly marker: CatchAllMarker;
  /** UTF-16 offset of the marker in the original text. */
  readonly index: number;
  /** The words around the hit, for the message. */
  readonly excerpt: string;
}

const QUOTED = /《[^》]*》|〈[^〉]*〉|“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|"[^"]*"/gu;

/** Blanks out quoted spans (same length, so offsets stay valid). */
function maskQuoted(text: string): string {
  return text.replace(QUOTED, (m) => '\u3000'.repeat(m.length));
}

const GENERIC_NOUNS = [
  '材料', '文件', '证明', '资料', '证件', '证书', '证照', '凭证', '手续', '部门', '单位', '机关', '机构',
  '规定', '要求', '情况', '内容', '信息', '事项', '问题', '文书', '单据', '表格', '报告', '批文', '方面',
];
const GENERIC = GENERIC_NOUNS.join('|');
/** Where a clause ends: end of text, punctuation, or a closing bracket. */
const CLAUSE_END = '(?:$|[，。、；：:,.;!?！？)）\\]】\\s\\u3000])';

const OTHER = /其[他它](?!组织)/gu;
const RELATED = new RegExp(`(?:有关|相关)(?=的|(?:${GENERIC})|${CLAUSE_END})`, 'gu');

/** Words containing 等 where it is not an enumeration closer. */
const DENG_WORDS = [
  '等级', '等次', '等第', '等同', '等于', '等待', '等候', '等值', '等额', '等效', '等量', '等比', '等价', '等距', '等高', '等外', '等身',
  '同等', '平等', '相等', '对等', '均等', '中等', '高等', '初等', '特等', '上等', '下等', '优等', '次等', '头等', '何等', '超等', '劣等',
];
const RANKED_DENG = /[一二三四五六七八九十甲乙丙丁]等(?=[奖功级品座舱])|[甲乙丙丁]等/gu;
/** 等 followed by a count (等3项, 等两类): the list is closed. */
const COUNTED_DENG = /等(?:[0-9０-９]+|[一二两三四五六七八九十]+)[项个种类件份本张人家]/gu;
const DENG = /等等|等/gu;

function covered(spans: readonly [number, number][], index: number): boolean {
  return spans.some(([from, to]) => index >= from && index < to);
}

function spansOf(text: string, pattern: RegExp): [number, number][] {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

function excerptAt(text: string, index: number, length: number): string {
  const from = Math.max(0, index - 8);
  const to = Math.min(text.length, index + length + 8);
  return (from > 0 ? '…' : '') + text.slice(from, to) + (to < text.length ? '…' : '');
}

export function findCatchAllWording(text: string): CatchAllHit[] {
  const scanned = maskQuoted(text);
  const hits: CatchAllHit[] = [];
  const push = (marker: CatchAllMarker, index: number, length: number) =>
    hits.push({ marker, index, excerpt: excerptAt(text, index, length) });

  for (const m of scanned.matchAll(OTHER)) push('其他', m.index, m[0].length);
  for (const m of scanned.matchAll(RELATED)) push(m[0] as '有关' | '相关', m.index, m[0].length);

  const legitimate = [
    ...DENG_WORDS.flatMap((word) => spansOf(scanned, new RegExp(word, 'gu'))),
    ...spansOf(scanned, RANKED_DENG),
    ...spansOf(scanned, COUNTED_DENG),
  ];
  for (const m of scanned.matchAll(DENG)) {
    if (!covered(legitimate, m.index)) push('等', m.index, m[0].length);
  }
  return hits.sort((a, b) => a.index - b.index);
}
