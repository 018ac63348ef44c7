/**
 * A good/bad rating (R-EVAL-2): the applicant rates their own case, once per
 * on-site occasion (一次一评) and once per online matter (一事一评). A bad rating
 * (不满意, 非常不满意) names what went wrong and opens its 7-day rectification at
 * once, in the same append (R-EVAL-3).
 */
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { INDICATORS, isBadLevel, occasionKey, rectificationDue, type Indicator } from '../values.ts';
import type { EvaluationCommandOf } from './commands.ts';
import type { EvaluationEvent } from './events.ts';
import type { EvaluationState } from './state.ts';

/** Devices that stand in a service centre rate what happened there. */
const ON_SITE_ONLY = new Set(['window-device', 'kiosk']);

export function decideSubmitRating({ data }: EvaluationCommandOf<'SubmitRating'>, state: EvaluationState): EvaluationEvent[] {
  const facts = state.facts;
  // Someone else's case does not exist for this rater (no probing of case ids).
  if (!facts || facts.applicantRef !== data.raterRef) throw new NotFoundError(`no case ${data.caseId} to rate`);

  if (data.occasion.kind === 'online' && data.occasion.occasionId !== data.caseId) {
    throw new RuleViolation('R-EVAL-2', 'an online matter is rated once as a whole (一事一评): its occasion is the case itself', {
      occasionId: data.occasion.occasionId,
    });
  }
  if (data.occasion.kind === 'online' && ON_SITE_ONLY.has(data.channel)) {
    throw new RuleViolation('R-EVAL-2', `a ${data.channel} stands in a service centre and rates on-site occasions only`, { channel: data.channel });
  }
  const key = occasionKey(data.occasion);
  const earlier = state.rated[key];
  if (earlier !== undefined) {
    throw new RuleViolation(
      'R-EVAL-2',
      data.occasion.kind === 'online' ? 'this online matter was already rated (一事一评)' : 'this service occasion was already rated (一次一评)',
      { ratingId: earlier, occasion: data.occasion },
    );
  }
  if (state.ratings[data.ratingId]) throw new RuleViolation('R-EVAL-2', `rating id ${data.ratingId} is taken`, { ratingId: data.ratingId });

  const bad = isBadLevel(data.level);
  if (bad) {
    const lowScored = (Object.entries(data.indicators) as [Indicator, number][]).filter(([, score]) => score <= 2);
    if (lowScored.length === 0) {
      throw new RuleViolation('R-EVAL-3', `a bad rating names what went wrong: score at least one of ${Object.values(INDICATORS).join('、')} 1 or 2`, {
        indicators: Object.keys(INDICATORS),
      });
    }
  }

  const invitation = state.invitations[key] ?? null;
  const submitted: EvaluationEvent = {
    type: 'RatingSubmitted',
    data: {
      caseId: data.caseId,
      ratingId: data.ratingId,
      occasion: data.occasion,
      channel: data.channel,
      level: data.level,
      indicators: data.indicators,
      comment: data.comment !== null && data.comment.trim().length > 0 ? data.comment : null,
      named: data.named,
      raterRef: data.raterRef,
      department: facts.department,
      itemCode: facts.itemCode,
      serviceCentre: invitation?.serviceCentre ?? facts.serviceCentre,
      invitationId: invitation?.invitationId ?? null,
      submittedAt: data.submittedAt,
    },
  };
  if (!bad) return [submitted];
  const due = rectificationDue(data.submittedAt);
  return [
    submitted,
    {
      type: 'RectificationOpened',
      data: { caseId: data.caseId, ratingId: data.ratingId, department: facts.department, openedAt: data.submittedAt, dueDate: due.date, dueAt: due.at },
    },
  ];
}
