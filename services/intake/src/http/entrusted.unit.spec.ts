/**
 * An item a street office handles by entrustment, every material obtained by
 * data sharing: the applicant only confirms (R-CAT-10), and the acceptance
 * document names the entrusted body and bears its seal (R-ACC-3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@govsvc/messaging/wait-for';
import { DEFAULT_SEALS } from '../app/defaults.ts';
import { createHarness, guidePublished, publishGuide, type Harness } from '../../test/harness.ts';
import { PERSON_ID, pensionGuide } from '../../test/fixtures.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ seals: DEFAULT_SEALS });
  await publishGuide(h.bus, guidePublished(pensionGuide));
  await waitFor(() => h.module.guides.inForce(pensionGuide.itemCode, h.clock.now()) !== null, 'the pension guide');
});
afterEach(async () => h.close());

describe('entrusted acceptance with shared materials (R-ACC-3, R-CAT-10)', () => {
  it('R-CAT-10, R-ACC-3: confirm the shared records, nothing uploaded; the receipt names and seals as the entrusted body', async () => {
    const applicant = await h.applicantToken(PERSON_ID);
    const lookup = await h.app.inject({
      method: 'POST',
      url: '/intake/data-sharing/lookups',
      headers: { authorization: `Bearer ${applicant}` },
      payload: { itemCode: pensionGuide.itemCode, applicant: { kind: 'person', id: PERSON_ID } },
    });
    const records = lookup.json().records as { materialId: string; recordId: string; revision: number }[];
    expect(records.map((r) => r.materialId).sort()).toEqual(['applicant-id', 'household-register', 'social-security-card']);
    // PIPL: the access is logged, the identifier is not.
    expect(h.logs.entries()).toContainEqual(expect.objectContaining({ msg: 'personal records accessed', access: 'shared-records', datasets: expect.arrayContaining(['household-register']) }));
    expect(h.logs.text).not.toContain(PERSON_ID);

    const submitted = await h.app.inject({
      method: 'POST',
      url: '/intake/applications',
      headers: { authorization: `Bearer ${applicant}` },
      payload: {
        itemCode: pensionGuide.itemCode,
        applicant: { kind: 'person', id: PERSON_ID, name: '王秀兰' },
        channel: 'online',
        materials: [],
        sharedConfirmations: records.map(({ materialId, recordId, revision }) => ({ materialId, recordId, revision })),
        delivery: { notificationChannels: ['phone'], resultDelivery: { method: 'electronic' }, contact: { name: '王秀兰', phone: '010-62345678' } },
      },
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const accepted = await h.app.inject({ method: 'POST', url: `/intake/applications/${submitted.json().caseId}/accept`, headers: { authorization: `Bearer ${await h.clerkToken()}` }, payload: {} });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const verify = (await h.app.inject({ method: 'GET', url: `/intake/documents/${accepted.json().document.documentId}/verify` })).json();
    expect(verify).toMatchObject({ valid: true, entrustedBody: '北京市海淀区万寿路街道办事处', seal: { kind: 'entrusted-body', sealId: 'seal-hd-wsl' } });
    const document = (await h.app.inject({ method: 'GET', url: `/intake/documents/${accepted.json().document.documentId}`, headers: { authorization: `Bearer ${applicant}` } })).json();
    expect(document.content.received.map((m: { source: string }) => m.source)).toEqual(['data-sharing', 'data-sharing', 'data-sharing']);
  });
});
