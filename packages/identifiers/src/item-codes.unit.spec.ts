import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import {
  buildImplementationCode,
  checkImplementationCode,
  formatImplementationCode,
  GOVERNMENT_SERVICE_ITEM_TYPES,
  implementationCodeSchema,
  isGovernmentServiceItemType,
  ITEM_TYPE_CODES,
  ITEM_TYPES,
  parseBasicCode,
  parseImplementationCode,
  toNationalItemType,
} from './item-codes.ts';

// A valid USCC of a (fictitious) Chaoyang district body, check characters computed.
const BODY = '11110105MB0123457J';

describe('item type codes', () => {
  it('has the eleven national types with Chinese and English names', () => {
    expect(ITEM_TYPE_CODES).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20']);
    expect(ITEM_TYPES['01']).toEqual({ zh: '行政许可', en: 'administrative licensing' });
    expect(ITEM_TYPES['20'].zh).toBe('公共服务');
  });

  it('R-SCOPE-1: the measures cover licensing, benefit payment, confirmation, reward, adjudication, other power and public service', () => {
    expect(GOVERNMENT_SERVICE_ITEM_TYPES.map((c) => ITEM_TYPES[c].zh)).toEqual([
      '行政许可',
      '行政给付',
      '行政确认',
      '行政奖励',
      '行政裁决',
      '其他行政权力',
      '公共服务',
    ]);
    expect(isGovernmentServiceItemType('02')).toBe(false);
    expect(isGovernmentServiceItemType('07')).toBe(true);
  });

  it('maps a provincial variant to the national code, and refuses codes it does not know', () => {
    expect(toNationalItemType('pinyin-initials', 'xk')).toBe('01');
    expect(toNationalItemType('pinyin-initials', 'GG')).toBe('20');
    expect(toNationalItemType('national', '09')).toBe('09');
    expect(() => toNationalItemType('pinyin-initials', 'ZZ')).toThrow(ValidationError);
    expect(() => toNationalItemType('atlantis', '01')).toThrow(/no item-type scheme/);
  });
});

describe('basic and implementation codes', () => {
  it('parses a basic code led by its item type', () => {
    expect(parseBasicCode('0100012001')).toEqual({
      value: '0100012001',
      itemType: '01',
      itemTypeName: { zh: '行政许可', en: 'administrative licensing' },
      itemNumber: '00012001',
    });
    expect(() => parseBasicCode('3300012001')).toThrow(/item type code/);
  });

  it('builds, parses and formats an implementation code: basic + region + body USCC + handling item', () => {
    const code = buildImplementationCode({
      basicCode: '0100012001',
      regionCode: '110105000000',
      implementingBody: BODY,
      handlingItemType: '03',
      handlingItemSequence: 1,
    });
    expect(code).toBe(`0100012001110105000000${BODY}03001`);
    const parsed = parseImplementationCode(code);
    expect(parsed).toMatchObject({
      basic: { value: '0100012001', itemType: '01' },
      regionCode: '110105000000',
      province: '北京市',
      implementingBody: { value: BODY, regionCode: '110105' },
      handlingItem: { type: '03', name: '延续', sequence: '001' },
    });
    expect(formatImplementationCode(parsed)).toBe(`0100012001-110105000000-${BODY}-03001`);
    expect(parseImplementationCode(formatImplementationCode(parsed)).value).toBe(code);
  });

  it('reads basic codes of any length from the right', () => {
    const long = parseImplementationCode(`2000001234567890110000000000${BODY}01002`);
    expect(long.basic).toMatchObject({ value: '2000001234567890', itemType: '20', itemNumber: '00001234567890' });
    expect(long.regionCode).toBe('110000000000');
  });

  it('reports every broken segment with its path', () => {
    const broken = checkImplementationCode(`3300012001990105000000${BODY.slice(0, 17)}Q07001`);
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.issues.map((i) => i.path)).toEqual([
      'implementationCode/basicCode',
      'implementationCode/implementingBody',
      'implementationCode/regionCode',
      'implementationCode/handlingItem',
    ]);
    expect(broken.issues[1]?.reason).toBe('check character (position 18) should be J, not Q');
    expect(implementationCodeSchema.safeParse('0100').success).toBe(false);
  });
});
