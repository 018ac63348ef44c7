import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import type { EvaluationCommandOf } from './commands.ts';
import { evaluationDecider } from './decider.ts';
import type { EvaluationEvent } from './events.ts';
import {
  applicantRef,
  badRated,
  badRatingOpened,
  calledBack,
  caseId,
  departmentAssigned,
  feedbackGiven,
  invitedOnline,
  rectificationOpened,
  registered,
  staff,
  submit,
  verified,
} from './fixtures.ts';

const spec = deciderSpec(evaluationDecider);
const rule = (id: string) => (e: RuleViolation) => e.rule === id;

const verify = (data: Partial<EvaluationCommandOf<'VerifyRectification'>['data']> = {}): EvaluationCommandOf<'VerifyRectification'> => ({
  type: 'VerifyRectification',
  data: { ratingId: 'R-1', finding: 'substantiated', note: '审批环节超时', by: staff, at: '2026-03-11T02:00:00.000Z', ...data },
});
const feedback = (data: Partial<EvaluationCommandOf<'GiveFeedback'>['data']> = {}): EvaluationCommandOf<'GiveFeedback'> => ({
  type: 'GiveFeedback',
  data: { ratingId: 'R-1', outcome: 'rectified', measures: '增加审批人员', feedback: '已增加窗口审批力量，办理时间缩短', by: staff, at: '2026-03-12T02:00:00.000Z', ...data },
});
const appeal = (data: Partial<EvaluationCommandOf<'AppealRating'>['data']> = {}): EvaluationCommandOf<'AppealRating'> => ({
  type: 'AppealRating',
  data: { ratingId: 'R-1', raterRef: applicantRef, reason: '问题没有解决', at: '2026-03-13T02:00:00.000Z', ...data },
});
const review = (data: Partial<EvaluationCommandOf<'ReviewRating'>['data']> = {}): EvaluationCommandOf<'ReviewRating'> => ({
  type: 'ReviewRating',
  data: { ratingId: 'R-1', outcome: 'malicious', reason: '同一号码批量差评，与办件无关', by: 'SUP-1', at: '2026-03-11T02:00:00.000Z', ...data },
});
const completed = [...badRatingOpened, verified, calledBack, feedbackGiven] as const;

describe('case facts and invitations', () => {
  it('R-EVAL-2: delivery of the result invites a rating for that occasion, once', () => {
    const invite: EvaluationCommandOf<'InviteRating'> = {
      type: 'InviteRating',
      data: { caseId, invitationId: 'INV-1', deliveryMethod: 'electronic', serviceCentre: null, deliveredAt: '2026-03-10T02:00:00.000Z', invitedAt: '2026-03-10T02:00:01.000Z' },
    };
    spec.given([registered]).when(invite).then([invitedOnline]);
    spec.given([registered, invitedOnline]).when({ ...invite, data: { ...invite.data, invitationId: 'INV-2' } }).thenNothingHappens();
  });

  it('R-EVAL-2: a window pickup is an on-site occasion (一次一评) at that centre', () => {
    spec
      .given([registered])
      .when({
        type: 'InviteRating',
        data: { caseId, invitationId: 'INV-9', deliveryMethod: 'window-pickup', serviceCentre: 'BJ-CENTRE-07', deliveredAt: '2026-03-10T02:00:00.000Z', invitedAt: '2026-03-10T02:00:00.000Z' },
      })
      .thenSatisfies(([event]) => {
        expect(event).toMatchObject({ type: 'RatingInvited', data: { occasion: { kind: 'on-site', occasionId: `pickup:${caseId}` }, serviceCentre: 'BJ-CENTRE-07' } });
      });
  });

  it('R-COLLAB-1: the lead department of a joint case is not replaced by the accepting department', () => {
    const lead = { ...registered, data: { ...registered.data, department: '北京市发展和改革委员会' } };
    spec.given([lead]).when({ type: 'AssignDepartment', data: { caseId, department: staff.department, source: 'acceptance', at: '2026-03-02T03:00:00.000Z' } }).thenNothingHappens();
    spec
      .given([registered])
      .when({ type: 'AssignDepartment', data: { caseId, department: staff.department, source: 'acceptance', at: '2026-03-02T03:00:00.000Z' } })
      .then([departmentAssigned]);
  });
});

describe('ratings (R-EVAL-2)', () => {
  it('R-EVAL-3: a bad rating is recorded with the case facts and opens a rectification due in 7 days', () => {
    spec.given([registered, departmentAssigned, invitedOnline]).when(submit()).then([badRated, rectificationOpened]);
  });

  it('R-EVAL-2: a good rating opens nothing', () => {
    spec
      .given([registered, departmentAssigned])
      .when(submit({ level: 'satisfied', indicators: { efficiency: 5 } }))
      .thenSatisfies((events) => {
        expect(events.map((e) => e.type)).toEqual(['RatingSubmitted']);
        expect(events[0]).toMatchObject({ data: { level: 'satisfied', invitationId: null, serviceCentre: 'BJ-CENTRE-01' } });
      });
  });

  it('R-EVAL-2: a second rating of the same online matter is refused (一事一评), whatever the channel', () => {
    const refusal = spec.given(badRatingOpened).when(submit({ ratingId: 'R-2', channel: 'mobile', level: 'satisfied' })).thenThrows(RuleViolation, rule('R-EVAL-2'));
    expect(refusal.details).toMatchObject({ ratingId: 'R-1' });
  });

  it('R-EVAL-2: a second rating of the same on-site occasion is refused (一次一评), another occasion is rated', () => {
    const onSite = { kind: 'on-site' as const, occasionId: 'TICKET-0815' };
    const first = submit({ occasion: onSite, channel: 'window-device', level: 'satisfied', indicators: {} });
    let history: EvaluationEvent[] = [registered];
    spec.given(history).when(first).thenSatisfies((events) => (history = [...history, ...events]));
    spec.given(history).when(submit({ ratingId: 'R-2', occasion: onSite, channel: 'window-device', level: 'satisfied' })).thenThrows(RuleViolation, rule('R-EVAL-2'));
    spec
      .given(history)
      .when(submit({ ratingId: 'R-3', occasion: { kind: 'on-site', occasionId: 'TICKET-0900' }, channel: 'qr-code', level: 'satisfied' }))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('R-EVAL-2: an online matter is the case itself; window devices rate on-site occasions only', () => {
    spec.given([registered]).when(submit({ occasion: { kind: 'online', occasionId: 'OTHER' } })).thenThrows(RuleViolation, rule('R-EVAL-2'));
    spec.given([registered]).when(submit({ channel: 'window-device' })).thenThrows(RuleViolation, rule('R-EVAL-2'));
  });

  it('R-EVAL-2: only the applicant rates the case; for anyone else it does not exist', () => {
    spec.given([registered]).when(submit({ raterRef: 'someone-else' })).thenThrows(NotFoundError);
    spec.given([]).when(submit()).thenThrows(NotFoundError);
  });

  it('R-EVAL-3: a bad rating must name what went wrong (an indicator scored 1 or 2)', () => {
    spec.given([registered]).when(submit({ indicators: { efficiency: 3, attitude: 4 } })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([registered]).when(submit({ indicators: {} })).thenThrows(RuleViolation, rule('R-EVAL-3'));
  });
});

describe('rectification (R-EVAL-3)', () => {
  it('R-EVAL-3: the department verifies once, with a note', () => {
    spec.given(badRatingOpened).when(verify()).then([verified]);
    spec.given([...badRatingOpened, verified]).when(verify({ finding: 'unreasonable' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given(badRatingOpened).when(verify({ note: '   ' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
  });

  it('R-EVAL-3: a good rating has nothing to rectify; an unknown rating is 404', () => {
    const good = { ...badRated, data: { ...badRated.data, level: 'satisfied' as const } };
    spec.given([registered, good]).when(verify()).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([registered]).when(verify()).thenThrows(NotFoundError);
  });

  it('R-EVAL-3: feedback follows verification, has content, and a named rater is called back first', () => {
    spec.given(badRatingOpened).when(feedback()).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([...badRatingOpened, verified]).when(feedback()).thenThrows(RuleViolation, (e) => e.rule === 'R-EVAL-3' && /callback/.test(e.message));
    spec.given([...badRatingOpened, verified, calledBack]).when(feedback({ feedback: ' ' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([...badRatingOpened, verified, calledBack]).when(feedback({ measures: '' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([...badRatingOpened, verified, calledBack]).when(feedback()).then([feedbackGiven]);
  });

  it('R-EVAL-3: a substantiated complaint is rectified, an unreasonable one explained', () => {
    spec.given([...badRatingOpened, verified, calledBack]).when(feedback({ outcome: 'explained' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    const unreasonable = { ...verified, data: { ...verified.data, finding: 'unreasonable' as const, note: '申请材料不全，依法不能受理' } };
    spec
      .given([...badRatingOpened, unreasonable, calledBack])
      .when(feedback({ outcome: 'explained', measures: '依据《行政许可法》第三十二条说明', feedback: '已向您说明不予受理的法律依据' }))
      .thenSatisfies(([e]) => expect(e).toMatchObject({ type: 'RectificationFeedbackGiven', data: { outcome: 'explained', withinLimit: true } }));
  });

  it('R-EVAL-3: feedback after the 7th day is taken and recorded as late; the 7th day itself is in time', () => {
    spec
      .given([...badRatingOpened, verified, calledBack])
      .when(feedback({ at: '2026-03-17T15:59:59.000Z' }))
      .thenSatisfies(([e]) => expect(e).toMatchObject({ data: { withinLimit: true } }));
    spec
      .given([...badRatingOpened, verified, calledBack])
      .when(feedback({ at: '2026-03-17T16:00:00.000Z' }))
      .thenSatisfies(([e]) => expect(e).toMatchObject({ data: { withinLimit: false } }));
  });

  it('R-EVAL-3: feedback is given once; an anonymous rater cannot be called back', () => {
    spec.given(completed).when(feedback()).thenThrows(RuleViolation, rule('R-EVAL-3'));
    const anonymous = { ...badRated, data: { ...badRated.data, named: false } };
    spec
      .given([registered, departmentAssigned, anonymous, rectificationOpened])
      .when({ type: 'RecordCallback', data: { ratingId: 'R-1', reached: true, summary: '回访', by: staff, at: '2026-03-11T02:00:00.000Z' } })
      .thenThrows(RuleViolation, rule('R-EVAL-3'));
  });
});

describe('appeal and review', () => {
  it('R-EVAL-3: the rater appeals the feedback once; a second appeal is refused', () => {
    spec.given(completed).when(appeal()).thenSatisfies(([e]) => expect(e).toMatchObject({ type: 'RatingAppealed', data: { ratingId: 'R-1', reason: '问题没有解决' } }));
    const appealed: EvaluationEvent = { type: 'RatingAppealed', data: { caseId, ratingId: 'R-1', reason: '问题没有解决', appealedAt: '2026-03-13T02:00:00.000Z' } };
    spec.given([...completed, appealed]).when(appeal({ at: '2026-03-14T02:00:00.000Z' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    // Dismissed or not, once is once.
    const dismissed: EvaluationEvent = {
      type: 'AppealDecided',
      data: { caseId, ratingId: 'R-1', outcome: 'dismissed', reason: '整改到位', decidedBy: 'SUP-1', decidedAt: '2026-03-14T02:00:00.000Z', department: staff.department, reopenedDueDate: null, reopenedDueAt: null },
    };
    spec.given([...completed, appealed, dismissed]).when(appeal({ at: '2026-03-15T02:00:00.000Z' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
  });

  it('R-EVAL-3: no appeal before the feedback, and none by anyone but the rater', () => {
    spec.given(badRatingOpened).when(appeal()).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given(completed).when(appeal({ raterRef: 'someone-else' })).thenThrows(NotFoundError);
  });

  it('R-EVAL-3: an appeal upheld reopens the rectification with 7 new days; new feedback is then due', () => {
    const appealed: EvaluationEvent = { type: 'RatingAppealed', data: { caseId, ratingId: 'R-1', reason: '问题没有解决', appealedAt: '2026-03-13T02:00:00.000Z' } };
    let history: EvaluationEvent[] = [...completed, appealed];
    spec
      .given(history)
      .when({ type: 'DecideAppeal', data: { ratingId: 'R-1', outcome: 'reopened', reason: '整改不到位', by: 'SUP-1', at: '2026-03-14T02:00:00.000Z' } })
      .thenSatisfies((events, state) => {
        expect(events[0]).toMatchObject({ type: 'AppealDecided', data: { reopenedDueDate: '2026-03-21' } });
        expect(state.ratings['R-1']?.rectification?.status).toBe('reopened');
        history = [...history, ...events];
      });
    spec
      .given(history)
      .when(feedback({ at: '2026-03-20T02:00:00.000Z' }))
      .thenSatisfies(([e]) => expect(e).toMatchObject({ type: 'RectificationFeedbackGiven', data: { withinLimit: true } }));
  });

  it('R-EVAL-3: a rating found malicious on review is excluded with its reason and its open rectification closed', () => {
    spec
      .given(badRatingOpened)
      .when(review())
      .then([
        {
          type: 'RatingReviewed',
          data: {
            caseId,
            ratingId: 'R-1',
            outcome: 'malicious',
            reason: '同一号码批量差评，与办件无关',
            reviewedBy: 'SUP-1',
            reviewedAt: '2026-03-11T02:00:00.000Z',
            closesRectification: true,
            withinLimit: true,
          },
        },
      ]);
  });

  it('R-EVAL-3: a rating is reviewed once, with a reason; an excluded rating takes no more handling', () => {
    const reviewed: EvaluationEvent = {
      type: 'RatingReviewed',
      data: { caseId, ratingId: 'R-1', outcome: 'mistaken', reason: '误评', reviewedBy: 'SUP-1', reviewedAt: '2026-03-11T02:00:00.000Z', closesRectification: true, withinLimit: true },
    };
    spec.given([...badRatingOpened, reviewed]).when(review({ outcome: 'stands' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given([...badRatingOpened, reviewed]).when(verify()).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given(badRatingOpened).when(review({ reason: '' })).thenThrows(RuleViolation, rule('R-EVAL-3'));
  });

  it('R-EVAL-3: the department asks once for a review of a rating it holds malicious; not after the review', () => {
    const request: EvaluationCommandOf<'RequestReview'> = { type: 'RequestReview', data: { ratingId: 'R-1', reason: '评价人与办件无关', by: staff, at: '2026-03-11T01:00:00.000Z' } };
    const requested: EvaluationEvent = { type: 'RatingReviewRequested', data: { caseId, ratingId: 'R-1', reason: '评价人与办件无关', requestedBy: staff, requestedAt: '2026-03-11T01:00:00.000Z' } };
    spec.given(badRatingOpened).when(request).then([requested]);
    spec.given([...badRatingOpened, requested]).when(request).thenThrows(RuleViolation, rule('R-EVAL-3'));
    spec.given(badRatingOpened).when({ ...request, data: { ...request.data, reason: ' ' } }).thenThrows(RuleViolation, rule('R-EVAL-3'));
    const reviewed: EvaluationEvent = {
      type: 'RatingReviewed',
      data: { caseId, ratingId: 'R-1', outcome: 'stands', reason: '评价属实', reviewedBy: 'SUP-1', reviewedAt: '2026-03-11T02:00:00.000Z', closesRectification: false, withinLimit: null },
    };
    spec.given([...badRatingOpened, requested, reviewed]).when(request).thenThrows(RuleViolation, rule('R-EVAL-3'));
  });

  it('R-EVAL-3: a rating that stands keeps its rectification open', () => {
    spec
      .given(badRatingOpened)
      .when(review({ outcome: 'stands', reason: '评价属实' }))
      .thenSatisfies(([e], state) => {
        expect(e).toMatchObject({ data: { closesRectification: false, withinLimit: null } });
        expect(state.ratings['R-1']?.rectification?.status).toBe('open');
      });
  });
});

describe('facts arriving late', () => {
  it('R-EVAL-3: a bad rating given before the department was known is handed to it when acceptance arrives', () => {
    const noDepartment = { ...badRated, data: { ...badRated.data, department: null } };
    const openedNowhere = { ...rectificationOpened, data: { ...rectificationOpened.data, department: null } };
    spec
      .given([registered, noDepartment, openedNowhere, departmentAssigned])
      .when({ type: 'VerifyRectification', data: { ratingId: 'R-1', finding: 'substantiated', note: '属实', by: staff, at: '2026-03-11T02:00:00.000Z' } })
      .thenSatisfies((_, state) => expect(state.ratings['R-1']?.rectification).toMatchObject({ department: staff.department, status: 'verified' }));
  });
});
