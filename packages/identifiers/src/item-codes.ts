/**
 * Codes of government service items (政务服务事项), after GB/T 39554.1-2020
 * (全国一体化政务服务平台 政务服务事项基本目录及实施清单 第1部分：编码要求)
 * as practised on the national platform. The layout implemented here:
 *
 *   basic code (基本编码)            TT + B…      TT: item type (2 digits, table below);
 *                                                 B…: the item's number in the catalogue
 *                                                 it comes from, 4–18 of [0-9A-Z] (length
 *                                                 varies by source, so it is not fixed here)
 *   implementation code (实施编码)   basic code
 *                                    + RRRRRRRRRRRR  12-digit region code of the implementing
 *                                                    level (6-digit GB/T 2260 division + 3-digit
 *                                                    township + 3-digit village; 000 when unused)
 *                                    + the implementing body's USCC (18)
 *                                    + HH SSS        handling item (业务办理项): type HH
 *                                                    (table below) and sequence SSS
 *
 * The variable part comes first, so an implementation code is read from the
 * right: the last 5 + 18 + 12 characters are fixed, the rest is the basic
 * code. `formatImplementationCode` writes the segments apart with hyphens
 * for people; the stored form has no separators.
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { orThrow, reportTo, type Checked } from './checked.ts';
import { PROVINCES, CENTRAL_REGION_PREFIX } from './regions.ts';
import { checkUscc, type ParsedUscc } from './uscc.ts';

export const ITEM_TYPES = {
  '01': { zh: '行政许可', en: 'administrative licensing' },
  '02': { zh: '行政处罚', en: 'administrative penalty' },
  '03': { zh: '行政强制', en: 'administrative coercion' },
  '04': { zh: '行政征收', en: 'administrative levy' },
  '05': { zh: '行政给付', en: 'administrative benefit payment' },
  '06': { zh: '行政检查', en: 'administrative inspection' },
  '07': { zh: '行政确认', en: 'administrative confirmation' },
  '08': { zh: '行政奖励', en: 'administrative reward' },
  '09': { zh: '行政裁决', en: 'administrative adjudication' },
  '10': { zh: '其他行政权力', en: 'other administrative power' },
  '20': { zh: '公共服务', en: 'public service' },
} as const;

export type ItemTypeCode = keyof typeof ITEM_TYPES;

// Listed, not Object.keys(): JavaScript puts integer-like keys ('10', '20') before '01'.
export const ITEM_TYPE_CODES: readonly ItemTypeCode[] = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20'];

export const itemTypeCodeSchema = z.enum(ITEM_TYPE_CODES as [ItemTypeCode, ...ItemTypeCode[]], {
  error: `must be one of ${ITEM_TYPE_CODES.join(', ')}`,
});

/**
 * R-SCOPE-1: the item types the Beijing measures govern (Art. 2): the ones
 * applicants apply for. Penalty, coercion, levy and inspection are acts of
 * the administration on its own initiative and are outside the catalogue.
 */
export const GOVERNMENT_SERVICE_ITEM_TYPES: readonly ItemTypeCode[] = ['01', '05', '07', '08', '09', '10', '20'];

export function isGovernmentServiceItemType(code: string): code is ItemTypeCode {
  return (GOVERNMENT_SERVICE_ITEM_TYPES as readonly string[]).includes(code);
}

/**
 * Handling items (业务办理项): the kinds of application one item accepts.
 * Our code list; an item guide names the ones it offers.
 */
export const HANDLING_ITEM_TYPES = {
  '01': { zh: '新办', en: 'new application' },
  '02': { zh: '变更', en: 'change' },
  '03': { zh: '延续', en: 'renewal' },
  '04': { zh: '注销', en: 'cancellation' },
  '05': { zh: '补办', en: 'replacement of a lost or damaged licence' },
  '06': { zh: '换证', en: 'exchange of a licence' },
  '99': { zh: '其他', en: 'other' },
} as const;

export type HandlingItemTypeCode = keyof typeof HANDLING_ITEM_TYPES;

export const HANDLING_ITEM_TYPE_CODES: readonly HandlingItemTypeCode[] = ['01', '02', '03', '04', '05', '06', '99'];

/**
 * Provincial variants of the item-type numbering: a scheme maps its local
 * codes to the national ones. Schemes are data; add a province's scheme
 * from its own published catalogue.
 */
export interface ItemTypeScheme {
  readonly id: string;
  readonly description: string;
  readonly map: Readonly<Record<string, ItemTypeCode>>;
}

export const ITEM_TYPE_SCHEMES: Readonly<Record<string, ItemTypeScheme>> = {
  national: {
    id: 'national',
    description: 'National platform numbering (identity mapping)',
    map: Object.fromEntries(ITEM_TYPE_CODES.map((k) => [k, k])),
  },
  // Example: power lists (权力清单) commonly abbreviate item types by the pinyin
  // initials of their names (XK = 行政许可 xingzheng xuke …). A catalogue
  // imported with such codes maps through this scheme; a province's own
  // numbering is added the same way once its catalogue is at hand.
  'pinyin-initials': {
    id: 'pinyin-initials',
    description: 'Pinyin-initial abbreviations of the type names, as used in local power lists',
    map: {
      XK: '01',
      CF: '02',
      QZ: '03',
      ZS: '04',
      JF: '05',
      JC: '06',
      QR: '07',
      JL: '08',
      CJ: '09',
      QT: '10',
      GG: '20',
    },
  },
};

/** The national item type of a code written in `scheme`; throws on an unknown scheme or code. */
export function toNationalItemType(schemeId: string, localCode: string): ItemTypeCode {
  const scheme = ITEM_TYPE_SCHEMES[schemeId];
  if (!scheme) {
    throw new ValidationError(`no item-type scheme '${schemeId}'`, [
      { path: 'scheme', reason: `'${schemeId}' is not a known scheme (${Object.keys(ITEM_TYPE_SCHEMES).join(', ')})` },
    ]);
  }
  const national = scheme.map[localCode.trim().toUpperCase()];
  if (!national) {
    throw new ValidationError(`'${localCode}' is not an item type in scheme '${schemeId}'`, [
      { path: 'itemType', reason: `'${localCode}' is not one of ${Object.keys(scheme.map).join(', ')}` },
    ]);
  }
  return national;
}

export interface ParsedBasicCode {
  readonly value: string;
  readonly itemType: ItemTypeCode;
  readonly itemTypeName: { readonly zh: string; readonly en: string };
  readonly itemNumber: string;
}

export interface ParsedImplementationCode {
  readonly value: string;
  readonly basic: ParsedBasicCode;
  readonly regionCode: string;
  readonly province?: string;
  readonly implementingBody: ParsedUscc;
  readonly handlingItem: { readonly type: HandlingItemTypeCode; readonly name: string; readonly sequence: string };
}

const BASIC = /^[0-9A-Z]{6,20}$/;
const FIXED_TAIL = 12 + 18 + 5;

export function checkBasicCode(raw: string, field = 'basicCode'): Checked<ParsedBasicCode> {
  const value = raw.trim().toUpperCase();
  const issues: FieldIssue[] = [];
  if (!BASIC.test(value)) issues.push({ path: field, reason: `a basic code has 6–20 characters 0-9/A-Z, got '${raw}'` });
  const type = value.slice(0, 2);
  if (!(type in ITEM_TYPES)) issues.push({ path: field, reason: `positions 1–2 must be an item type code (${ITEM_TYPE_CODES.join(', ')}), not '${type}'` });
  if (issues.length > 0) return { ok: false, issues };
  const itemType = type as ItemTypeCode;
  return { ok: true, value: { value, itemType, itemTypeName: ITEM_TYPES[itemType], itemNumber: value.slice(2) } };
}

export function parseBasicCode(raw: string, field = 'basicCode'): ParsedBasicCode {
  return orThrow(checkBasicCode(raw, field), `basic code ${raw}`);
}

export function checkImplementationCode(raw: string, field = 'implementationCode'): Checked<ParsedImplementationCode> {
  const value = raw.replace(/[\s-]/g, '').toUpperCase();
  if (value.length < FIXED_TAIL + 6) {
    return { ok: false, issues: [{ path: field, reason: `an implementation code has at least ${FIXED_TAIL + 6} characters (basic code + 12 + 18 + 5), got ${value.length}` }] };
  }
  const basicPart = value.slice(0, value.length - FIXED_TAIL);
  const regionCode = value.slice(basicPart.length, basicPart.length + 12);
  const usccPart = value.slice(basicPart.length + 12, basicPart.length + 30);
  const handling = value.slice(basicPart.length + 30);

  const basic = checkBasicCode(basicPart, `${field}/basicCode`);
  const body = checkUscc(usccPart, `${field}/implementingBody`);
  const issues: FieldIssue[] = [...(basic.ok ? [] : basic.issues), ...(body.ok ? [] : body.issues)];
  const prefix = regionCode.slice(0, 2);
  if (!/^\d{12}$/.test(regionCode)) {
    issues.push({ path: `${field}/regionCode`, reason: `the region code is 12 digits, got '${regionCode}'` });
  } else if (!(prefix in PROVINCES) && prefix !== CENTRAL_REGION_PREFIX) {
    issues.push({ path: `${field}/regionCode`, reason: `region code ${regionCode}: ${prefix} is not a province code` });
  }
  const handlingType = handling.slice(0, 2);
  if (!/^\d{5}$/.test(handling) || !(handlingType in HANDLING_ITEM_TYPES)) {
    issues.push({
      path: `${field}/handlingItem`,
      reason: `the handling item is a type (${HANDLING_ITEM_TYPE_CODES.join(', ')}) and a 3-digit sequence, got '${handling}'`,
    });
  }
  if (issues.length > 0 || !basic.ok || !body.ok) return { ok: false, issues };
  const province = PROVINCES[prefix];
  const type = handlingType as HandlingItemTypeCode;
  return {
    ok: true,
    value: {
      value,
      basic: basic.value,
      regionCode,
      ...(province ? { province } : {}),
      implementingBody: body.value,
      handlingItem: { type, name: HANDLING_ITEM_TYPES[type].zh, sequence: handling.slice(2) },
    },
  };
}

export function parseImplementationCode(raw: string, field = 'implementationCode'): ParsedImplementationCode {
  return orThrow(checkImplementationCode(raw, field), `implementation code ${raw}`);
}

/** Builds an implementation code from its parts, validating each. */
export function buildImplementationCode(parts: {
  readonly basicCode: string;
  readonly regionCode: string;
  readonly implementingBody: string;
  readonly handlingItemType: HandlingItemTypeCode;
  readonly handlingItemSequence: number;
}): string {
  const seq = String(parts.handlingItemSequence).padStart(3, '0');
  const code = `${parts.basicCode.toUpperCase()}${parts.regionCode}${parts.implementingBody.toUpperCase()}${parts.handlingItemType}${seq}`;
  return parseImplementationCode(code).value;
}

/** `0100012001-110105000000-11110105MB0123457J-01001`: the segments apart, for people. */
export function formatImplementationCode(parsed: ParsedImplementationCode): string {
  return [parsed.basic.value, parsed.regionCode, parsed.implementingBody.value, `${parsed.handlingItem.type}${parsed.handlingItem.sequence}`].join('-');
}

export const basicCodeSchema = z.string().transform((raw, ctx) => {
  const checked = checkBasicCode(raw);
  reportTo(ctx, checked);
  return checked.ok ? checked.value.value : z.NEVER;
});

export const implementationCodeSchema = z.string().transform((raw, ctx) => {
  const checked = checkImplementationCode(raw);
  reportTo(ctx, checked);
  return checked.ok ? checked.value.value : z.NEVER;
});
