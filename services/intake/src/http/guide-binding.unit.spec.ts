/**
 * R-CAT-14 through the bus: a guide re-versioned because the law changed
 * applies to new applications from its effective instant; cases submitted
 * before stay bound to the version in force when they were submitted, and a
 * notice on them can only name that version's materials. A withdrawn item
 * takes no new applications (R-CAT-1).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { waitFor } from '@govsvc/messaging/wait-for';
import { createHarness, guidePublished, publishGuide, type Harness } from '../../test/harness.ts';
import { ENTERPRISE_USCC, FOOD_ITEM, foodGuide, smsAndWindowPickup } from '../../test/fixtures.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => h.close());

const revised = {
  ...foodGuide,
  guideVersion: '2026.3',
  materials: [...foodGuide.materials, { materialId: 'health-certificates', name: '从业人员健康证明', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: false }],
};
const uploads = (ids: string[]) => ids.map((materialId) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` }));
const base = ['application-form', 'premises-proof', 'layout-plan', 'safety-rules'];

async function submit(materials: string[]) {
  return h.app.inject({
    method: 'POST',
    url: '/intake/applications',
    headers: { authorization: `Bearer ${await h.applicantToken(ENTERPRISE_USCC)}` },
    payload: {
      itemCode: FOOD_ITEM,
      applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' },
      channel: 'online',
      materials: uploads(materials),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 }],
      delivery: smsAndWindowPickup,
    },
  });
}

describe('guide versions (R-CAT-14, R-CAT-1)', () => {
  it('R-CAT-14: a case stays bound to the version in force at submission; new cases take the new version from its effective instant', async () => {
    await publishGuide(h.bus, { ...guidePublished(revised, '2026-12-01T00:00:00+08:00'), previousVersion: '2026.2' });
    await waitFor(() => h.module.guides.inForce(FOOD_ITEM, new Date('2026-12-02T00:00:00+08:00'))?.guideVersion === '2026.3', 'the revised guide');

    const before = await submit(base);
    expect(before.statusCode, before.body).toBe(201);
    const oldCase = before.json().caseId as string;
    // Still November: the revised guide is not in force yet, so its new material is beyond the bound guide.
    const clerk = await h.clerkToken();
    const beyond = await h.app.inject({
      method: 'POST',
      url: `/intake/applications/${oldCase}/supplement-notices`,
      headers: { authorization: `Bearer ${clerk}` },
      payload: { items: [{ materialId: 'health-certificates', problem: 'missing', detail: '请补交健康证明' }] },
    });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.body).toContain('R-CAT-2');

    expect((await h.app.inject({ method: 'GET', url: `/intake/guides/${FOOD_ITEM}` })).json()).toMatchObject({ guideVersion: '2026.2' });
    h.clock.set('2026-12-02T09:00:00+08:00');
    const guideNow = (await h.app.inject({ method: 'GET', url: `/intake/guides/${FOOD_ITEM}` })).json();
    expect(guideNow.guideVersion).toBe('2026.3');
    expect(guideNow.materials.map((m: { materialId: string }) => m.materialId)).toContain('health-certificates');
    const after = await submit([...base, 'health-certificates']);
    expect(after.statusCode, after.body).toBe(201);
    const view = async (caseId: string) =>
      (await h.app.inject({ method: 'GET', url: `/intake/applications/${caseId}`, headers: { authorization: `Bearer ${clerk}` } })).json();
    expect((await view(after.json().caseId)).guideVersion).toBe('2026.3');
    // The old case still reads its own version, even now that 2026.3 is in force.
    expect((await view(oldCase)).guideVersion).toBe('2026.2');
    const accepted = await h.app.inject({ method: 'POST', url: `/intake/applications/${oldCase}/accept`, headers: { authorization: `Bearer ${clerk}` }, payload: {} });
    expect(accepted.statusCode, accepted.body).toBe(200);
  });

  it('R-CAT-1: once the item is withdrawn from the catalog, a new application is refused with a clear 400', async () => {
    const record = encodeIntegrationEvent(
      {
        type: 'catalog.guide-superseded.v1',
        data: { itemCode: FOOD_ITEM, guideVersion: '2026.2', supersededBy: null, reason: 'item-withdrawn', legalBasisChange: null, supersededAt: '2026-11-26T09:00:00+08:00' },
      },
      { id: 'withdrawn-1', time: '2026-11-26T09:00:00+08:00', correlationId: 'catalog-2' },
    );
    await h.bus.publish(record.topic, [{ key: record.key, value: record.value, headers: record.headers }]);
    await waitFor(() => h.module.guides.inForce(FOOD_ITEM, h.clock.now()) === null, 'the withdrawal');
    const res = await submit(base);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('R-CAT-1');
    expect((await h.app.inject({ method: 'GET', url: `/intake/guides/${FOOD_ITEM}` })).statusCode).toBe(404);
  });
});
