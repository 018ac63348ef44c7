/** The review case decider: one stream `review-<caseId>` per accepted case. */
import type { Decider } from '@govsvc/eventstore/decider';
import { decideNoteDeficiencyLapse, decideRecordContact, decideRequestLicenceForms } from './applicant-and-contacts.ts';
import { decideGiveOpinion, decideRequestOpinion } from './collaboration.ts';
import { decideNoteSubmission, decideOpenReview } from './open-review.ts';
import type { ReviewCommand } from './review-commands.ts';
import type { ReviewEvent } from './review-events.ts';
import { evolveReview, initialReviewState, type ReviewState } from './review-state.ts';
import { decideSignDecision } from './sign-decision.ts';
import { decideExcludeSupplementTime, decideExtendTimeLimit, decideResumeClock, decideSuspendClock } from './time-limit.ts';

export const reviewStream = (caseId: string): string => `review-${caseId}`;

export const reviewDecider: Decider<ReviewState, ReviewCommand, ReviewEvent> = {
  initialState: initialReviewState,
  evolve: evolveReview,
  decide(command, state) {
    switch (command.type) {
      case 'NoteSubmission':
        return decideNoteSubmission(command, state);
      case 'OpenReview':
        return decideOpenReview(command, state);
      case 'RequestOpinion':
        return decideRequestOpinion(command, state);
      case 'GiveOpinion':
        return decideGiveOpinion(command, state);
      case 'SignDecision':
        return decideSignDecision(command, state);
      case 'ExtendTimeLimit':
        return decideExtendTimeLimit(command, state);
      case 'SuspendClock':
        return decideSuspendClock(command, state);
      case 'ResumeClock':
        return decideResumeClock(command, state);
      case 'ExcludeSupplementTime':
        return decideExcludeSupplementTime(command, state);
      case 'NoteDeficiencyLapse':
        return decideNoteDeficiencyLapse(command, state);
      case 'RequestLicenceForms':
        return decideRequestLicenceForms(command, state);
      case 'RecordContact':
        return decideRecordContact(command, state);
    }
  },
};
