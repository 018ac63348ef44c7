import { describe, expect, it } from 'vitest';
import { PERSON_ID } from '../../test/fixtures.ts';
import { LocalDataSharing, sharedReference } from './data-sharing.ts';

describe('data sharing (R-CAT-10)', () => {
  const sharing = new LocalDataSharing();

  it('R-CAT-10: a guide’s own name for a material finds its shared data set through the directory', async () => {
    const record = await sharing.fetch({ materialId: 'applicant-id', name: '申请人居民身份证' }, PERSON_ID);
    expect(record).toMatchObject({ materialId: 'applicant-id', dataset: 'resident-id-card', provider: '北京市人口基础信息库' });
    expect(JSON.stringify(record)).not.toContain(PERSON_ID); // shown to confirm, masked by the provider
    expect(await sharing.fetch({ materialId: 'hukou', name: '户口本' }, PERSON_ID)).toMatchObject({ dataset: 'household-register' });
  });

  it('R-CAT-10: nothing for a material outside the directory or an applicant with no record', async () => {
    expect(await sharing.fetch({ materialId: 'floor-plan', name: '经营场所平面图' }, PERSON_ID)).toBeNull();
    expect(await sharing.fetch({ materialId: 'business-licence', name: '营业执照' }, PERSON_ID)).toBeNull();
  });

  it('R-CAT-10: a lawful change yields a new revision, which is what a confirmation must name', async () => {
    const local = new LocalDataSharing();
    const before = await local.fetch({ materialId: 'household-register', name: '居民户口簿' }, PERSON_ID);
    local.change('household-register', PERSON_ID, { 户籍地址: '北京市海淀区******' }, '2026-11-20T09:00:00+08:00');
    const after = await local.fetch({ materialId: 'household-register', name: '居民户口簿' }, PERSON_ID);
    expect(sharedReference(after!)).toBe(`${before!.recordId}@${before!.revision + 1}`);
    expect(after!.fields['户籍地址']).toBe('北京市海淀区******');
  });
});
