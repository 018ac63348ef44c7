import { describe, it, expect } from 'vitest';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { consultationDecider, phoneCallDecider, type ConsultationCommand, type ConsultationEvent } from './consultation.ts';

const spec = deciderSpec(consultationDecider);
const responder = { staffId: 'S-7', department: '北京市市场监督管理局' };
type Record = Extract<ConsultationCommand, { type: 'RecordConsultation' }>['data'];
const record = (data: Partial<Record> = {}): ConsultationCommand => ({
  type: 'RecordConsultation',
  data: {
    consultationId: 'CS-1',
    channel: 'letter',
    serviceCentre: null,
    department: responder.department,
    firstResponder: responder,
    questions: ['食品经营许可需要哪些材料？', '能否网上办理？'],
    caseId: null,
    receivedAt: '2026-03-10T02:00:00.000Z',
    promisedBy: '2026-03-20',
    ...data,
  },
});
const letter = { type: 'ConsultationRecorded', data: (record() as Extract<ConsultationCommand, { type: 'RecordConsultation' }>).data } as ConsultationEvent;
const answer = (answers: string[], at = '2026-03-18T02:00:00.000Z', by = responder): ConsultationCommand => ({ type: 'AnswerConsultation', data: { consultationId: 'CS-1', answers, by, at } });

describe('consultations (R-CONS-1)', () => {
  it('R-CONS-1: a letter is recorded with its first responder and the promised day; without that day it is refused', () => {
    spec.given([]).when(record()).then([letter]);
    spec.given([]).when(record({ promisedBy: null })).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
    spec.given([]).when(record({ promisedBy: '2026-03-01' })).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
  });

  it('R-CONS-1: window and phone consultations name the centre', () => {
    spec.given([]).when(record({ channel: 'phone', promisedBy: null })).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
    spec.given([]).when(record({ channel: 'phone', promisedBy: null, serviceCentre: 'BJ-CENTRE-01' })).thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('R-CONS-1: a letter is answered completely (every question), once, within the promise', () => {
    spec.given([letter]).when(answer(['身份证、营业执照…'])).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
    spec.given([letter]).when(answer(['身份证、营业执照…', ' '])).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
    let answered: ConsultationEvent[] = [];
    spec.given([letter]).when(answer(['身份证、营业执照…', '可以，通过一网通办'])).thenSatisfies((events) => {
      expect(events[0]).toMatchObject({ type: 'ConsultationAnswered', data: { withinPromise: true } });
      answered = events;
    });
    spec.given([letter, ...answered]).when(answer(['补充', '补充'])).thenThrows(RuleViolation, (e) => e.rule === 'R-CONS-1');
    spec.given([letter]).when(answer(['a', 'b'], '2026-03-20T16:00:00.000Z')).thenSatisfies(([e]) => expect(e).toMatchObject({ data: { withinPromise: false } }));
  });

  it('R-CONS-1: first-question responsibility: another department does not take the question over', () => {
    spec.given([letter]).when(answer(['a', 'b'], undefined, { staffId: 'S-9', department: '北京市公安局' })).thenThrows(NotFoundError);
  });

  it('R-CONS-1: one phone call counts once, however often the telephony system reports it', () => {
    const call = { callId: 'CALL-1', serviceCentre: 'BJ-CENTRE-01', receivedAt: '2026-03-10T02:00:00.000Z', answeredOnFirstAttempt: true };
    deciderSpec(phoneCallDecider).given([]).when({ type: 'LogPhoneCall', data: call }).then([{ type: 'PhoneCallLogged', data: call }]);
    deciderSpec(phoneCallDecider).given([{ type: 'PhoneCallLogged', data: call }]).when({ type: 'LogPhoneCall', data: call }).thenNothingHappens();
  });
});
