/**
 * What evaluation does with the contracts it consumes:
 * - intake.application-submitted: who applied for which item where (the
 *   rater's identity, the item and centre for statistics);
 * - intake.case-accepted: the department that answers for the case;
 * - review.decision-made: the deciding department, for a deemed acceptance that named none;
 * - delivery.result-delivered: the rating invitation (R-EVAL-2).
 * Each handler is idempotent: the message id seeds the event ids of its
 * effect, and the deciders treat a repeated fact as no news.
 */
import type { DecodedIntegrationEvent } from '@govsvc/contracts/envelope';
import type { CurrentIntegrationEvent } from '@govsvc/contracts/registry';
import type { CommandContext, EvaluationService } from './evaluation-service.ts';

export const CONSUMED_TYPES = ['intake.application-submitted.v1', 'intake.case-accepted.v2', 'review.decision-made.v1', 'delivery.result-delivered.v1'] as const;

function contextOf(event: DecodedIntegrationEvent): CommandContext {
  return {
    actor: { id: event.source, role: 'integration' },
    correlationId: event.correlationId,
    causationId: event.id,
    idempotencyKey: `${event.source}/${event.id}`,
  };
}

/** Returns how many events the message appended (0 for a repeat or a fact already known). */
export async function handleIncoming(service: EvaluationService, event: DecodedIntegrationEvent): Promise<number> {
  const ctx = contextOf(event);
  // Type and data travel apart in the envelope; joined, they narrow together.
  const e = { type: event.type, data: event.data } as CurrentIntegrationEvent;
  switch (e.type) {
    case 'intake.application-submitted.v1': {
      const a = e.data;
      const r = await service.registerCase(
        {
          caseId: a.caseId,
          itemCode: a.itemCode,
          applicantRef: a.applicant.ref,
          serviceCentre: a.serviceCentre,
          leadDepartment: a.collaboration?.leadDepartment ?? null,
          submittedAt: a.submittedAt,
        },
        ctx,
      );
      return r.repeated ? 0 : r.events.length;
    }
    case 'intake.case-accepted.v2': {
      const a = e.data;
      // A deemed acceptance has no accepting clerk, hence no department from it.
      if (a.basis !== 'decision') return 0;
      const r = await service.assignDepartment({ caseId: a.caseId, department: a.acceptedBy.department, source: 'acceptance', at: a.acceptedAt }, ctx);
      return r.repeated ? 0 : r.events.length;
    }
    case 'review.decision-made.v1': {
      const d = e.data;
      // The decider keeps an earlier department (lead or acceptor): this only fills a gap.
      const department = d.signatures[0]?.signer.department;
      if (department === undefined) return 0;
      const r = await service.assignDepartment({ caseId: d.caseId, department, source: 'decision', at: d.decidedAt }, ctx);
      return r.repeated ? 0 : r.events.length;
    }
    case 'delivery.result-delivered.v1': {
      const d = e.data;
      const r = await service.inviteRating(
        { caseId: d.caseId, deliveryMethod: d.method, serviceCentre: d.method === 'window-pickup' ? d.serviceCentre : null, deliveredAt: d.deliveredAt },
        ctx,
      );
      return r.repeated ? 0 : r.events.length;
    }
    default:
      return 0;
  }
}
