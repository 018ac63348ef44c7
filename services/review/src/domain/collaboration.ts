/**
 * Collaboration (R-COLLAB-1, R-COLLAB-2; measures Art. 20): the lead
 * department asks each assisting department for its opinion, in parallel and
 * each with its own time limit inside the lead's; every department works on
 * the one shared data set of the case.
 */
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { isDeepStrictEqual } from 'node:util';
import { requireCase, requireReasons, requireUndecided } from './guards.ts';
import type { GiveOpinion, RequestOpinion } from './review-commands.ts';
import type { ReviewEvent } from './review-events.ts';
import type { ReviewState } from './review-state.ts';

export function decideRequestOpinion(command: RequestOpinion, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  const earlier = c.opinionRequests.find((r) => r.requestId === d.requestId);
  if (earlier) {
    if (earlier.department === d.department) return [];
    throw new RuleViolation('R-COLLAB-1', `request ${d.requestId} was already sent to ${earlier.department}`);
  }
  requireUndecided(c, 'R-COLLAB-1');
  if (d.requestedBy.department !== c.leadDepartment) {
    throw new RuleViolation('R-COLLAB-1', `only the lead department ${c.leadDepartment} asks for opinions`);
  }
  if (!c.assistingDepartments.includes(d.department)) {
    throw new RuleViolation('R-COLLAB-1', `${d.department} is not an assisting department of case ${c.caseId}`);
  }
  if (c.opinionRequests.some((r) => r.department === d.department && r.answer === null)) {
    throw new RuleViolation('R-COLLAB-1', `${d.department} has an unanswered request already`);
  }
  // The lead controls the time limit: no step may be given longer than the case itself.
  if (d.due.date > c.decisionDue.date) {
    throw new RuleViolation('R-COLLAB-1', `an opinion due ${d.due.date} would run past the decision due ${c.decisionDue.date}`);
  }
  return [
    {
      type: 'OpinionRequested',
      data: {
        requestId: d.requestId,
        leadDepartment: c.leadDepartment,
        department: d.department,
        question: d.question,
        materials: [...(d.materials ?? c.materials)],
        due: d.due,
        requestedAt: d.requestedAt,
        requestedBy: d.requestedBy,
      },
    },
  ];
}

export function decideGiveOpinion(command: GiveOpinion, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  const request = c.opinionRequests.find((r) => r.requestId === d.requestId);
  if (!request) throw new NotFoundError(`no opinion request ${d.requestId} on case ${c.caseId}`);
  if (request.department !== d.department || d.signedBy.department !== d.department) {
    throw new RuleViolation('R-COLLAB-1', `request ${d.requestId} is answered by ${request.department} only`);
  }
  if (request.answer) {
    // The same answer delivered twice (Kafka redelivery, HTTP retry) is no news.
    const same =
      request.answer.opinion === d.opinion && isDeepStrictEqual(request.answer.reasons, d.reasons) && request.answer.signedBy.staffId === d.signedBy.staffId;
    if (same) return [];
    throw new RuleViolation('R-COLLAB-1', `${d.department} already answered request ${d.requestId}`);
  }
  requireUndecided(c, 'R-COLLAB-1');
  if (d.opinion !== 'concur') requireReasons(d.reasons, '/reasons', 'R-COLLAB-1');
  return [{ type: 'OpinionGiven', data: d }];
}
