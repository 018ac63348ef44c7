/**
 * Cross-level consistency (measures Art. 6 ¶2, R-CAT-4): the implementations
 * of one basic item (city, district, township, and different regions) must
 * agree on the basic elements. This report lists every element that differs,
 * field by field, with each implementation's value.
 *
 * Collections are compared by what identifies their entries, not by
 * position: materials by name (normalized: 《》 and 原件/复印件 suffixes do
 * not make a different material), steps by name, citations as sets. A
 * collection whose membership differs is reported once at the collection
 * (`materials`, with each side's names); the fields of an entry are compared
 * among the implementations that have it, so one missing material is one
 * divergence, not ten.
 */
import { isDeepStrictEqual } from 'node:util';
import type { GuideContent, LegalReference, Material, Step } from './guide/content.ts';
import { normalizeMaterialName } from './lint/context.ts';

export interface Implementation {
  readonly implementationCode: string;
  readonly version: number;
  readonly content: GuideContent;
}

export interface Divergence {
  /** Dotted field path; collection entries in brackets: `materials[营业执照].copies`. */
  readonly field: string;
  /** The basic element of Art. 6 ¶2 it belongs to. */
  readonly element: { readonly zh: string; readonly en: string };
  /** Each implementation's value; implementations without the entry are left out. */
  readonly values: readonly { readonly implementationCode: string; readonly value: unknown }[];
}

export interface ConsistencyReport {
  readonly basicCode: string;
  readonly implementations: readonly { readonly implementationCode: string; readonly version: number; readonly level?: string; readonly region?: string; readonly implementingBody?: string }[];
  readonly consistent: boolean;
  readonly divergences: readonly Divergence[];
}

type Element = { zh: string; en: string };
const E = {
  itemName: { zh: '事项名称', en: 'item name' },
  basicCode: { zh: '基本编码', en: 'basic code' },
  itemType: { zh: '事项类型', en: 'item type' },
  legalBasis: { zh: '设定依据', en: 'legal basis' },
  acceptanceConditions: { zh: '受理条件', en: 'acceptance conditions' },
  serviceObjects: { zh: '服务对象', en: 'service object' },
  process: { zh: '办理流程', en: 'process' },
  materials: { zh: '所需材料', en: 'required materials' },
  statutoryTimeLimit: { zh: '法定办结时限', en: 'statutory time limit' },
  promisedTimeLimit: { zh: '承诺办结时限', en: 'promised time limit' },
  feeBasis: { zh: '收费依据', en: 'fee basis' },
  result: { zh: '办理结果', en: 'result' },
} as const satisfies Record<string, Element>;

type Fields = Map<string, { element: Element; value: unknown }>;

const citation = (r: LegalReference) => `${r.instrument.trim()}${r.article?.trim() ?? ''}`;
const citations = (refs: readonly LegalReference[] | undefined) => [...new Set((refs ?? []).map(citation))].sort();
const sortedStrings = (list: readonly string[] | undefined) => [...(list ?? [])].map((s) => s.trim()).sort();

function materialFields(fields: Fields, m: Material): void {
  const key = `materials[${normalizeMaterialName(m.name ?? m.id)}]`;
  const put = (name: string, value: unknown) => fields.set(`${key}.${name}`, { element: E.materials, value: value ?? null });
  put('category', m.category);
  put('type', m.type);
  put('necessity', m.necessity);
  put('condition', m.condition?.trim());
  put('copies', m.copies);
  put('specification', m.specification?.trim());
  put('acceptanceStandard', m.acceptanceStandard?.trim());
  put('electronicRequired', m.electronicRequired);
  put('provision', m.provision);
  put('legalBasis', citations(m.legalBasis));
}

function stepFields(fields: Fields, s: Step): void {
  const key = `process[${(s.name ?? s.id).trim()}]`;
  fields.set(`${key}.timeLimit.workingDays`, { element: E.process, value: s.timeLimit?.workingDays ?? null });
  fields.set(`${key}.reviewStandard`, { element: E.process, value: s.reviewStandard?.trim() ?? null });
  fields.set(`${key}.result`, { element: E.process, value: s.result?.trim() ?? null });
}

/** The basic elements of one guide, flattened to comparable fields. */
export function basicFields(g: GuideContent): Fields {
  const fields: Fields = new Map();
  const put = (field: string, element: Element, value: unknown) => fields.set(field, { element, value: value ?? null });
  put('itemName', E.itemName, g.itemName?.trim());
  put('basicCode', E.basicCode, g.basicCode?.trim());
  put('itemType', E.itemType, g.itemType);
  put('legalBasis', E.legalBasis, citations(g.legalBasis));
  put('acceptanceConditions', E.acceptanceConditions, sortedStrings(g.acceptanceConditions));
  put('serviceObjects', E.serviceObjects, sortedStrings(g.serviceObjects));
  // Step order is part of the process; material order is not part of the list.
  put('process', E.process, (g.process ?? []).map((s) => (s.name ?? s.id).trim()));
  (g.process ?? []).forEach((s) => stepFields(fields, s));
  put('materials', E.materials, (g.materials ?? []).map((m) => normalizeMaterialName(m.name ?? m.id)).sort());
  (g.materials ?? []).forEach((m) => materialFields(fields, m));
  put('statutoryTimeLimit.workingDays', E.statutoryTimeLimit, g.statutoryTimeLimit?.workingDays);
  put('promisedTimeLimit.workingDays', E.promisedTimeLimit, g.promisedTimeLimit?.workingDays);
  put('fee.basis', E.feeBasis, citations(g.fee?.basis));
  put('result.name', E.result, g.result?.name?.trim());
  put('result.type', E.result, g.result?.type);
  // The licence's term and renewal lead time are set by law for the item, not by the level implementing it
  // (R-REV-4); whether e-licences are issued yet may differ while they are rolled out (R-REV-3).
  const licence = g.result?.licence;
  put('result.licence.validity', E.result, licence && { term: licence.validity.term, months: licence.validity.months ?? null });
  put('result.licence.renewal.leadTime', E.result, licence?.validity.term === 'fixed' ? (licence.renewal?.leadTime ?? null) : null);
  // Whether the law requires a collective decision is the law's, the same wherever the item is handled (R-REV-5).
  put('collectiveDecision.required', E.process, g.collectiveDecision?.required ?? false);
  return fields;
}

export function consistencyReport(basicCode: string, implementations: readonly Implementation[]): ConsistencyReport {
  const flattened = implementations.map((i) => ({ code: i.implementationCode, fields: basicFields(i.content) }));
  const keys: string[] = [];
  for (const { fields } of flattened) for (const key of fields.keys()) if (!keys.includes(key)) keys.push(key);

  const divergences: Divergence[] = [];
  for (const field of keys) {
    const present = flattened.flatMap(({ code, fields }) => {
      const entry = fields.get(field);
      return entry ? [{ implementationCode: code, value: entry.value, element: entry.element }] : [];
    });
    const first = present[0];
    if (!first || present.every((p) => isDeepStrictEqual(p.value, first.value))) continue;
    divergences.push({ field, element: first.element, values: present.map(({ implementationCode, value }) => ({ implementationCode, value })) });
  }
  return {
    basicCode,
    implementations: implementations.map((i) => ({
      implementationCode: i.implementationCode,
      version: i.version,
      ...(i.content.level ? { level: i.content.level } : {}),
      ...(i.content.region ? { region: i.content.region.name } : {}),
      ...(i.content.implementingBody ? { implementingBody: i.content.implementingBody.name } : {}),
    })),
    consistent: divergences.length === 0,
    divergences,
  };
}
