import { describe, expect, it } from 'vitest';
import { idCheck } from './id.ts';

describe('id check', () => {
  it('R-ID-1: names the kind and masks a person\'s number in text', () => {
    const person = idCheck('11010519491231002X', '2026-11-26');
    expect(person.exitCode).toBe(0);
    expect(person.text).toBe('valid resident ID number (居民身份证号码): 110105********002X\n  北京市, female 女');
    expect(person.json).toMatchObject({ valid: true, kind: 'resident-id', parsed: { birthDate: '1949-12-31' } });
    expect(idCheck('110105491231002', '2026-11-26').text).toContain('converted from a 15-digit number');
  });

  it('R-ID-1: describes a unified social credit code', () => {
    const org = idCheck('91350100M000100Y43', '2026-11-26');
    expect(org.exitCode).toBe(0);
    expect(org.text).toContain('valid unified social credit code (统一社会信用代码): 91350100M000100Y43');
    expect(org.text).toContain('region 350100 福建省, organisation code M000100Y-4');
  });

  it('R-ID-1: gives the reason and exit 1 when invalid', () => {
    expect(idCheck('91350100M000100Y44', '2026-11-26')).toMatchObject({
      exitCode: 1,
      text: 'invalid unified social credit code (统一社会信用代码)\n  check character (position 18) should be 3, not 4',
    });
    expect(idCheck('12345', '2026-11-26').text).toMatch(/^invalid: neither/);
  });
});
