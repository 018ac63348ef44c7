/**
 * R-COURIER-1 through the module: courier's `courier.materials-received.v1` on
 * the (in-process) bus, consumed by intake's own consumer, recorded on the
 * application stream and shown by `GET /intake/applications/:id`.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { examples } from '@govsvc/contracts/examples';
import type { DataOf } from '@govsvc/contracts/registry';
import { waitFor } from '@govsvc/messaging/wait-for';
import { createHarness, type Harness } from '../../test/harness.ts';
import { ENTERPRISE_USCC, FOOD_ITEM, smsAndWindowPickup } from '../../test/fixtures.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => h.close());

type Receipt = DataOf<'courier.materials-received.v1'>;
const receivedBy = { staffId: 'staff-0042', department: '北京市朝阳区政务服务中心' };

async function submitOnline(): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/intake/applications',
    headers: { authorization: `Bearer ${await h.applicantToken(ENTERPRISE_USCC)}` },
    payload: {
      itemCode: FOOD_ITEM,
      applicant: { kind: 'enterprise', id: ENTERPRISE_USCC, name: '北京京味餐饮管理有限公司' },
      channel: 'online',
      // The layout plan is not uploaded: the applicant sends it on paper by courier.
      materials: ['application-form', 'premises-proof', 'safety-rules'].map((materialId) => ({ materialId, form: 'electronic', reference: `sha256:${materialId}` })),
      sharedConfirmations: [{ materialId: 'business-licence', recordId: 'samr-bl-91110108551385082Q', revision: 3 }],
      delivery: smsAndWindowPickup,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().caseId as string;
}

const receipt = (caseId: string, over: Partial<Receipt> = {}): Receipt => ({
  ...examples['courier.materials-received.v1'],
  caseId,
  waybillId: 'wb-in-0001',
  trackingNumber: 'LC0000000042',
  materials: [{ materialId: 'layout-plan', name: '布局流程图', copies: 2, form: 'paper' }],
  receivedAt: '2026-11-26T15:00:00+08:00',
  receivedBy,
  ...over,
});

/** Publishes as courier does: a CloudEvent on courier's topic, keyed by the case. */
async function publishReceipt(data: Receipt, id: string = randomUUID()): Promise<string> {
  const record = encodeIntegrationEvent({ type: 'courier.materials-received.v1', data }, { id, time: new Date(), correlationId: `corr-${id}` });
  await h.bus.publish(record.topic, [{ key: record.key, value: record.value, headers: record.headers }]);
  return id;
}

const view = async (caseId: string) => {
  const res = await h.app.inject({ method: 'GET', url: `/intake/applications/${caseId}`, headers: { authorization: `Bearer ${await h.applicantToken(ENTERPRISE_USCC)}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { revision: string; inboundParcels: { waybillId: string; materials: { materialId: string; name: string; copies: number }[]; outsideGuide: string[] }[] };
};
const inboundEvents = async (caseId: string) => (await h.store.readStream(`application-${caseId}`)).filter((e) => e.type === 'InboundMaterialsReceived');

describe('inbound paper materials received at the centre (R-COURIER-1)', () => {
  it('R-COURIER-1: courier’s receipt on the bus shows on the case as received; a redelivery records nothing more', async () => {
    const caseId = await submitOnline();
    expect((await view(caseId)).inboundParcels).toEqual([]);

    const id = await publishReceipt(receipt(caseId));
    await waitFor(async () => (await inboundEvents(caseId)).length === 1, 'the receipt recorded on the application stream');
    const [stored] = await inboundEvents(caseId);
    expect(stored!.metadata).toMatchObject({ caseId, actor: { id: 'courier', role: 'integration' }, correlationId: `corr-${id}`, guideVersion: '2026.2' });
    const shown = await view(caseId);
    expect(shown.inboundParcels).toMatchObject([
      { waybillId: 'wb-in-0001', trackingNumber: 'LC0000000042', receivedAt: '2026-11-26T15:00:00+08:00', receivedBy, outsideGuide: [], materials: [{ materialId: 'layout-plan', name: '经营设施设备布局和操作流程图', copies: 2, form: 'paper' }] },
    ]);

    // The same message again (a redelivery), then the same waybill under a new message id: neither adds a record.
    await publishReceipt(receipt(caseId), id);
    await publishReceipt(receipt(caseId));
    // A later parcel of the case proves the consumer has got past both.
    await publishReceipt(receipt(caseId, { waybillId: 'wb-in-0002', materials: [{ materialId: 'premises-proof', name: '场所证明', copies: 1, form: 'paper' }] }));
    await waitFor(async () => (await inboundEvents(caseId)).length === 2, 'the second parcel recorded');
    expect((await inboundEvents(caseId)).map((e) => (e.data as { waybillId: string }).waybillId)).toEqual(['wb-in-0001', 'wb-in-0002']);
    expect((await view(caseId)).inboundParcels.map((p) => p.waybillId)).toEqual(['wb-in-0001', 'wb-in-0002']);
  });

  it('R-COURIER-1, R-CAT-2: materials outside the bound guide are not taken onto the case; a parcel of nothing else, or for no case, is ignored', async () => {
    const caseId = await submitOnline();
    await publishReceipt(receipt(randomUUID()));
    await publishReceipt(receipt(caseId, { waybillId: 'wb-in-stray', materials: [{ materialId: 'bank-statement', name: '银行流水', copies: 1, form: 'paper' }] }));
    await publishReceipt(
      receipt(caseId, {
        waybillId: 'wb-in-0003',
        materials: [
          { materialId: 'layout-plan', name: '布局流程图', copies: 1, form: 'paper' },
          { materialId: 'bank-statement', name: '银行流水', copies: 1, form: 'paper' },
        ],
        discrepancy: '面单未列银行流水',
      }),
    );
    await waitFor(async () => (await inboundEvents(caseId)).length === 1, 'the parcel with a guide material recorded');
    // Both refusals were logged and passed over, not retried into a dead letter.
    const ignored = () => h.logs.entries().filter((e) => e.msg === 'inbound materials not recorded: ignored');
    await waitFor(() => ignored().length === 2, 'both refusals logged');
    expect(ignored().map((e) => e.reason)).toEqual(expect.arrayContaining([expect.stringContaining('no case'), expect.stringContaining('holds no material of guide 2026.2')]));
    const [parcel] = (await view(caseId)).inboundParcels;
    expect(parcel).toMatchObject({ waybillId: 'wb-in-0003', outsideGuide: ['bank-statement'], discrepancy: '面单未列银行流水' });
    expect(parcel!.materials.map((m) => m.materialId)).toEqual(['layout-plan']);
  });
});
