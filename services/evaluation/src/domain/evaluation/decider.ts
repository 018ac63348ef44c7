/** The decider of a case's evaluation ledger (stream `evaluation-<caseId>`). */
import type { Decider } from '@govsvc/eventstore/decider';
import type { EvaluationCommand } from './commands.ts';
import { decideAppealRating, decideDecideAppeal, decideRequestReview, decideReviewRating } from './decide-appeal-review.ts';
import { decideAssignDepartment, decideInviteRating, decideRegisterCase } from './decide-case-facts.ts';
import { decideGiveFeedback, decideRecordCallback, decideVerifyRectification } from './decide-rectification.ts';
import { decideSubmitRating } from './decide-submit-rating.ts';
import type { EvaluationEvent } from './events.ts';
import { evolveEvaluation, initialEvaluationState, type EvaluationState } from './state.ts';

function decide(command: EvaluationCommand, state: EvaluationState): EvaluationEvent[] {
  switch (command.type) {
    case 'RegisterCase':
      return decideRegisterCase(command, state);
    case 'AssignDepartment':
      return decideAssignDepartment(command, state);
    case 'InviteRating':
      return decideInviteRating(command, state);
    case 'SubmitRating':
      return decideSubmitRating(command, state);
    case 'VerifyRectification':
      return decideVerifyRectification(command, state);
    case 'RecordCallback':
      return decideRecordCallback(command, state);
    case 'GiveFeedback':
      return decideGiveFeedback(command, state);
    case 'AppealRating':
      return decideAppealRating(command, state);
    case 'DecideAppeal':
      return decideDecideAppeal(command, state);
    case 'RequestReview':
      return decideRequestReview(command, state);
    case 'ReviewRating':
      return decideReviewRating(command, state);
  }
}

export const evaluationDecider: Decider<EvaluationState, EvaluationCommand, EvaluationEvent> = {
  decide,
  evolve: evolveEvaluation,
  initialState: initialEvaluationState,
  // Facts that stay once held (decide-case-facts.ts): a case registered, a department assigned (the first
  // wins). A later contract repeating them decides nothing on any state after, so it needs no read.
  settles: (command, state) =>
    (command.type === 'RegisterCase' && state.facts !== null) || (command.type === 'AssignDepartment' && state.facts !== null && state.facts.department !== null),
};
