/**
 * What evaluation learns about a case from intake and delivery: who applied,
 * which item, where, which department answers for it, and the rating
 * invitation that follows delivery (R-EVAL-2). Redelivered facts decide
 * nothing: these commands come from Kafka, at least once.
 */
import type { Occasion } from '../values.ts';
import { occasionKey } from '../values.ts';
import type { EvaluationCommandOf } from './commands.ts';
import type { EvaluationEvent } from './events.ts';
import type { EvaluationState } from './state.ts';

export function decideRegisterCase({ data }: EvaluationCommandOf<'RegisterCase'>, state: EvaluationState): EvaluationEvent[] {
  if (state.facts) return [];
  return [
    {
      type: 'CaseRegistered',
      data: {
        caseId: data.caseId,
        itemCode: data.itemCode,
        applicantRef: data.applicantRef,
        serviceCentre: data.serviceCentre,
        department: data.leadDepartment,
        submittedAt: data.submittedAt,
      },
    },
  ];
}

/** The lead department of a joint case wins over the accepting department (R-COLLAB-1: the lead owns the flow). */
export function decideAssignDepartment({ data }: EvaluationCommandOf<'AssignDepartment'>, state: EvaluationState): EvaluationEvent[] {
  if (!state.facts || state.facts.department !== null) return [];
  return [{ type: 'ResponsibleDepartmentAssigned', data: { caseId: data.caseId, department: data.department, source: data.source, assignedAt: data.at } }];
}

/**
 * Picking up the result at a window or kiosk is an on-site occasion (一次一评);
 * electronic and postal delivery close an online matter, the case itself (一事一评).
 */
export function occasionOfDelivery(caseId: string, method: EvaluationCommandOf<'InviteRating'>['data']['deliveryMethod']): Occasion {
  return method === 'window-pickup' || method === 'kiosk-pickup'
    ? { kind: 'on-site', occasionId: `pickup:${caseId}` }
    : { kind: 'online', occasionId: caseId };
}

export function decideInviteRating({ data }: EvaluationCommandOf<'InviteRating'>, state: EvaluationState): EvaluationEvent[] {
  const occasion = occasionOfDelivery(data.caseId, data.deliveryMethod);
  if (state.invitations[occasionKey(occasion)]) return [];
  return [
    {
      type: 'RatingInvited',
      data: {
        caseId: data.caseId,
        invitationId: data.invitationId,
        occasion,
        deliveryMethod: data.deliveryMethod,
        serviceCentre: data.serviceCentre,
        deliveredAt: data.deliveredAt,
        invitedAt: data.invitedAt,
      },
    },
  ];
}
