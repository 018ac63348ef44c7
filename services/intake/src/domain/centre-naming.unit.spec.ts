import { describe, expect, it } from 'vitest';
import { centreLevelOf } from './centre-naming.ts';

describe('standard centre names (R-PLAT-1, Art. 24–25)', () => {
  it('R-PLAT-1: each standard name pattern gives its level', () => {
    expect(centreLevelOf('北京市政务服务中心')).toBe('city');
    expect(centreLevelOf('北京市政务服务中心出入境分中心')).toBe('city-branch');
    expect(centreLevelOf('朝阳区政务服务中心')).toBe('district');
    expect(centreLevelOf('北京市朝阳区政务服务中心')).toBe('district');
    expect(centreLevelOf('海淀区政务服务中心不动产登记分中心')).toBe('district-branch');
    expect(centreLevelOf('北京市朝阳区建外街道政务服务中心')).toBe('township');
    expect(centreLevelOf('延庆区八达岭镇政务服务中心')).toBe('township');
    expect(centreLevelOf('门头沟区雁翅镇政务服务中心')).toBe('township');
    expect(centreLevelOf('建外街道永安里社区政务服务站')).toBe('station');
    expect(centreLevelOf('八达岭镇石峡村政务服务站')).toBe('station');
    expect(centreLevelOf('朝阳区望京街道望京SOHO楼宇政务服务站')).toBe('station');
  });

  it('R-PLAT-1: names outside the pattern have no level', () => {
    for (const name of ['政务服务中心', '朝阳政务服务中心', '浦东新区政务服务中心', '某街道政务服务中心', '北京市朝阳区建外街道办事处', '朝阳区政务服务大厅', '永安里社区服务站']) {
      expect(centreLevelOf(name), name).toBeNull();
    }
  });

});
