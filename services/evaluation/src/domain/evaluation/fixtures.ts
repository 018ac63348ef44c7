/** Events and commands the specs share: one case, applied for at a Beijing centre, delivered, rated. */
import type { EvaluationCommandOf } from './commands.ts';
import type { EvaluationEventOf } from './events.ts';

export const caseId = 'BJ-2026-000123';
export const applicantRef = '5b0e7f6e-2d1c-4c55-9a7e-2f7c1f0b1a11';
export const staff = { staffId: 'S-0042', department: '北京市市场监督管理局' };

export const registered: EvaluationEventOf<'CaseRegistered'> = {
  type: 'CaseRegistered',
  data: { caseId, itemCode: '110000-FOOD-LIC-01', applicantRef, serviceCentre: 'BJ-CENTRE-01', department: null, submittedAt: '2026-03-02T01:00:00.000Z' },
};

export const departmentAssigned: EvaluationEventOf<'ResponsibleDepartmentAssigned'> = {
  type: 'ResponsibleDepartmentAssigned',
  data: { caseId, department: staff.department, source: 'acceptance', assignedAt: '2026-03-02T03:00:00.000Z' },
};

export const invitedOnline: EvaluationEventOf<'RatingInvited'> = {
  type: 'RatingInvited',
  data: {
    caseId,
    invitationId: 'INV-1',
    occasion: { kind: 'online', occasionId: caseId },
    deliveryMethod: 'electronic',
    serviceCentre: null,
    deliveredAt: '2026-03-10T02:00:00.000Z',
    invitedAt: '2026-03-10T02:00:01.000Z',
  },
};

export const submit = (data: Partial<EvaluationCommandOf<'SubmitRating'>['data']> = {}): EvaluationCommandOf<'SubmitRating'> => ({
  type: 'SubmitRating',
  data: {
    caseId,
    ratingId: 'R-1',
    occasion: { kind: 'online', occasionId: caseId },
    channel: 'website',
    level: 'very-dissatisfied',
    indicators: { efficiency: 1, attitude: 4 },
    comment: '等了很久',
    named: true,
    raterRef: applicantRef,
    // 2026-03-10 10:00 in Beijing: the 7 days end on 2026-03-17.
    submittedAt: '2026-03-10T02:00:00.000Z',
    ...data,
  },
});

export const badRated: EvaluationEventOf<'RatingSubmitted'> = {
  type: 'RatingSubmitted',
  data: {
    caseId,
    ratingId: 'R-1',
    occasion: { kind: 'online', occasionId: caseId },
    channel: 'website',
    level: 'very-dissatisfied',
    indicators: { efficiency: 1, attitude: 4 },
    comment: '等了很久',
    named: true,
    raterRef: applicantRef,
    department: staff.department,
    itemCode: '110000-FOOD-LIC-01',
    // Delivered online, applied for at the centre: the centre answers for it in statistics.
    serviceCentre: 'BJ-CENTRE-01',
    invitationId: 'INV-1',
    submittedAt: '2026-03-10T02:00:00.000Z',
  },
};

export const rectificationOpened: EvaluationEventOf<'RectificationOpened'> = {
  type: 'RectificationOpened',
  data: {
    caseId,
    ratingId: 'R-1',
    department: staff.department,
    openedAt: '2026-03-10T02:00:00.000Z',
    dueDate: '2026-03-17',
    dueAt: '2026-03-17T23:59:59.999+08:00',
  },
};

export const verified: EvaluationEventOf<'RectificationVerified'> = {
  type: 'RectificationVerified',
  data: { caseId, ratingId: 'R-1', finding: 'substantiated', note: '审批环节超时', verifiedBy: staff, verifiedAt: '2026-03-11T02:00:00.000Z' },
};

export const calledBack: EvaluationEventOf<'RaterCalledBack'> = {
  type: 'RaterCalledBack',
  data: { caseId, ratingId: 'R-1', calledBy: staff, calledAt: '2026-03-11T03:00:00.000Z', reached: true, summary: '已电话回访，说明原因' },
};

export const feedbackGiven: EvaluationEventOf<'RectificationFeedbackGiven'> = {
  type: 'RectificationFeedbackGiven',
  data: {
    caseId,
    ratingId: 'R-1',
    outcome: 'rectified',
    measures: '增加审批人员',
    feedback: '已增加窗口审批力量，办理时间缩短',
    givenBy: staff,
    givenAt: '2026-03-12T02:00:00.000Z',
    withinLimit: true,
  },
};

export const badRatingOpened = [registered, departmentAssigned, invitedOnline, badRated, rectificationOpened] as const;
