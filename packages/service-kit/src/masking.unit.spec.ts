import { describe, expect, it } from 'vitest';
import { maskAddress, maskFreeText, maskName, maskPhone, maskResidentId } from './masking.ts';

describe('maskResidentId', () => {
  it('keeps the address code and the last four characters of an 18-character ID', () => {
    expect(maskResidentId('11010519491231002X')).toBe('110105********002X');
  });
  it('masks a first-generation 15-digit ID the same way', () => {
    expect(maskResidentId('110105491231002')).toBe('110105*****1002');
  });
  it('keeps at most the last four characters of anything else, and nothing of short values', () => {
    expect(maskResidentId('E12345678')).toBe('*****5678');
    expect(maskResidentId('1234567')).toBe('*******');
  });
});

describe('maskPhone', () => {
  it('keeps the prefix and last four digits of a mainland mobile', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
  });
  it('leaves an already masked mobile as it is', () => {
    expect(maskPhone('138****5678')).toBe('138****5678');
  });
  it('keeps only the last four digits of other numbers', () => {
    expect(maskPhone('010-65123456')).toBe('*******3456');
    expect(maskPhone('12345')).toBe('*****');
  });
});

describe('maskAddress', () => {
  it('keeps the city and district of a Beijing address', () => {
    expect(maskAddress('北京市朝阳区建国路88号SOHO现代城A座1201')).toBe('北京市朝阳区****');
    expect(maskAddress('北京市石景山区鲁谷路74号')).toBe('北京市石景山区****');
  });
  it('keeps province, city and district or county-level city elsewhere', () => {
    expect(maskAddress('新疆维吾尔自治区乌鲁木齐市天山区解放南路1号')).toBe('新疆维吾尔自治区乌鲁木齐市天山区****');
    expect(maskAddress('河北省廊坊市三河市燕郊镇迎宾路')).toBe('河北省廊坊市三河市****');
    expect(maskAddress('上海市浦东新区世纪大道100号')).toBe('上海市浦东新区****');
  });
  it('does not take a street-level 小区 for a district', () => {
    expect(maskAddress('北京市某某路小区3号楼')).toBe('北京市****');
  });
  it('masks an address it cannot parse whole', () => {
    expect(maskAddress('Room 5, 88 Jianguo Road')).toBe('****');
  });
});

describe('maskName', () => {
  it('keeps the first character only', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳修')).toBe('欧**');
    expect(maskName('Li Wei')).toBe('L*****');
    expect(maskName('王')).toBe('*');
  });
});

describe('maskFreeText', () => {
  it('masks ID numbers and mobiles inside a sentence and leaves the rest', () => {
    expect(maskFreeText('applicant 11010519491231002X called from 13812345678 about case 42')).toBe(
      'applicant 110105********002X called from 138****5678 about case 42',
    );
  });
  it('masks a lowercase check character and a +86 prefix', () => {
    expect(maskFreeText('id=11010519491231002x tel=+8613812345678')).toBe('id=110105********002x tel=138****5678');
  });
  it('leaves numbers that are not IDs or mobiles alone', () => {
    // 18 digits without a plausible birth date, a 12-digit region code, a 13-digit number.
    const text = 'position 123456789012345678 region 110105000000 order 1381234567890';
    expect(maskFreeText(text)).toBe(text);
  });
});
