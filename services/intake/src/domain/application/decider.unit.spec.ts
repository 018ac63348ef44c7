import { describe, expect, it } from 'vitest';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { fold } from '@govsvc/eventstore/decider';
import { deciderSpec } from '@govsvc/testkit/decider';
import { approvalSeal, chaoyang, clerk, deadline, departmentSeal, enterprise, entrustedSeal, entrustedStation, foodGuide } from '../../../test/fixtures.ts';
import type { ReceivedMaterial, SealedDocument } from '../document.ts';
import type { ApplicationCommand, IssuingCommand, SubmitApplication } from './commands.ts';
import { applicationDecider } from './decider.ts';
import { draftDocument } from './decide-outcomes.ts';
import type { ApplicationEvent, ApplicationEventOf } from './events.ts';

const spec = deciderSpec(applicationDecider);
const CASE = '0b6f9a43-5c1e-4d2b-8f7a-1c2d3e4f5a6b';

const paper = (materialId: string): ReceivedMaterial => ({ materialId, form: 'paper', source: 'applicant', reference: `sha256:${materialId}` });
const electronic = (materialId: string): ReceivedMaterial => ({ materialId, form: 'electronic', source: 'applicant', reference: `sha256:${materialId}` });
const shared: ReceivedMaterial = { materialId: 'business-licence', form: 'electronic', source: 'data-sharing', reference: 'samr:91110108551385082Q@3' };
const complete = [paper('application-form'), shared, paper('premises-proof'), paper('layout-plan'), electronic('safety-rules')];

const submit = (overrides: Partial<SubmitApplication> = {}): SubmitApplication => ({
  type: 'SubmitApplication',
  caseId: CASE,
  caseNumber: '京1101052026112600001',
  guide: foodGuide,
  applicant: enterprise,
  channel: 'online',
  centre: chaoyang,
  materials: complete,
  sharedAvailable: ['business-licence'],
  delivery: {
    notificationChannels: ['sms'],
    resultDelivery: { method: 'window-pickup', serviceCentre: 'bj-chaoyang' },
    sealedContact: { alg: 'A256GCM', keyId: 'contact-2026', iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'c2VhbGVk', tag: 'AAAAAAAAAAAAAAAAAAAAAA==' },
  },
  collaboration: null,
  receivedBy: null,
  submittedAt: '2026-11-26T10:00:00+08:00',
  receivedOn: '2026-11-26',
  acceptanceDue: deadline('2026-11-27'),
  noticeDue: deadline('2026-12-03'),
  ...overrides,
});

/** The events a submission produces (decided, so the fixtures cannot drift from the decider). */
const submitted = (overrides: Partial<SubmitApplication> = {}): ApplicationEvent[] => applicationDecider.decide(submit(overrides), applicationDecider.initialState());

/** Seals the command's document the way the app does, with a stand-in signature (the decider does not verify crypto). */
function sealed<C extends IssuingCommand>(history: readonly ApplicationEvent[], command: C): C & { document: SealedDocument } {
  const content = draftDocument(command, fold(applicationDecider, history));
  return { ...command, document: { content, signature: { algorithm: 'Ed25519', keyId: 'test-key', value: 'c2ln' } } };
}

/** Runs a command against a history and returns the history extended by its events. */
const after = (history: readonly ApplicationEvent[], command: ApplicationCommand): ApplicationEvent[] => [
  ...history,
  ...applicationDecider.decide(command, fold(applicationDecider, history)),
];

const accept = (at = '2026-11-27T09:30:00+08:00') => ({
  type: 'AcceptApplication' as const,
  documentId: 'doc-accept',
  at,
  seal: approvalSeal,
  acceptor: clerk,
  decisionDue: deadline('2026-12-11'),
  statutoryDue: deadline('2026-12-25'),
});

const supplement = (items: RequestSupplementItems, documentId = 'doc-notice-1', at = '2026-11-27T09:30:00+08:00') => ({
  type: 'RequestSupplement' as const,
  documentId,
  at,
  seal: approvalSeal,
  acceptor: clerk,
  items,
  deadline: deadline('2026-12-04'),
});
type RequestSupplementItems = { materialId: string; problem: 'missing' | 'defective'; detail: string }[];

const tolerate = (items: RequestSupplementItems) => ({
  type: 'AcceptWithToleratedDeficiencies' as const,
  documentId: 'doc-tolerated',
  at: '2026-11-27T09:30:00+08:00',
  seal: approvalSeal,
  acceptor: clerk,
  items,
  deadline: deadline('2026-12-11'),
  decisionDue: deadline('2026-12-11'),
  statutoryDue: deadline('2026-12-25'),
});

const receive = (materials: ReceivedMaterial[], receivedOn = '2026-12-01') => ({
  type: 'ReceiveSupplement' as const,
  materials,
  channel: 'online' as const,
  receivedBy: null,
  at: `${receivedOn}T15:00:00+08:00`,
  receivedOn,
  acceptanceDue: deadline('2026-12-02'),
});

const withoutPremises = complete.filter((m) => m.materialId !== 'premises-proof');
const withoutTolerable = complete.filter((m) => m.materialId !== 'premises-proof' && m.materialId !== 'layout-plan');

describe('SubmitApplication', () => {
  it('R-ACC-1, R-CAT-14: binds the case to the guide version given and records what was received', () => {
    spec.given([]).when(submit()).thenSatisfies((events, state) => {
      expect(events).toHaveLength(1);
      const e = events[0] as ApplicationEventOf<'ApplicationSubmitted'>;
      expect(e.type).toBe('ApplicationSubmitted');
      expect(e.data.guide.guideVersion).toBe('2026.2');
      expect(e.data.materials).toHaveLength(5);
      expect(state.status).toBe('awaiting-decision');
    });
  });

  it('R-ETHICS-1: a window submission records the receipt contact with the clerk', () => {
    spec.given([]).when(submit({ channel: 'window', receivedBy: clerk })).thenSatisfies((events) => {
      expect(events.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ContactRecorded']);
      expect(events[1]!.data).toMatchObject({ touchpoint: 'receipt', staff: clerk });
    });
  });

  it('R-CAT-2: refuses a material that is not in the bound guide version, naming it', () => {
    const error = spec.given([]).when(submit({ materials: [...complete, paper('bank-statement')] })).thenThrows(ValidationError);
    expect(error.issues).toContainEqual(expect.objectContaining({ path: '/materials/5/materialId', rule: 'R-CAT-2' }));
  });

  it('R-CAT-10: a material held in data sharing is not taken from the applicant', () => {
    const uploaded = complete.map((m) => (m.materialId === 'business-licence' ? paper('business-licence') : m));
    const error = spec.given([]).when(submit({ materials: uploaded })).thenThrows(ValidationError);
    expect(error.issues).toContainEqual(expect.objectContaining({ path: '/materials/1/source', rule: 'R-CAT-10' }));
  });

  it('R-CAT-10: a material cannot be claimed from data sharing when no shared record exists', () => {
    spec.given([]).when(submit({ sharedAvailable: [] })).thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-CAT-10'));
  });

  it('R-CAT-5: a material the guide requires electronically is refused on paper', () => {
    const onPaper = complete.map((m) => (m.materialId === 'safety-rules' ? paper('safety-rules') : m));
    spec.given([]).when(submit({ materials: onPaper })).thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-CAT-5'));
  });

  it('R-ACC-1: refuses an online submission for an item the guide handles at the window only', () => {
    spec.given([]).when(submit({ guide: { ...foodGuide, handlingForm: 'window' } })).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-1');
  });

  it('R-ACC-1: refuses a second submission under the same case id', () => {
    spec.given(submitted()).when(submit()).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-1');
  });
});

describe('acceptance outcomes (R-ACC-2, R-ACC-3)', () => {
  it('R-ACC-2: accepts complete materials with a 受理凭证 carrying every R-ACC-3 field', () => {
    const history = submitted();
    spec.given(history).when(sealed(history, accept())).thenSatisfies((events) => {
      const e = events[0] as ApplicationEventOf<'CaseAccepted'>;
      expect(e.type).toBe('CaseAccepted');
      expect(e.data.basis).toBe('decision');
      expect(e.data.effectiveFrom).toBe('2026-11-27');
      const doc = e.data.document.content;
      expect(doc).toMatchObject({
        kind: 'acceptance-receipt',
        title: '受理凭证',
        itemName: '食品经营许可（新办）',
        acceptor: { staffId: 'clerk-li', name: '李华' },
        dateReceived: '2026-11-26',
        seal: approvalSeal,
        issuingBody: '北京市朝阳区市场监督管理局',
        entrustedBody: null,
        applicant: { maskedId: '911101********082Q' },
      });
      expect(doc.received.map((m) => m.name)).toContain('营业执照');
    });
  });

  it('R-ACC-2: refuses to accept incomplete materials', () => {
    const history = submitted({ materials: withoutPremises });
    spec.given(history).when({ ...accept(), document: undefined }).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2' && e.message.includes('premises-proof'));
  });

  it('R-ACC-3: an entrusted acceptance bears the 审批业务专用章 or the entrusted body’s seal, never the department seal', () => {
    const history = submitted({ centre: entrustedStation });
    spec.given(history).when({ ...accept(), seal: departmentSeal }).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-3');
    spec.given(history).when(sealed(history, { ...accept(), seal: entrustedSeal })).thenSatisfies((events) => {
      expect((events[0] as ApplicationEventOf<'CaseAccepted'>).data.document.content.entrustedBody).toBe('朝阳区建外街道政务服务中心');
    });
  });

  it('R-ACC-3: refuses a sealed document that differs from the decision', () => {
    const history = submitted();
    const command = sealed(history, accept());
    const tampered = { ...command, document: { ...command.document, content: { ...command.document.content, itemName: '别的事项' } } };
    expect(() => applicationDecider.decide(tampered, fold(applicationDecider, history))).toThrow(/does not match/);
  });

  it('R-ACC-2: a supplement notice lists everything missing at once, with its deadline', () => {
    const history = submitted({ materials: withoutPremises });
    const items = [{ materialId: 'premises-proof', problem: 'missing' as const, detail: '未提交租赁合同' }];
    spec.given(history).when(sealed(history, supplement(items))).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'SupplementRequested'>;
      expect(e.data.document.content.toSupplement).toEqual([{ materialId: 'premises-proof', name: '经营场所使用证明', problem: 'missing', detail: '未提交租赁合同' }]);
      expect(e.data.document.content.supplementDeadline).toEqual(deadline('2026-12-04'));
      expect(state.status).toBe('awaiting-supplement');
    });
  });

  it('R-ACC-2: refuses a notice that leaves out a missing material', () => {
    const history = submitted({ materials: withoutTolerable });
    const items = [{ materialId: 'premises-proof', problem: 'missing' as const, detail: '未提交' }];
    spec.given(history).when(supplement(items)).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2' && e.message.includes('layout-plan'));
  });

  it('R-CAT-2: a notice cannot ask for anything beyond the bound guide', () => {
    const history = submitted({ materials: withoutPremises });
    const items = [
      { materialId: 'premises-proof', problem: 'missing' as const, detail: '未提交' },
      { materialId: 'fire-safety-certificate', problem: 'missing' as const, detail: '请补充消防证明' },
    ];
    spec.given(history).when(supplement(items)).thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-CAT-2' && i.path === '/items/1/materialId'));
  });

  it('R-ACC-2: a second notice naming what the first could have named is refused', () => {
    let history = submitted({ materials: withoutPremises });
    history = after(history, sealed(history, supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }])));
    history = after(history, receive([paper('premises-proof')]));
    // layout-plan was on the table when the first notice was written.
    const late = supplement([{ materialId: 'layout-plan', problem: 'defective', detail: '未标注设备位置' }], 'doc-notice-2', '2026-12-02T09:00:00+08:00');
    spec.given(history).when(late).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2' && e.message.includes('could have named layout-plan'));
  });

  it('R-ACC-2: a further notice may name a supplemented material found defective', () => {
    let history = submitted({ materials: withoutPremises });
    history = after(history, sealed(history, supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }])));
    history = after(history, receive([paper('premises-proof')]));
    const second = supplement([{ materialId: 'premises-proof', problem: 'defective', detail: '租赁合同未盖章' }], 'doc-notice-2', '2026-12-02T09:00:00+08:00');
    spec.given(history).when(sealed(history, second)).thenSatisfies((events) => expect(events[0]!.type).toBe('SupplementRequested'));
  });

  it('R-ACC-2: accepts with tolerated deficiencies only for materials the guide marks 容缺', () => {
    const history = submitted({ materials: withoutTolerable });
    const items = [
      { materialId: 'premises-proof', problem: 'missing' as const, detail: '租赁合同原件后补' },
      { materialId: 'layout-plan', problem: 'missing' as const, detail: '布局图后补' },
    ];
    spec.given(history).when(sealed(history, tolerate(items))).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'CaseAccepted'>;
      expect(e.data.toleratedDeficiencies?.deadline).toEqual(deadline('2026-12-11'));
      expect(e.data.document.content.kind).toBe('tolerated-deficiency-acceptance');
      expect(state.status).toBe('accepted-with-deficiencies');
    });
    const notTolerable = submitted({ materials: complete.filter((m) => m.materialId !== 'application-form') });
    spec
      .given(notTolerable)
      .when(tolerate([{ materialId: 'application-form', problem: 'missing', detail: '申请书' }]))
      .thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2' && e.message.includes('容缺'));
  });

  it('R-ACC-2: a refusal to accept states reasons, in a sealed 不予受理决定书', () => {
    const history = submitted();
    const refuse = {
      type: 'NotAcceptApplication' as const,
      documentId: 'doc-refuse',
      at: '2026-11-27T10:00:00+08:00',
      seal: approvalSeal,
      acceptor: clerk,
      reasons: [{ text: '申请经营场所位于居民住宅楼内，不符合受理条件', legalBasis: '《食品经营许可和备案管理办法》第十二条' }],
    };
    spec.given(history).when({ ...refuse, reasons: [] }).thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-ACC-2'));
    spec.given(history).when(sealed(history, refuse)).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'CaseNotAccepted'>;
      expect(e.data.document.content.reasons).toEqual(refuse.reasons);
      expect(e.data.document.content.title).toBe('不予受理决定书');
      expect(state.status).toBe('not-accepted');
    });
  });

  it('R-ACC-2: no second decision once one is made', () => {
    let history = submitted();
    history = after(history, sealed(history, accept()));
    spec.given(history).when(accept('2026-11-27T11:00:00+08:00')).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
  });
});

describe('supplement (R-ACC-2)', () => {
  it('R-ACC-2: a complete supplement reopens the check and records the suspension interval', () => {
    let history = submitted({ materials: withoutPremises });
    history = after(history, sealed(history, supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }])));
    spec.given(history).when(receive([paper('premises-proof')], '2026-12-01')).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'SupplementReceived'>;
      expect(e.data.complete).toBe(true);
      expect(e.data.suspension).toEqual({ from: '2026-11-28', to: '2026-12-01', reason: 'supplement' });
      expect(e.data.acceptanceDue).toEqual(deadline('2026-12-02'));
      expect(state.status).toBe('awaiting-decision');
    });
  });

  it('R-ACC-2: a partial supplement keeps the notice open and suspends nothing yet', () => {
    let history = submitted({ materials: withoutTolerable });
    history = after(
      history,
      sealed(history, supplement([
        { materialId: 'premises-proof', problem: 'missing', detail: '未提交' },
        { materialId: 'layout-plan', problem: 'missing', detail: '未提交' },
      ])),
    );
    spec.given(history).when(receive([paper('premises-proof')])).thenSatisfies((events, state) => {
      expect((events[0] as ApplicationEventOf<'SupplementReceived'>).data).toMatchObject({ complete: false, suspension: null, acceptanceDue: null });
      expect(state.status).toBe('awaiting-supplement');
      expect(state.openNotice?.outstanding).toEqual(['layout-plan']);
    });
  });

  it('R-ACC-2: refuses a supplement for something the notice did not ask for', () => {
    let history = submitted({ materials: withoutPremises });
    history = after(history, sealed(history, supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }])));
    spec.given(history).when(receive([paper('layout-plan')])).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
  });
});

describe('tolerated deficiencies lapse (R-ACC-2)', () => {
  const tolerated = () => {
    const history = submitted({ materials: withoutPremises });
    return after(history, sealed(history, tolerate([{ materialId: 'premises-proof', problem: 'missing', detail: '租赁合同原件后补' }])));
  };
  const lapse = (at: string, cause: 'not-supplemented' | 'still-defective' = 'not-supplemented', reasons: { text: string }[] = []) => ({
    type: 'LapseToleratedDeficiency' as const,
    cause,
    reasons,
    at,
  });

  it('R-ACC-2: before the deadline ends, the tolerance does not lapse', () => {
    spec.given(tolerated()).when(lapse('2026-12-11T23:00:00+08:00')).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
  });

  it('R-ACC-2: after the deadline, unsupplemented items lapse with reasons and the case goes to refusal', () => {
    spec.given(tolerated()).when(lapse('2026-12-12T00:00:01+08:00')).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'ToleratedDeficiencyLapsed'>;
      expect(e.data.cause).toBe('not-supplemented');
      expect(e.data.items.map((i) => i.materialId)).toEqual(['premises-proof']);
      expect(e.data.reasons[0]!.text).toContain('经营场所使用证明');
      expect(state.status).toBe('tolerated-lapsed');
    });
  });

  it('R-ACC-2: supplemented in time, it is confirmed, not lapsed', () => {
    const history = after(tolerated(), receive([paper('premises-proof')], '2026-12-04'));
    spec.given(history).when(lapse('2026-12-12T00:00:01+08:00')).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
    spec.given(history).when({ type: 'ConfirmToleratedSupplement', acceptor: clerk, at: '2026-12-04T16:00:00+08:00' }).thenSatisfies((events, state) => {
      expect(events[0]!.type).toBe('ToleratedDeficienciesCured');
      expect(state.status).toBe('accepted');
    });
  });

  it('R-ACC-2: a supplement still defective lapses only with reasons', () => {
    const history = after(tolerated(), receive([paper('premises-proof')], '2026-12-04'));
    spec.given(history).when(lapse('2026-12-05T10:00:00+08:00', 'still-defective')).thenThrows(ValidationError);
    spec.given(history).when(lapse('2026-12-05T10:00:00+08:00', 'still-defective', [{ text: '租赁合同出租方与产权人不一致' }])).thenSatisfies((events) => {
      expect((events[0] as ApplicationEventOf<'ToleratedDeficiencyLapsed'>).data.cause).toBe('still-defective');
    });
  });
});

describe('deemed acceptance (Licensing Law Art. 32)', () => {
  const deem = (at: string) => ({
    type: 'DeemAccepted' as const,
    documentId: 'doc-deemed',
    at,
    seal: departmentSeal,
    decisionDue: deadline('2026-12-17'),
    statutoryDue: deadline('2026-12-31'),
  });

  it('R-ACC-2: with no notice in 5 working days, the case counts as accepted from the day received', () => {
    const history = submitted({ materials: withoutPremises });
    spec.given(history).when(sealed(history, deem('2026-12-04T00:10:00+08:00'))).thenSatisfies((events, state) => {
      const e = events[0] as ApplicationEventOf<'CaseAccepted'>;
      expect(e.data).toMatchObject({ basis: 'deemed', effectiveFrom: '2026-11-26', acceptor: null });
      expect(e.data.document.content.reasons[0]!.legalBasis).toContain('第三十二条');
      expect(state.status).toBe('accepted');
    });
  });

  it('R-ACC-2: not while the period runs, and not after a notice was given', () => {
    const history = submitted({ materials: withoutPremises });
    spec.given(history).when(deem('2026-12-03T18:00:00+08:00')).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
    const noticed = after(history, sealed(history, supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }])));
    spec.given(noticed).when(deem('2026-12-10T00:00:00+08:00')).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2');
  });

  it('R-ACC-2: a first notice after the Art. 32 period is refused (the case already counts as accepted)', () => {
    const history = submitted({ materials: withoutPremises });
    const late = supplement([{ materialId: 'premises-proof', problem: 'missing', detail: '未提交' }], 'doc-late', '2026-12-04T09:00:00+08:00');
    spec.given(history).when(late).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-2' && e.message.includes('第三十二条'));
  });
});

describe('contact log (R-ETHICS-1)', () => {
  const contact = (touchpoint: string) => ({ type: 'RecordContact' as const, touchpoint, staff: clerk, at: '2026-11-27T10:00:00+08:00', note: null });

  it('R-ETHICS-1: records a contact at a defined touchpoint', () => {
    spec.given(submitted()).when(contact('acceptance')).then([{ type: 'ContactRecorded', data: { touchpoint: 'acceptance', staff: clerk, at: '2026-11-27T10:00:00+08:00', note: null } }]);
  });

  it('R-ETHICS-1: refuses an unknown touchpoint', () => {
    spec.given(submitted()).when(contact('dinner')).thenThrows(RuleViolation, (e) => e.rule === 'R-ETHICS-1');
  });

  it('R-ETHICS-1: a window delivery needs something issued to deliver', () => {
    spec.given(submitted()).when(contact('window-delivery')).thenThrows(RuleViolation, (e) => e.rule === 'R-ETHICS-1');
    const history = submitted();
    const decided = after(history, sealed(history, accept()));
    spec.given(decided).when(contact('window-delivery')).thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('R-ETHICS-1: a window acceptance records the acceptance contact with the decision', () => {
    const history = submitted({ channel: 'window', receivedBy: clerk });
    spec.given(history).when(sealed(history, accept())).thenSatisfies((events) => {
      expect(events.map((e) => e.type)).toEqual(['CaseAccepted', 'ContactRecorded']);
    });
  });
});

describe('inbound paper materials by courier (R-COURIER-1)', () => {
  const receivedBy = { staffId: 'staff-0042', department: '朝阳区政务服务中心' };
  const parcel = (materials: { materialId: string; name: string; copies: number }[], waybillId = 'wb-0001') => ({
    type: 'RecordInboundMaterials' as const,
    waybillId,
    carrier: 'local',
    trackingNumber: 'LC0000000001',
    materials: materials.map((m) => ({ ...m, form: 'paper' as const })),
    discrepancy: null,
    receivedAt: '2026-11-27T11:00:00+08:00',
    receivedBy,
  });
  const layoutPlan = { materialId: 'layout-plan', name: '布局图', copies: 2 };

  it('R-COURIER-1: a parcel checked in at the centre records its materials on the case as received, under the guide’s names', () => {
    spec.given(submitted()).when(parcel([layoutPlan])).then([
      {
        type: 'InboundMaterialsReceived',
        data: {
          waybillId: 'wb-0001',
          carrier: 'local',
          trackingNumber: 'LC0000000001',
          materials: [{ materialId: 'layout-plan', name: '经营设施设备布局和操作流程图', copies: 2, form: 'paper' }],
          outsideGuide: [],
          discrepancy: null,
          receivedAt: '2026-11-27T11:00:00+08:00',
          receivedBy,
        },
      },
    ]);
    const state = fold(applicationDecider, after(submitted(), parcel([layoutPlan])));
    expect(state.inboundParcels.map((p) => [p.waybillId, p.materials.map((m) => m.materialId)])).toEqual([['wb-0001', ['layout-plan']]]);
  });

  it('R-COURIER-1, R-CAT-2: only materials of the bound guide are taken onto the case; the rest are named', () => {
    spec.given(submitted()).when(parcel([layoutPlan, { materialId: 'bank-statement', name: '银行流水', copies: 1 }])).thenSatisfies((events) => {
      expect(events).toHaveLength(1);
      const data = (events[0] as ApplicationEventOf<'InboundMaterialsReceived'>).data;
      expect(data.materials.map((m) => m.materialId)).toEqual(['layout-plan']);
      expect(data.outsideGuide).toEqual(['bank-statement']);
    });
  });

  it('R-COURIER-1, R-CAT-2: a parcel with nothing of the guide is refused', () => {
    spec.given(submitted()).when(parcel([{ materialId: 'bank-statement', name: '银行流水', copies: 1 }])).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-2');
  });

  it('R-COURIER-1: a redelivered receipt of the same waybill decides nothing; another waybill is recorded', () => {
    const once = after(submitted(), parcel([layoutPlan]));
    spec.given(once).when(parcel([layoutPlan])).then([]);
    spec.given(once).when(parcel([{ materialId: 'premises-proof', name: '场所证明', copies: 1 }], 'wb-0002')).thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['InboundMaterialsReceived']));
  });

  it('R-COURIER-1, R-ACC-1: no case, no receipt', () => {
    spec.given([]).when(parcel([layoutPlan])).thenThrows(RuleViolation, (e) => e.rule === 'R-ACC-1');
  });
});
