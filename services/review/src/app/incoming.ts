/**
 * What review does with the contracts it consumes. Each handler is idempotent:
 * the message id seeds the event ids of its effect, and the deciders treat a
 * repeated fact as no news, so a redelivered message changes nothing.
 */
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import { ValidationError } from '@govsvc/errors/errors';
import type { CommandContext, ReviewService } from './review-service.ts';

/** Topics review reads (one per producer, `topics.ts`). */
export const CONSUMED_TYPES = [
  'catalog.guide-published.v2',
  'intake.application-submitted.v1',
  'intake.case-accepted.v2',
  'supervision.deem-renewal-granted-command.v1',
  'department.opinion-submitted.v1',
  'intake.tolerated-deficiency-lapsed.v1',
  'intake.clock-suspended.v1',
] as const;

export interface IncomingResult {
  readonly handled: boolean;
  readonly appended: number;
}

function contextOf(event: DecodedIntegrationEvent): CommandContext {
  return {
    actor: { id: event.source, role: 'integration' },
    correlationId: event.correlationId,
    causationId: event.id,
    idempotencyKey: `${event.source}/${event.id}`,
  };
}

/** Deliveries of one message (1 on the first): the case-accepted handler waits for its guide on early attempts only. */
export interface IncomingOptions {
  readonly attempt?: number;
}

/** Attempts during which an acceptance whose guide has not arrived yet is retried rather than opened with the item code as its name. */
export const GUIDE_WAIT_ATTEMPTS = 3;

export async function handleIncoming(service: ReviewService, event: DecodedIntegrationEvent, options: IncomingOptions = {}): Promise<IncomingResult> {
  const ctx = contextOf(event);
  // Type and data travel apart in the envelope; joined, they narrow together.
  const e = { type: event.type, data: event.data } as CurrentIntegrationEvent;
  switch (e.type) {
    case 'catalog.guide-published.v2': {
      const g = e.data;
      // A v1 record reaches here upcast: collective decision not required, licence and collaboration null (not stated).
      const licence = g.licence && {
        electronicAvailable: g.licence.electronicAvailable,
        paperAbolished: g.licence.paperAbolished,
        validityMonths: g.licence.validityMonths,
        renewalLeadDays: g.licence.renewalLead.days,
        renewalLeadUnit: g.licence.renewalLead.unit,
      };
      const collaboration = g.collaboration && { leadDepartment: g.collaboration.leadDepartment, assistingDepartments: g.collaboration.assistingDepartments.map((a) => a.department) };
      const r = await service.noteGuide(
        {
          itemCode: g.itemCode,
          guideVersion: g.guideVersion,
          itemName: g.itemName,
          resultName: g.resultName,
          implementingBody: g.implementingBody,
          promisedLimitWorkingDays: g.promisedLimitWorkingDays,
          statutoryLimitWorkingDays: g.statutoryLimitWorkingDays,
          publishedAt: g.publishedAt,
          facts: { collectiveDecision: g.collectiveDecision, licence, collaboration },
        },
        ctx,
      );
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'intake.application-submitted.v1': {
      const a = e.data;
      const r = await service.noteSubmission(
        {
          caseId: a.caseId,
          itemCode: a.itemCode,
          guideVersion: a.guideVersion,
          applicant: a.applicant,
          collaboration: a.collaboration,
          materials: a.materials.map((m) => ({ materialId: m.materialId, name: m.name })),
          submittedAt: a.submittedAt,
        },
        ctx,
      );
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'intake.case-accepted.v2': {
      const a = e.data;
      const r = await service.openReview(
        {
          caseId: a.caseId,
          itemCode: a.itemCode,
          guideVersion: a.guideVersion,
          receiptId: a.receipt.documentId,
          acceptedOn: a.effectiveFrom,
          decisionDue: a.decisionDue,
          statutoryDue: a.statutoryDue,
          acceptedByDepartment: a.basis === 'decision' ? a.acceptedBy.department : null,
        },
        ctx,
        { waitForGuide: (options.attempt ?? GUIDE_WAIT_ATTEMPTS) < GUIDE_WAIT_ATTEMPTS },
      );
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'supervision.deem-renewal-granted-command.v1': {
      const c = e.data;
      const licence = await service.getLicence(c.licenceId);
      // The command names the renewal case; one that is not the pending renewal is stale: nothing to do.
      const pending = licence.state.renewals.find((r) => r.outcome === 'pending');
      if (!pending || pending.renewalId !== c.caseId) return { handled: true, appended: 0 };
      const r = await service.deemRenewalGranted(c.licenceId, { ...ctx, idempotencyKey: c.commandId });
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'intake.clock-suspended.v1': {
      const c = e.data;
      const r = await service.excludeSupplementTime(c.caseId, { noticeId: c.notice.documentId, from: c.suspension.from, to: c.suspension.to }, ctx);
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'intake.tolerated-deficiency-lapsed.v1': {
      const l = e.data;
      const r = await service.noteDeficiencyLapse(l.caseId, { noticeId: l.notice, materials: l.materials, cause: l.cause, deadline: l.deadline, lapsedAt: l.lapsedAt }, ctx);
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    case 'department.opinion-submitted.v1': {
      const o = e.data;
      // The department answering is the one the signer acts for; the decider checks it was the one asked (R-COLLAB-1).
      if (o.department !== o.signedBy.department) {
        throw new ValidationError('the signer acts for another department', [{ path: '/signedBy/department', reason: `must be ${o.department}`, rule: 'R-COLLAB-1' }]);
      }
      const r = await service.giveOpinion(
        o.caseId,
        {
          requestId: o.requestId,
          opinion: o.opinion,
          reasons: o.opinion === 'concur' ? [] : o.reasons,
          signedBy: o.signedBy,
          givenAt: o.submittedAt,
          channel: 'kafka',
        },
        { ...ctx, actor: { id: event.source, role: 'integration', department: o.department } },
      );
      return { handled: true, appended: r.repeated ? 0 : r.events.length };
    }
    default:
      return { handled: false, appended: 0 };
  }
}
