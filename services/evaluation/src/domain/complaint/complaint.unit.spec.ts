import { describe, it, expect } from 'vitest';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { complaintDecider, type ComplaintCommand, type ComplaintEvent } from './complaint.ts';

const spec = deciderSpec(complaintDecider);
const department = '北京市市场监督管理局';
const receive = (data: Partial<Extract<ComplaintCommand, { type: 'ReceiveComplaint' }>['data']> = {}): ComplaintCommand => ({
  type: 'ReceiveComplaint',
  data: {
    complaintId: 'CP-1',
    channel: '12345-hotline',
    caseId: 'BJ-2026-000123',
    serviceCentre: null,
    department,
    summary: '窗口让我跑了三次',
    complainantRef: null,
    receivedAt: '2026-03-10T02:00:00.000Z',
    limitWorkingDays: 5,
    dueDate: '2026-03-17',
    provisional: false,
    ...data,
  },
});
const received = { type: 'ComplaintReceived', data: (receive() as Extract<ComplaintCommand, { type: 'ReceiveComplaint' }>).data } as ComplaintEvent;
const answer = (data: Partial<Extract<ComplaintCommand, { type: 'AnswerComplaint' }>['data']> = {}): ComplaintCommand => ({
  type: 'AnswerComplaint',
  data: { complaintId: 'CP-1', answer: '已核实并致歉', handling: '对窗口人员进行培训', by: { staffId: 'S-1', department }, at: '2026-03-12T02:00:00.000Z', ...data },
});

describe('complaints (R-EVAL-1)', () => {
  it('R-EVAL-1: a 12345 complaint is received with its handling limit, linked to its case; a redelivery records nothing', () => {
    spec.given([]).when(receive()).then([received]);
    spec.given([received]).when(receive()).thenNothingHappens();
  });

  it('R-EVAL-1: a complaint without content, or at a window without the centre, is refused', () => {
    spec.given([]).when(receive({ summary: '  ' })).thenThrows(RuleViolation, (e) => e.rule === 'R-EVAL-1');
    spec.given([]).when(receive({ channel: 'window', serviceCentre: null })).thenThrows(RuleViolation, (e) => e.rule === 'R-EVAL-1');
  });

  it('R-EVAL-1: the department answers once, with the answer and how it was handled, on time or recorded late', () => {
    spec.given([received]).when(answer()).thenSatisfies(([e]) => expect(e).toMatchObject({ type: 'ComplaintAnswered', data: { caseId: 'BJ-2026-000123', withinLimit: true } }));
    spec.given([received]).when(answer({ at: '2026-03-17T16:00:00.000Z' })).thenSatisfies(([e]) => expect(e).toMatchObject({ data: { withinLimit: false } }));
    spec.given([received]).when(answer({ handling: '' })).thenThrows(RuleViolation, (e) => e.rule === 'R-EVAL-1');
    const answered = { type: 'ComplaintAnswered', data: { complaintId: 'CP-1', caseId: null, answer: 'a', handling: 'h', answeredBy: { staffId: 'S-1', department }, answeredAt: '2026-03-12T02:00:00.000Z', withinLimit: true } } as ComplaintEvent;
    spec.given([received, answered]).when(answer()).thenThrows(RuleViolation, (e) => e.rule === 'R-EVAL-1');
  });

  it('R-EVAL-1: another department cannot see the complaint; an unknown one is 404', () => {
    spec.given([received]).when(answer({ by: { staffId: 'S-9', department: '北京市公安局' } })).thenThrows(NotFoundError);
    spec.given([]).when(answer()).thenThrows(NotFoundError);
  });
});
