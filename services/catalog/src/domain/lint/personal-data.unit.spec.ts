import { describe, expect, it } from 'vitest';
import { findPersonalData, maskForMessage } from './personal-data.ts';

const kinds = (text: string) => findPersonalData(text).map((h) => h.kind);

describe('R-CAT-12: personal data in result samples', () => {
  it.each([
    ['身份证号：11010519491231002X', ['resident-id']],
    ['公民身份号码 110101199003071234。', ['resident-id']],
    ['联系电话：13812345678', ['mobile-phone']],
    ['手机 +86 138-1234-5678', ['mobile-phone']],
    ['姓名：张三 性别：男', ['full-name']],
    ['法定代表人：欧阳明华', ['full-name']],
    ['经营者： 李四', ['full-name']],
    ['住址：北京市东城区东华门街道东厂胡同12号', ['home-address']],
  ])('finds %s', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each([
    '身份证号：110105********002X',
    '联系电话：138****5678',
    '办公电话：010-65123456',
    '统一社会信用代码：91110105MA01ABCD2X',
    '许可证编号：JY11101050123456',
    '注册号：110105012345678',
    '编号：110105199913451234',
    '姓名：张**',
    '姓名：张某某',
    '姓名：××× 性别：×',
    '申请人：北京某某餐饮管理有限公司',
    '抵押权人：中国工商银行',
    '发证机关：北京市东城区市场监督管理局',
    '住址：北京市东城区××街道××号',
  ])('does not flag %s', (text) => {
    expect(findPersonalData(text)).toEqual([]);
  });

  it('masks what it reports, so the message does not leak the data', () => {
    const [id, phone, name] = findPersonalData('11010519491231002X 13812345678 姓名：王小明');
    expect(id && maskForMessage(id)).toBe('110105********002X');
    expect(phone && maskForMessage(phone)).toBe('138****5678');
    expect(name && maskForMessage(name)).toBe('王**');
  });
});
