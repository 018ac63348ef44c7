/**
 * RecordInboundMaterials (R-COURIER-1, measures Art. 19): an applicant's paper materials, collected by
 * courier, were checked in at the service centre; the case records them as received.
 *
 * - Only a submitted case (R-ACC-1) and only materials of the guide version it is bound to (R-CAT-2):
 *   anything else in the parcel is named in `outsideGuide` and not taken onto the case; a parcel with
 *   no material of the guide is refused.
 * - One record per waybill: a redelivered receipt decides nothing.
 */
import { RuleViolation } from '@govsvc/errors/errors';
import { materialOf } from '../guide.ts';
import type { RecordInboundMaterials } from './commands.ts';
import type { ApplicationEvent } from './events.ts';
import { requireSubmitted } from './rules.ts';
import type { ApplicationState } from './state.ts';

export function decideRecordInboundMaterials(command: RecordInboundMaterials, state: ApplicationState): ApplicationEvent[] {
  requireSubmitted(state);
  if (state.inboundParcels.some((p) => p.waybillId === command.waybillId)) return [];
  const guide = state.guide;
  const inGuide = command.materials.filter((m) => materialOf(guide, m.materialId) !== undefined);
  const outsideGuide = [...new Set(command.materials.filter((m) => materialOf(guide, m.materialId) === undefined).map((m) => m.materialId))];
  if (inGuide.length === 0) {
    throw new RuleViolation('R-CAT-2', `waybill ${command.waybillId} holds no material of guide ${guide.guideVersion} (${outsideGuide.join(', ')})`);
  }
  return [
    {
      type: 'InboundMaterialsReceived',
      data: {
        waybillId: command.waybillId,
        carrier: command.carrier,
        trackingNumber: command.trackingNumber,
        // The guide's own name for each material, as every other record of the case uses it.
        materials: inGuide.map((m) => ({ materialId: m.materialId, name: materialOf(guide, m.materialId)!.name, copies: m.copies, form: m.form })),
        outsideGuide,
        discrepancy: command.discrepancy,
        receivedAt: command.receivedAt,
        receivedBy: command.receivedBy,
      },
    },
  ];
}
