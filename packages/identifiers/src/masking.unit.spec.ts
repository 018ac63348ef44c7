import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validResidentId } from '../test/generate.ts';
import { maskAddress, maskName, maskPersonalData, maskPhone, maskResidentId } from './masking.ts';

describe('masking personal data', () => {
  it('masks resident ID numbers, keeping region and the last four', () => {
    expect(maskResidentId('11010519491231002X')).toBe('110105********002X');
    expect(maskResidentId('110105491231002')).toBe('110105******002');
  });

  it('masks mobile and landline numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('+86138****5678');
    expect(maskPhone('010-65123456')).toBe('010-****3456');
  });

  it('masks names: 张* / 张*丰 / 欧**娜', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('李')).toBe('*');
  });

  it('keeps province, city and district of an address and hides the rest', () => {
    expect(maskAddress('北京市朝阳区建国路88号SOHO现代城5号楼1201室')).toBe('北京市朝阳区****');
    expect(maskAddress('河北省石家庄市长安区中山东路100号')).toBe('河北省石家庄市长安区****');
    expect(maskAddress('广西壮族自治区南宁市青秀区民族大道1号')).toBe('广西壮族自治区南宁市青秀区****');
    expect(maskAddress('浙江杭州市西湖区文三路1号')).toBe('浙江杭州市西湖区****');
    expect(maskAddress('海淀区中关村大街27号')).toBe('海淀区****');
    expect(maskAddress('建国门外大街1号')).toBe('****');
  });

  it('finds ID and mobile numbers in free text and masks them, leaving other numbers alone', () => {
    const text =
      '申请人张三（身份证11010519491231002x，旧证110105491231002），手机138-1234-5678，备用+8613900001111；' +
      '受理编号2024100800012，统一社会信用代码91350100M000100Y43，金额1200.00元，日期2024-10-08。';
    expect(maskPersonalData(text)).toBe(
      '申请人张三（身份证110105********002x，旧证110105******002），手机138****5678，备用+86139****1111；' +
        '受理编号2024100800012，统一社会信用代码91350100M000100Y43，金额1200.00元，日期2024-10-08。',
    );
  });

  it('property: no generated ID number survives maskPersonalData inside text', () => {
    fc.assert(
      fc.property(validResidentId, fc.string({ maxLength: 10 }).filter((s) => !/[\dA-Za-z]$/.test(s)), (id, before) => {
        const masked = maskPersonalData(`${before}${id}。`);
        expect(masked).not.toContain(id.slice(6, 14));
        expect(masked).toContain(`${id.slice(0, 6)}********${id.slice(14)}`);
      }),
      { numRuns: 200 },
    );
  });
});
