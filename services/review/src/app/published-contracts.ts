/**
 * Domain events → published contracts (the relay publishes what this returns).
 * Domain events change freely; these mappings keep the contracts stable.
 * Nothing personal crosses: applicants appear as masked id + opaque ref only.
 */
import type { DataOf, IntegrationEvent } from '@govsvc/contracts/registry';
import { categoryOf, type StoredEvent } from '@govsvc/eventstore/port';
import { licenceCodec, reviewCodec } from './review-service.ts';

const caseIdOf = (stream: string): string => stream.slice(stream.indexOf('-') + 1);

/** Review's own stream categories: the only ones its relay publishes. */
export const REVIEW_CATEGORIES = ['review', 'licence'] as const;

/** The contract a stored review event publishes, or null for internal facts (signatures, notes, contacts …). */
export function reviewContractOf(stored: StoredEvent): IntegrationEvent | null {
  const category = categoryOf(stored.stream);
  const contracts = category === 'review' ? fromReviewStream(stored) : category === 'licence' ? fromLicenceStream(stored) : [];
  return contracts[0] ?? null;
}

function fromReviewStream(stored: StoredEvent): IntegrationEvent[] {
  const event = reviewCodec.decode(stored);
  const caseId = caseIdOf(stored.stream);
  switch (event.type) {
    case 'OpinionRequested': {
      const d = event.data;
      const data: DataOf<'review.opinion-requested.v1'> = {
        caseId,
        requestId: d.requestId,
        leadDepartment: d.leadDepartment,
        assistingDepartment: d.department,
        question: d.question,
        materials: d.materials,
        due: d.due,
        requestedAt: d.requestedAt,
        requestedBy: d.requestedBy,
      };
      return [{ type: 'review.opinion-requested.v1', data }];
    }
    case 'OpinionGiven': {
      const d = event.data;
      const common = { caseId, requestId: d.requestId, department: d.department, givenAt: d.givenAt, signedBy: d.signedBy };
      const data: DataOf<'review.opinion-given.v1'> =
        d.opinion === 'concur' ? { ...common, opinion: 'concur' } : { ...common, opinion: d.opinion, reasons: d.reasons };
      return [{ type: 'review.opinion-given.v1', data }];
    }
    case 'DecisionMade': {
      const d = event.data;
      const common = {
        caseId,
        decision: { documentId: d.decisionId, kind: d.outcome === 'approve' ? 'approval-decision' : 'refusal-decision' },
        signatures: d.signatures,
        collectiveDecision: d.collectiveMinutesId ? { minutesId: d.collectiveMinutesId } : null,
        seal: { kind: d.seal.kind, sealId: d.seal.sealId, electronic: true },
        decidedAt: d.decidedAt,
        withinPromisedLimit: d.withinPromisedLimit,
      };
      const data: DataOf<'review.decision-made.v1'> =
        d.outcome === 'approve'
          ? { ...common, outcome: 'approve', licenceForms: d.licenceForms }
          : { ...common, outcome: 'refuse', reasons: d.reasons, contact: d.contact };
      return [{ type: 'review.decision-made.v1', data }];
    }
    case 'TimeLimitExtended': {
      const d = event.data;
      const common = {
        caseId,
        reason: d.reason,
        previousDue: d.previousDue,
        newDue: d.newDue,
        approvedBy: d.approvedBy,
        applicantToldAt: d.applicantToldAt,
        extendedAt: d.extendedAt,
        extensionWorkingDays: d.extensionWorkingDays,
      };
      const data: DataOf<'review.time-limit-extended.v1'> =
        d.authority === 'agency-head' ? { ...common, authority: 'agency-head' } : { ...common, authority: 'government-head' };
      return [{ type: 'review.time-limit-extended.v1', data }];
    }
    case 'ClockSuspended': {
      const d = event.data;
      const data: DataOf<'review.time-excluded.v1'> = {
        caseId,
        exclusionId: d.suspensionId,
        reason: d.reason,
        from: d.from,
        applicantToldAt: d.applicantToldAt,
        // When review recorded the exclusion (stable across relay replays: the store's own time).
        excludedAt: stored.recordedAt.toISOString(),
      };
      return [{ type: 'review.time-excluded.v1', data }];
    }
    case 'ClockResumed': {
      const d = event.data;
      const data: DataOf<'review.time-exclusion-ended.v1'> = { caseId, exclusionId: d.suspensionId, until: d.to, endedAt: d.resumedAt };
      return [{ type: 'review.time-exclusion-ended.v1', data }];
    }
    case 'ApplicantNoticeDue': {
      const d = event.data;
      const data: DataOf<'review.applicant-notice-due.v1'> = { caseId, ...d };
      return [{ type: 'review.applicant-notice-due.v1', data }];
    }
    default:
      return [];
  }
}

function fromLicenceStream(stored: StoredEvent): IntegrationEvent[] {
  const event = licenceCodec.decode(stored);
  switch (event.type) {
    case 'LicenceIssued': {
      const d = event.data;
      const data: DataOf<'review.licence-issued.v1'> = {
        caseId: d.caseId,
        licenceId: d.licenceId,
        resultName: d.resultName,
        forms: d.forms,
        // The e-licence is verified by the licence id (GET /review/licences/:id/verify).
        electronicLicenceId: d.electronic ? d.licenceId : null,
        validFrom: d.validFrom,
        validUntil: d.validUntil,
        issuedAt: d.issuedAt,
        withinIssueLimit: d.withinIssueLimit,
      };
      return [{ type: 'review.licence-issued.v1', data }];
    }
    case 'RenewalApplied': {
      const d = event.data;
      const licenceId = caseIdOf(stored.stream);
      const data: DataOf<'review.renewal-applied.v1'> = {
        caseId: d.renewalId,
        licenceId,
        licenceExpiry: d.expiry,
        department: d.department,
        appliedAt: d.appliedAt,
      };
      return [{ type: 'review.renewal-applied.v1', data }];
    }
    case 'RenewalDecided': {
      const d = event.data;
      const common = { caseId: d.renewalId, licenceId: caseIdOf(stored.stream), decidedAt: d.decidedAt, decidedBy: d.decidedBy };
      const data: DataOf<'review.renewal-decided.v1'> =
        d.outcome === 'grant' ? { ...common, outcome: 'grant', renewedUntil: d.renewedUntil } : { ...common, outcome: 'refuse', reasons: d.reasons };
      return [{ type: 'review.renewal-decided.v1', data }];
    }
    case 'RenewalDeemedGranted': {
      const d = event.data;
      const data: DataOf<'review.renewal-deemed-granted.v1'> = {
        caseId: d.renewalId,
        licenceId: caseIdOf(stored.stream),
        renewalAppliedAt: d.renewalAppliedAt,
        previousExpiry: d.previousExpiry,
        renewedUntil: d.renewedUntil,
        deemedAt: d.deemedAt,
      };
      return [{ type: 'review.renewal-deemed-granted.v1', data }];
    }
    default:
      return [];
  }
}
