import { describe, expect, it } from 'vitest';
import { chaoyangCentre } from '../../test/fixtures.ts';
import { Centres } from './centres.ts';
import { DEFAULT_CENTRES } from './defaults.ts';

describe('service centres (R-PLAT-1)', () => {
  it('R-PLAT-1: the configured centres carry standard names and their levels; a misnamed centre is refused at start', () => {
    const centres = new Centres(DEFAULT_CENTRES);
    expect(DEFAULT_CENTRES.map((c) => centres.levelOf(c.centreId))).toEqual(['city', 'district', 'district', 'township']);
    expect(() => new Centres([chaoyangCentre, { ...chaoyangCentre, centreId: 'bj-misnamed', name: '朝阳政务大厅' }])).toThrow(/R-PLAT-1.*bj-misnamed "朝阳政务大厅"/);
  });
});
