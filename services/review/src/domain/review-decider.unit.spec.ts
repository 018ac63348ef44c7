import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import {
  chief,
  chiefSigned,
  collaborationOpened,
  collectiveItem,
  fireOfficer,
  foodLicenceItem,
  handler,
  handlerSignedApproval,
  healthOfficer,
  opened,
  opinionGiven,
  opinionRequested,
  seal,
} from './fixtures.ts';
import type { ReviewCommand, SignDecision } from './review-commands.ts';
import { reviewDecider } from './review-decider.ts';
import type { ReviewEvent, ReviewEventOf } from './review-events.ts';
import { concludingDecision } from './sign-decision.ts';

const spec = deciderSpec(reviewDecider);
const rule = (id: string) => (e: RuleViolation) => e.rule === id;
const issueRule = (id: string) => (e: ValidationError) => e.issues.some((i) => i.rule === id);

const sign = (data: Partial<SignDecision['data']> & Pick<SignDecision['data'], 'role' | 'signer'>): SignDecision => ({
  type: 'SignDecision',
  data: { signedAt: '2026-03-10T02:00:00.000Z', decisionId: 'DEC-42', seal, ...data },
});
const handlerSigns = (draft: SignDecision['data']['draft'] = { outcome: 'approve' }) =>
  sign({ role: 'handler', signer: handler, signedAt: '2026-03-09T02:00:00.000Z', ...(draft ? { draft } : {}) });
const chiefSigns = (at = '2026-03-10T02:00:00.000Z') => sign({ role: 'chief-representative', signer: chief, signedAt: at });

const decisionOf = (events: ReviewEvent[]) => events.find((e): e is ReviewEventOf<'DecisionMade'> => e.type === 'DecisionMade')?.data;

describe('opening a review (from intake.case-accepted)', () => {
  it('opens the case with the lead and assisting departments; R-NOTIFY-1: the applicant is told it is under review and by when', () => {
    const event = collaborationOpened();
    spec
      .given([])
      .when({ type: 'OpenReview', data: (event as ReviewEventOf<'ReviewOpened'>).data })
      .thenSatisfies((events) => {
        expect(events[0]).toEqual(event);
        expect(events[1]).toEqual({
          type: 'ApplicantNoticeDue',
          data: {
            itemCode: foodLicenceItem.itemCode,
            itemName: '食品经营许可',
            applicant: { kind: 'person', maskedId: '110105********002X', ref: '7d1c7a5e-2f4b-4c55-9f0e-6e1f1d2a3b4c' },
            stage: 'under-review',
            outcome: '您申请的食品经营许可已受理并进入审查，承诺办结期限为2026-03-16。',
            nextStep: 'await-decision',
            due: { date: '2026-03-16', provisional: false },
            document: { documentId: 'RCPT-42', kind: 'acceptance-receipt' },
            occurredAt: '2026-03-02T02:00:00.000Z',
          },
        });
      });
  });

  it('a redelivered acceptance is harmless: nothing happens the second time', () => {
    const event = opened();
    spec.given([event]).when({ type: 'OpenReview', data: (event as ReviewEventOf<'ReviewOpened'>).data }).thenNothingHappens();
  });

  it('R-REV-3: refuses an item that could issue no licence at all', () => {
    const { data } = opened({ item: { ...foodLicenceItem, licence: { ...foodLicenceItem.licence, electronicAvailable: false, paperAbolished: true } } }) as ReviewEventOf<'ReviewOpened'>;
    spec.given([]).when({ type: 'OpenReview', data }).thenThrows(ValidationError, issueRule('R-REV-3'));
  });

  it('a submission noted from intake is not yet a case under review (404), and noting it twice is harmless', () => {
    const noted: ReviewEvent = {
      type: 'SubmissionNoted',
      data: {
        caseId: 'BJ-2026-000042',
        itemCode: foodLicenceItem.itemCode,
        guideVersion: '3',
        applicant: { kind: 'person', maskedId: '110105********002X', ref: '7d1c7a5e-2f4b-4c55-9f0e-6e1f1d2a3b4c' },
        collaboration: { leadDepartment: 'market-regulation', assistingDepartments: ['health'] },
        materials: [],
        submittedAt: '2026-03-01T02:00:00.000Z',
      },
    };
    spec.given([noted]).when(handlerSigns()).thenThrows(NotFoundError);
    spec.given([noted]).when({ type: 'NoteSubmission', data: (noted as ReviewEventOf<'SubmissionNoted'>).data }).thenNothingHappens();
    spec.given([]).when({ type: 'NoteSubmission', data: (noted as ReviewEventOf<'SubmissionNoted'>).data }).then([noted]);
  });

  it('R-COLLAB-1: a submission naming its lead as an assisting department is refused', () => {
    const data = {
      caseId: 'BJ-2026-000043',
      itemCode: foodLicenceItem.itemCode,
      guideVersion: '3',
      applicant: { kind: 'person' as const, maskedId: '110105********002X', ref: 'r' },
      collaboration: { leadDepartment: 'health', assistingDepartments: ['health'] },
      materials: [],
      submittedAt: '2026-03-01T02:00:00.000Z',
    };
    spec.given([]).when({ type: 'NoteSubmission', data }).thenThrows(ValidationError, issueRule('R-COLLAB-1'));
  });

  it('commands on a case review never opened are 404', () => {
    spec.given([]).when(handlerSigns()).thenThrows(NotFoundError);
  });
});

describe('R-REV-5: at most two signatures, handler then chief representative', () => {
  it('R-REV-5: the handler signs a draft, the chief representative’s signature concludes the case', () => {
    spec
      .given([opened(), handlerSignedApproval()])
      .when(chiefSigns())
      .thenSatisfies((events, after) => {
        expect(events.map((e) => e.type)).toEqual(['DecisionSigned', 'DecisionMade', 'ApplicantNoticeDue']);
        const decision = decisionOf(events)!;
        expect(decision.outcome).toBe('approve');
        expect(events[2]).toMatchObject({ data: { stage: 'approved', nextStep: 'receive-licence', document: { documentId: 'DEC-42', kind: 'approval-decision' } } });
        expect(decision.signatures.map((s) => s.role)).toEqual(['handler', 'chief-representative']);
        expect(decision.collectiveMinutesId).toBeNull();
        expect(decision.seal).toEqual(seal);
        expect(after.status).toBe('decided');
      });
  });

  it('R-REV-5: the first signature alone decides nothing', () => {
    spec.given([opened()]).when(handlerSigns()).then([handlerSignedApproval()]);
  });

  it('R-REV-5: refuses a chief representative signing before the handler', () => {
    spec.given([opened()]).when(sign({ role: 'chief-representative', signer: chief, draft: { outcome: 'approve' } })).thenThrows(RuleViolation, rule('R-REV-5'));
  });

  it('R-REV-5: refuses the same person signing twice', () => {
    spec.given([opened(), handlerSignedApproval()]).when(sign({ role: 'chief-representative', signer: handler })).thenThrows(RuleViolation, rule('R-REV-5'));
  });

  it('R-REV-5: refuses a third signature on an ordinary item', () => {
    const history = [opened(), handlerSignedApproval(), chiefSigned()];
    const decided = reviewDecider.decide(chiefSigns(), history.slice(0, 2).reduce(reviewDecider.evolve, reviewDecider.initialState()));
    spec.given([...history.slice(0, 2), ...decided]).when(sign({ role: 'chief-representative', signer: { staffId: 'staff-c2', department: 'market-regulation' } })).thenThrows(RuleViolation, rule('R-REV-5'));
  });

  it('R-REV-5: refuses the chief representative changing the handler’s draft', () => {
    spec
      .given([opened(), handlerSignedApproval()])
      .when(sign({ role: 'chief-representative', signer: chief, draft: { outcome: 'refuse', reasons: [{ text: '不符合条件' }], contact: { department: 'market-regulation', phone: '12345', address: null } } }))
      .thenThrows(RuleViolation, rule('R-REV-5'));
  });

  it('R-REV-5: a collective-decision item records the collective decision instead of a third signature', () => {
    const history = [opened({ item: collectiveItem }), handlerSignedApproval(), chiefSigned()];
    spec
      .given(history)
      .when(sign({ role: 'chief-representative', signer: chief, collectiveMinutesId: 'MIN-2026-07', signedAt: '2026-03-12T02:00:00.000Z' }))
      .thenSatisfies((events) => {
        expect(events.map((e) => e.type)).toEqual(['CollectiveDecisionRecorded', 'DecisionMade', 'ApplicantNoticeDue']);
        const decision = decisionOf(events)!;
        expect(decision.signatures).toHaveLength(2);
        expect(decision.collectiveMinutesId).toBe('MIN-2026-07');
      });
  });

  it('R-REV-5: on a collective-decision item the chief’s signature does not conclude', () => {
    spec.given([opened({ item: collectiveItem }), handlerSignedApproval()]).when(chiefSigns()).then([chiefSigned()]);
  });

  it('R-REV-5: the collective decision is recorded by its minutes (400 without them)', () => {
    spec
      .given([opened({ item: collectiveItem }), handlerSignedApproval(), chiefSigned()])
      .when(sign({ role: 'chief-representative', signer: chief }))
      .thenThrows(ValidationError, issueRule('R-REV-5'));
  });

  it('concludingDecision tells the app what to seal, and only for the concluding step', () => {
    const state = [opened(), handlerSignedApproval()].reduce(reviewDecider.evolve, reviewDecider.initialState());
    const document = concludingDecision(chiefSigns(), state);
    expect(document?.decision.outcome).toBe('approve');
    expect(document?.caseId).toBe('BJ-2026-000042');
    expect(concludingDecision(handlerSigns(), [opened()].reduce(reviewDecider.evolve, reviewDecider.initialState()))).toBeNull();
  });

  it('a concluding step without the seal is refused', () => {
    spec.given([opened(), handlerSignedApproval()]).when(sign({ role: 'chief-representative', signer: chief, seal: undefined })).thenThrows(ValidationError, issueRule('R-REV-2'));
  });
});

describe('R-REV-1 / R-REV-2: the decision', () => {
  it('R-REV-1: a decision after the promised limit is recorded as late', () => {
    spec
      .given([opened(), handlerSignedApproval()])
      .when(chiefSigns('2026-03-16T17:00:00.000Z')) // 01:00 on the 17th in Shanghai
      .thenSatisfies((events) => expect(decisionOf(events)!.withinPromisedLimit).toBe(false));
  });

  it('R-REV-1: a decision on the due day (Shanghai) is on time', () => {
    spec
      .given([opened(), handlerSignedApproval()])
      .when(chiefSigns('2026-03-16T15:59:00.000Z'))
      .thenSatisfies((events) => expect(decisionOf(events)!.withinPromisedLimit).toBe(true));
  });

  it('R-REV-2: refuses a refusal without reasons; nothing is decided', () => {
    spec
      .given([opened()])
      .when(handlerSigns({ outcome: 'refuse', reasons: [], contact: { department: 'market-regulation', phone: '12345', address: null } }))
      .thenThrows(ValidationError, issueRule('R-REV-2'));
  });

  it('R-REV-2: refuses a refusal whose only reason is blank', () => {
    spec
      .given([opened()])
      .when(handlerSigns({ outcome: 'refuse', reasons: [{ text: '   ' }], contact: { department: 'market-regulation', phone: '12345', address: null } }))
      .thenThrows(ValidationError, issueRule('R-REV-2'));
  });

  it('R-REV-2: a refusal carries its reasons, the contact and the seal', () => {
    const draft = { outcome: 'refuse' as const, reasons: [{ text: '经营场所不符合食品安全要求', legalBasis: '《食品经营许可管理办法》第十一条' }], contact: { department: 'market-regulation', phone: '010-12345', address: '北京市朝阳区某路1号' } };
    const handlerSigned: ReviewEvent = { type: 'DecisionSigned', data: { role: 'handler', signer: handler, signedAt: '2026-03-09T02:00:00.000Z', draft } };
    spec
      .given([opened(), handlerSigned])
      .when(chiefSigns())
      .thenSatisfies((events) => {
        const decision = decisionOf(events)!;
        expect(decision).toMatchObject({ outcome: 'refuse', reasons: draft.reasons, contact: draft.contact, seal, licenceForms: [] });
        // R-NOTIFY-1: the applicant is told the refusal, its reasons, whom to call and the way to seek review.
        const told = events.find((e) => e.type === 'ApplicantNoticeDue') as ReviewEventOf<'ApplicantNoticeDue'>;
        expect(told.data).toMatchObject({ stage: 'refused', nextStep: 'may-seek-review' });
        expect(told.data.outcome).toContain('经营场所不符合食品安全要求');
        expect(told.data.outcome).toContain('010-12345');
      });
  });
});

describe('R-COLLAB-1 / R-COLLAB-2: collaboration', () => {
  const asked = [collaborationOpened(), opinionRequested('REQ-1', 'health'), opinionRequested('REQ-2', 'fire-rescue')];

  it('R-COLLAB-2: an opinion request shares the case’s one data set by default', () => {
    spec
      .given([collaborationOpened()])
      .when({ type: 'RequestOpinion', data: { requestId: 'REQ-1', department: 'health', question: '请就卫生条件出具意见', due: { date: '2026-03-10', provisional: false }, requestedAt: '2026-03-03T01:00:00.000Z', requestedBy: handler } })
      .then([opinionRequested('REQ-1', 'health')]);
  });

  it('R-COLLAB-1: the lead decides only when all assisting departments answered', () => {
    spec.given([...asked, opinionGiven('REQ-1', healthOfficer)]).when(handlerSigns()).thenThrows(RuleViolation, (e) => e.rule === 'R-COLLAB-1' && e.message.includes('fire-rescue'));
  });

  it('R-COLLAB-1: a department never asked also blocks the decision', () => {
    spec.given([collaborationOpened(), opinionRequested('REQ-1', 'health'), opinionGiven('REQ-1', healthOfficer)]).when(handlerSigns()).thenThrows(RuleViolation, rule('R-COLLAB-1'));
  });

  it('R-COLLAB-1: with every opinion in, the lead signs', () => {
    spec.given([...asked, opinionGiven('REQ-1', healthOfficer), opinionGiven('REQ-2', fireOfficer)]).when(handlerSigns()).then([handlerSignedApproval()]);
  });

  it('R-COLLAB-1: only the asked department answers its request', () => {
    spec
      .given(asked)
      .when({ type: 'GiveOpinion', data: { requestId: 'REQ-1', department: 'fire-rescue', opinion: 'concur', reasons: [], givenAt: '2026-03-05T03:00:00.000Z', signedBy: fireOfficer, channel: 'http' } })
      .thenThrows(RuleViolation, rule('R-COLLAB-1'));
  });

  it('R-COLLAB-1: an objection states its reasons', () => {
    spec
      .given(asked)
      .when({ type: 'GiveOpinion', data: { requestId: 'REQ-1', department: 'health', opinion: 'object', reasons: [], givenAt: '2026-03-05T03:00:00.000Z', signedBy: healthOfficer, channel: 'kafka' } })
      .thenThrows(ValidationError, issueRule('R-COLLAB-1'));
  });

  it('R-COLLAB-1: the same answer delivered twice is recorded once; a different second answer is refused', () => {
    const given = opinionGiven('REQ-1', healthOfficer) as ReviewEventOf<'OpinionGiven'>;
    spec.given([...asked, given]).when({ type: 'GiveOpinion', data: given.data }).thenNothingHappens();
    spec.given([...asked, given]).when({ type: 'GiveOpinion', data: { ...given.data, opinion: 'object', reasons: [{ text: '消防通道不足' }] } }).thenThrows(RuleViolation, rule('R-COLLAB-1'));
  });

  it('R-COLLAB-1: an unknown request is 404', () => {
    spec.given(asked).when({ type: 'GiveOpinion', data: { ...(opinionGiven('REQ-9', healthOfficer) as ReviewEventOf<'OpinionGiven'>).data } }).thenThrows(NotFoundError);
  });

  it('R-COLLAB-1: opinions are asked only of assisting departments, by the lead, within the lead’s limit', () => {
    const base = { requestId: 'REQ-3', question: '意见', due: { date: '2026-03-10', provisional: false }, requestedAt: '2026-03-03T01:00:00.000Z' };
    spec.given([collaborationOpened()]).when({ type: 'RequestOpinion', data: { ...base, department: 'tax', requestedBy: handler } }).thenThrows(RuleViolation, rule('R-COLLAB-1'));
    spec.given([collaborationOpened()]).when({ type: 'RequestOpinion', data: { ...base, department: 'health', requestedBy: fireOfficer } }).thenThrows(RuleViolation, rule('R-COLLAB-1'));
    spec
      .given([collaborationOpened()])
      .when({ type: 'RequestOpinion', data: { ...base, department: 'health', requestedBy: handler, due: { date: '2026-03-20', provisional: false } } })
      .thenThrows(RuleViolation, rule('R-COLLAB-1'));
  });

  it('R-COLLAB-1: an assisting department cannot sign the decision', () => {
    spec
      .given([...asked, opinionGiven('REQ-1', healthOfficer), opinionGiven('REQ-2', fireOfficer)])
      .when(sign({ role: 'handler', signer: healthOfficer, draft: { outcome: 'approve' } }))
      .thenThrows(RuleViolation, rule('R-COLLAB-1'));
  });
});

describe('Licensing Law Art. 42 / 45: the time limit', () => {
  const extend = (overrides: Partial<Extract<ReviewCommand, { type: 'ExtendTimeLimit' }>['data']> = {}): ReviewCommand => ({
    type: 'ExtendTimeLimit',
    data: {
      authority: 'agency-head',
      extensionWorkingDays: 10,
      reason: { text: '需现场核查多个经营场所' },
      approvedBy: { staffId: 'head-1', department: 'market-regulation' },
      applicantToldAt: '2026-03-12T02:00:00.000Z',
      newDue: { date: '2026-03-30', provisional: false },
      newStatutoryDue: { date: '2026-04-14', provisional: false },
      extendedAt: '2026-03-12T02:00:00.000Z',
      ...overrides,
    },
  });

  it('R-REV-1: an extension with the head’s approval and a reason moves the deadline', () => {
    spec
      .given([opened()])
      .when(extend())
      .thenSatisfies((events, after) => {
        expect(events.map((e) => e.type)).toEqual(['TimeLimitExtended', 'ApplicantNoticeDue']);
        expect(events[1]).toMatchObject({ data: { stage: 'time-limit-extended', due: { date: '2026-03-30' } } });
        expect(events[0]).toMatchObject({ type: 'TimeLimitExtended', data: { previousDue: { date: '2026-03-16' }, newDue: { date: '2026-03-30' }, reason: { text: '需现场核查多个经营场所' } } });
        expect(after.status === 'open' && after.decisionDue.date).toBe('2026-03-30');
      });
  });

  it('R-REV-1: an extension without a reason is refused', () => {
    spec.given([opened()]).when(extend({ reason: null })).thenThrows(ValidationError, issueRule('R-REV-1'));
  });

  it('R-REV-1: the limit is extended once', () => {
    const first = reviewDecider.decide(extend(), reviewDecider.evolve(reviewDecider.initialState(), opened()));
    spec.given([opened(), ...first]).when(extend({ newDue: { date: '2026-04-10', provisional: false } })).thenThrows(RuleViolation, rule('R-REV-1'));
  });

  it('R-REV-1: the agency head extends by at most 10 working days', () => {
    spec.given([opened()]).when(extend({ extensionWorkingDays: 11 })).thenThrows(RuleViolation, rule('R-REV-1'));
  });

  it('R-REV-1: joint handling may be extended by 15 with the government head’s approval, single-department handling may not', () => {
    spec.given([opened()]).when(extend({ authority: 'government-head', extensionWorkingDays: 15 })).thenThrows(RuleViolation, rule('R-REV-1'));
    spec.given([collaborationOpened()]).when(extend({ authority: 'government-head', extensionWorkingDays: 15 })).thenSatisfies((events) => expect(events[0]?.type).toBe('TimeLimitExtended'));
  });

  it('R-REV-1: an extension comes before the limit ends', () => {
    spec.given([opened()]).when(extend({ extendedAt: '2026-03-17T02:00:00.000Z' })).thenThrows(RuleViolation, rule('R-REV-1'));
  });

  const suspend: ReviewCommand = {
    type: 'SuspendClock',
    data: { suspensionId: 'SUS-1', reason: 'expert-review', from: '2026-03-05', note: '专家评审会', noticeId: 'NOTICE-7', expectedWorkingDays: 5, applicantToldAt: '2026-03-04T08:00:00.000Z', suspendedBy: handler },
  };

  it('R-REV-1: excluded time (Art. 45) is a typed suspension; resuming moves the deadline', () => {
    const suspended = reviewDecider.decide(suspend, reviewDecider.evolve(reviewDecider.initialState(), opened()));
    expect(suspended[0]).toMatchObject({ type: 'ClockSuspended', data: { reason: 'expert-review', noticeId: 'NOTICE-7' } });
    // Art. 45: the applicant is told in writing, by the notice the event names.
    expect(suspended[1]).toMatchObject({ type: 'ApplicantNoticeDue', data: { stage: 'time-excluded', nextStep: 'await-excluded-step', document: { documentId: 'NOTICE-7' } } });
    expect((suspended[1] as ReviewEventOf<'ApplicantNoticeDue'>).data.outcome).toContain('专家评审');
    spec
      .given([opened(), ...suspended])
      .when({ type: 'ResumeClock', data: { to: '2026-03-11', newDue: { date: '2026-03-23', provisional: false }, newStatutoryDue: { date: '2026-04-06', provisional: false }, resumedAt: '2026-03-11T09:00:00.000Z', resumedBy: handler } })
      .thenSatisfies((events, after) => {
        expect(events[0]).toMatchObject({ type: 'ClockResumed', data: { suspensionId: 'SUS-1', previousDue: { date: '2026-03-16' }, newDue: { date: '2026-03-23' } } });
        expect(after.status === 'open' && after.decisionDue.date).toBe('2026-03-23');
      });
  });

  it('R-REV-1: the applicant is told in writing before the clock stops', () => {
    spec.given([opened()]).when({ ...suspend, data: { ...suspend.data, applicantToldAt: null } } as ReviewCommand).thenThrows(ValidationError, issueRule('R-REV-1'));
  });

  it('R-REV-1: one suspension at a time; resuming a running clock is refused', () => {
    const suspended = reviewDecider.decide(suspend, reviewDecider.evolve(reviewDecider.initialState(), opened()));
    spec.given([opened(), ...suspended]).when({ ...suspend, data: { ...suspend.data, suspensionId: 'SUS-2' } } as ReviewCommand).thenThrows(RuleViolation, rule('R-REV-1'));
    spec
      .given([opened()])
      .when({ type: 'ResumeClock', data: { to: '2026-03-11', newDue: { date: '2026-03-16', provisional: false }, newStatutoryDue: { date: '2026-03-30', provisional: false }, resumedAt: '2026-03-11T09:00:00.000Z', resumedBy: handler } })
      .thenThrows(RuleViolation, rule('R-REV-1'));
  });
});

describe('R-REV-3: licence forms as the applicant chose', () => {
  const ask = (forms: ('electronic' | 'paper')[]): ReviewCommand => ({ type: 'RequestLicenceForms', data: { forms, requestedAt: '2026-03-03T00:00:00.000Z' } });
  const formsRequested = (forms: ('electronic' | 'paper')[]): ReviewEvent => ({ type: 'LicenceFormsRequested', data: { forms, requestedAt: '2026-03-03T00:00:00.000Z' } });

  it('R-REV-3: the applicant may ask for both; the approval carries both', () => {
    spec
      .given([opened(), formsRequested(['electronic', 'paper']), handlerSignedApproval()])
      .when(chiefSigns())
      .thenSatisfies((events) => expect(decisionOf(events)!.licenceForms).toEqual(['electronic', 'paper']));
  });

  it('R-REV-3: without a request the electronic licence is issued where available', () => {
    spec.given([opened(), handlerSignedApproval()]).when(chiefSigns()).thenSatisfies((events) => expect(decisionOf(events)!.licenceForms).toEqual(['electronic']));
  });

  it('R-REV-3: paper cannot be asked for where it is abolished', () => {
    spec.given([opened({ item: { ...foodLicenceItem, licence: { ...foodLicenceItem.licence, paperAbolished: true } } })]).when(ask(['electronic', 'paper'])).thenThrows(RuleViolation, rule('R-REV-3'));
  });

  it('R-REV-3: an e-licence cannot be asked for where none exists yet; paper is issued', () => {
    const noElectronic = opened({ item: { ...foodLicenceItem, licence: { ...foodLicenceItem.licence, electronicAvailable: false } } });
    spec.given([noElectronic]).when(ask(['electronic'])).thenThrows(RuleViolation, rule('R-REV-3'));
    spec.given([noElectronic, handlerSignedApproval()]).when(chiefSigns()).thenSatisfies((events) => expect(decisionOf(events)!.licenceForms).toEqual(['paper']));
  });

  it('R-REV-3: the forms are fixed once the case is decided', () => {
    const decided = reviewDecider.decide(chiefSigns(), [opened(), handlerSignedApproval()].reduce(reviewDecider.evolve, reviewDecider.initialState()));
    spec.given([opened(), handlerSignedApproval(), ...decided]).when(ask(['paper'])).thenThrows(RuleViolation, rule('R-REV-3'));
  });
});

describe('R-ETHICS-1: staff–applicant contacts only at the allowed touchpoints', () => {
  const contact = (touchpoint: string): ReviewCommand => ({
    type: 'RecordContact',
    data: { contactId: 'CT-1', touchpoint, staff: handler, occurredAt: '2026-03-06T02:00:00.000Z', summary: '现场勘查经营场所', recordedAt: '2026-03-06T05:00:00.000Z' },
  });

  it('R-ETHICS-1: a site inspection is recorded', () => {
    spec.given([opened()]).when(contact('site-inspection')).thenSatisfies((events) => expect(events).toMatchObject([{ type: 'ContactRecorded', data: { touchpoint: 'site-inspection', staff: handler } }]));
  });

  it('R-ETHICS-1: a contact outside the touchpoints (a private meeting) is refused', () => {
    spec.given([opened()]).when(contact('private-meeting')).thenThrows(RuleViolation, rule('R-ETHICS-1'));
  });
});

describe('R-ACC-2: tolerated deficiencies that lapsed lead to a refusal', () => {
  const lapsed: ReviewEvent = {
    type: 'ToleratedDeficiencyLapsed',
    data: { noticeId: 'TD-1', materials: [{ materialId: 'm-floor-plan', name: '经营场所平面图' }], cause: 'not-supplemented', deadline: '2026-03-09', lapsedAt: '2026-03-10T00:00:00.000Z' },
  };

  it('R-ACC-2: an approval is refused after the lapse; a refusal with reasons goes through', () => {
    spec.given([opened(), lapsed]).when(handlerSigns()).thenThrows(RuleViolation, rule('R-ACC-2'));
    spec
      .given([opened(), lapsed])
      .when(handlerSigns({ outcome: 'refuse', reasons: [{ text: '容缺材料经营场所平面图未在期限内补正' }], contact: { department: 'market-regulation', phone: '12345', address: null } }))
      .thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'DecisionSigned', data: { draft: { outcome: 'refuse' } } }));
  });

  it('R-ACC-2: an approval the handler drafted before the lapse no longer stands', () => {
    spec.given([opened(), handlerSignedApproval(), lapsed]).when(chiefSigns()).thenThrows(RuleViolation, rule('R-REV-5'));
    const state = [opened(), handlerSignedApproval(), lapsed].reduce(reviewDecider.evolve, reviewDecider.initialState());
    expect(state.status === 'open' && state.signatures).toEqual([]);
  });

  it('R-ACC-2: the lapse is noted once; on a decided case it changes nothing', () => {
    const { data } = lapsed as ReviewEventOf<'ToleratedDeficiencyLapsed'>;
    spec.given([opened(), lapsed]).when({ type: 'NoteDeficiencyLapse', data }).thenNothingHappens();
    const decided = reviewDecider.decide(chiefSigns(), [opened(), handlerSignedApproval()].reduce(reviewDecider.evolve, reviewDecider.initialState()));
    spec.given([opened(), handlerSignedApproval(), ...decided]).when({ type: 'NoteDeficiencyLapse', data }).thenNothingHappens();
  });
});

describe('R-ACC-2: supplement time intake excluded', () => {
  const exclude = (noticeId: string, from: string, to: string, newDue = '2026-03-19'): ReviewCommand => ({
    type: 'ExcludeSupplementTime',
    data: { noticeId, from, to, newDue: { date: newDue, provisional: false }, newStatutoryDue: { date: '2026-04-02', provisional: false } },
  });

  it('R-ACC-2: supplement days after acceptance move the decision deadline, once per notice', () => {
    spec
      .given([opened()])
      .when(exclude('SN-1', '2026-03-03', '2026-03-05'))
      .thenSatisfies((events, after) => {
        expect(events).toEqual([
          {
            type: 'SupplementTimeExcluded',
            data: { noticeId: 'SN-1', from: '2026-03-03', to: '2026-03-05', previousDue: { date: '2026-03-16', provisional: false }, newDue: { date: '2026-03-19', provisional: false }, newStatutoryDue: { date: '2026-04-02', provisional: false } },
          },
        ]);
        expect(after.status === 'open' && after.decisionDue.date).toBe('2026-03-19');
      });
    const applied = reviewDecider.decide(exclude('SN-1', '2026-03-03', '2026-03-05'), reviewDecider.evolve(reviewDecider.initialState(), opened()));
    spec.given([opened(), ...applied]).when(exclude('SN-1', '2026-03-03', '2026-03-05', '2026-03-24')).thenNothingHappens();
  });

  it('R-ACC-2: supplement time before acceptance, or before the review opened, changes nothing', () => {
    spec.given([opened()]).when(exclude('SN-0', '2026-02-25', '2026-03-02', '2026-03-16')).thenNothingHappens();
    spec.given([]).when(exclude('SN-0', '2026-03-03', '2026-03-05')).thenNothingHappens();
  });
});

