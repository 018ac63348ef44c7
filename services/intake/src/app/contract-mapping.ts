/**
 * Domain events → published contracts (`@govsvc/contracts`). Domain events
 * may change freely; what crosses Kafka changes only by new contract
 * versions. Personal data never crosses: the applicant travels as a masked
 * identifier plus an opaque reference (PIPL). Events with no published
 * meaning (contacts, cure confirmations) map to nothing.
 */
import type { IntegrationEvent } from '@govsvc/contracts/registry';
import { materialOf } from '../domain/guide.ts';
import { maskIdentifier, type Deadline, type Seal, type SealedDocument } from '../domain/document.ts';
import type { ApplicationEvent, ApplicationEventOf, Staff } from '../domain/application/events.ts';

type Submitted = ApplicationEventOf<'ApplicationSubmitted'>['data'];

const workingDeadline = (d: Deadline) => ({ date: d.date, provisional: d.provisional });
const sealOf = (seal: Seal) => ({ kind: seal.kind, sealId: seal.sealId, electronic: true });
const staffRef = (staff: Staff, submitted: Submitted) => ({
  staffId: staff.staffId,
  // The body the clerk acts for: the entrusted body when acceptance is entrusted, else the implementing department.
  department: submitted.centre.entrustedBody ?? submitted.guide.implementingBody,
});
const docRef = (document: SealedDocument, kind?: string) => ({ documentId: document.content.documentId, kind: kind ?? document.content.kind });

/**
 * The contracts one domain event publishes. `submitted` is the case's first
 * event (the bound guide and applicant), which later events refer to.
 */
export function toIntegrationEvents(caseId: string, event: ApplicationEvent, submitted: Submitted): IntegrationEvent[] {
  const nameOf = (materialId: string) => materialOf(submitted.guide, materialId)?.name ?? materialId;
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const d = event.data;
      return [
        {
          type: 'intake.application-submitted.v1',
          data: {
            caseId,
            itemCode: d.guide.itemCode,
            guideVersion: d.guide.guideVersion,
            applicant: { kind: d.applicant.kind, maskedId: maskIdentifier(d.applicant.id), ref: d.applicant.ref },
            channel: d.channel,
            serviceCentre: d.channel === 'window' ? d.centre.centreId : null,
            materials: d.materials.map((m) => ({ materialId: m.materialId, name: nameOf(m.materialId), form: m.form, source: m.source })),
            submittedAt: d.submittedAt,
            acceptanceDue: workingDeadline(d.acceptanceDue),
            collaboration: d.collaboration,
          },
        },
        {
          type: 'intake.delivery-preferences-recorded.v1',
          data: {
            caseId,
            caseNumber: d.caseNumber,
            itemCode: d.guide.itemCode,
            itemName: d.guide.itemName,
            applicant: { kind: d.applicant.kind, maskedId: maskIdentifier(d.applicant.id), ref: d.applicant.ref },
            notificationChannels: d.delivery.notificationChannels,
            resultDelivery: d.delivery.resultDelivery,
            contact: d.delivery.sealedContact,
            recordedAt: d.submittedAt,
          },
        },
      ];
    }
    case 'SupplementRequested': {
      const d = event.data;
      return [
        {
          type: 'intake.supplement-requested.v1',
          data: {
            caseId,
            notice: docRef(d.document),
            items: d.items.map((i) => ({ materialId: i.materialId, name: nameOf(i.materialId), problem: i.problem, detail: i.detail })),
            deadline: workingDeadline(d.deadline),
            requestedAt: d.requestedAt,
            acceptor: staffRef(d.acceptor, submitted),
            seal: sealOf(d.document.content.seal),
          },
        },
      ];
    }
    case 'SupplementReceived': {
      const d = event.data;
      return [
        {
          type: 'intake.supplement-received.v1',
          data: {
            caseId,
            notice: { kind: d.noticeKind, documentId: d.noticeId },
            materials: d.materials.map((m) => ({ materialId: m.materialId, name: nameOf(m.materialId), form: m.form, source: m.source })),
            complete: d.complete,
            channel: d.channel,
            receivedAt: d.receivedAt,
          },
        },
        ...(d.suspension
          ? [
              {
                type: 'intake.clock-suspended.v1' as const,
                data: { caseId, suspension: d.suspension, notice: { documentId: d.noticeId, kind: d.noticeKind }, recordedAt: d.receivedAt },
              },
            ]
          : []),
      ];
    }
    case 'CaseAccepted': {
      const d = event.data;
      const common = {
        caseId,
        itemCode: submitted.guide.itemCode,
        guideVersion: submitted.guide.guideVersion,
        receipt: docRef(d.document, 'acceptance-receipt'),
        acceptedAt: d.acceptedAt,
        toleratedDeficiencies: d.toleratedDeficiencies
          ? {
              items: d.toleratedDeficiencies.items.map((i) => ({ materialId: i.materialId, name: nameOf(i.materialId), problem: i.problem, detail: i.detail })),
              deadline: workingDeadline(d.toleratedDeficiencies.deadline),
              notice: docRef(d.document, 'tolerated-deficiency-notice'),
            }
          : null,
        decisionDue: workingDeadline(d.decisionDue),
        statutoryDue: workingDeadline(d.statutoryDue),
        effectiveFrom: d.effectiveFrom,
      };
      return [
        d.basis === 'deemed' || d.acceptor === null
          ? { type: 'intake.case-accepted.v2', data: { ...common, basis: 'deemed' } }
          : { type: 'intake.case-accepted.v2', data: { ...common, basis: 'decision', acceptedBy: staffRef(d.acceptor, submitted), seal: sealOf(d.document.content.seal) } },
      ];
    }
    case 'CaseNotAccepted': {
      const d = event.data;
      return [
        {
          type: 'intake.case-not-accepted.v1',
          data: {
            caseId,
            decision: docRef(d.document),
            reasons: d.reasons.map((r) => ({ text: r.text, ...(r.legalBasis ? { legalBasis: r.legalBasis } : {}) })),
            decidedAt: d.decidedAt,
            decidedBy: staffRef(d.acceptor, submitted),
            seal: sealOf(d.document.content.seal),
          },
        },
      ];
    }
    case 'ToleratedDeficiencyLapsed': {
      const d = event.data;
      return [
        {
          type: 'intake.tolerated-deficiency-lapsed.v1',
          data: {
            caseId,
            notice: d.noticeId,
            materials: d.items.map((i) => ({ materialId: i.materialId, name: nameOf(i.materialId) })),
            cause: d.cause,
            deadline: d.deadline.date,
            lapsedAt: d.lapsedAt,
            consequence: 'refusal-decision-required',
          },
        },
      ];
    }
    case 'ContactRecorded':
    case 'InboundMaterialsReceived':
    case 'ToleratedDeficienciesCured':
      return [];
  }
}
