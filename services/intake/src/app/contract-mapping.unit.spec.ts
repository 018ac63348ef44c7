/**
 * Every domain event of a case's life maps to contracts that pass their
 * published schemas (the same parse consumers run), with no personal data.
 */
import { describe, expect, it } from 'vitest';
import { parseIntegrationEvent } from '@govsvc/contracts/registry';
import { fold } from '@govsvc/eventstore/decider';
import { approvalSeal, chaoyang, clerk, deadline, enterprise, ENTERPRISE_USCC, foodGuide } from '../../test/fixtures.ts';
import type { ApplicationCommand, IssuingCommand } from '../domain/application/commands.ts';
import { applicationDecider } from '../domain/application/decider.ts';
import { draftDocument } from '../domain/application/decide-outcomes.ts';
import type { ApplicationEvent, ApplicationEventOf } from '../domain/application/events.ts';
import { toIntegrationEvents } from './contract-mapping.ts';

const caseId = '0b6f9a43-5c1e-4d2b-8f7a-1c2d3e4f5a6b';
const paper = (materialId: string) => ({ materialId, form: 'paper' as const, source: 'applicant' as const, reference: `sha256:${materialId}` });
const run = (history: ApplicationEvent[], command: ApplicationCommand): ApplicationEvent[] => {
  const state = fold(applicationDecider, history);
  const sealed = 'documentId' in command ? { ...command, document: { content: draftDocument(command as IssuingCommand, state), signature: { algorithm: 'Ed25519' as const, keyId: 'k', value: 'c2ln' } } } : command;
  return [...history, ...applicationDecider.decide(sealed, state)];
};

describe('domain → contracts', () => {
  it('maps a case from submission through supplement to tolerated acceptance and lapse, every contract valid', () => {
    let h: ApplicationEvent[] = [];
    h = run(h, {
      type: 'SubmitApplication',
      caseId,
      caseNumber: '京1101052026112600001',
      guide: foodGuide,
      applicant: enterprise,
      channel: 'window',
      centre: chaoyang,
      materials: [paper('application-form'), paper('layout-plan'), { ...paper('safety-rules'), form: 'electronic' }],
      sharedAvailable: [],
      delivery: {
        notificationChannels: ['sms'],
        resultDelivery: { method: 'post' },
        sealedContact: { alg: 'A256GCM', keyId: 'contact-1', iv: 'AAECAwQFBgcICQoL', ciphertext: 'c2VhbGVk', tag: 'AAECAwQFBgcICQoLDA0ODw==' },
      },
      collaboration: { leadDepartment: '北京市朝阳区市场监督管理局', assistingDepartments: ['北京市朝阳区消防救援支队'] },
      receivedBy: clerk,
      submittedAt: '2026-11-26T10:00:00+08:00',
      receivedOn: '2026-11-26',
      acceptanceDue: deadline('2026-11-27'),
      noticeDue: deadline('2026-12-03'),
    });
    h = run(h, { type: 'RequestSupplement', documentId: 'D-1', at: '2026-11-26T15:00:00+08:00', seal: approvalSeal, acceptor: clerk, items: [{ materialId: 'business-licence', problem: 'missing', detail: '营业执照' }, { materialId: 'premises-proof', problem: 'missing', detail: '租赁合同' }], deadline: deadline('2026-12-03') });
    h = run(h, { type: 'ReceiveSupplement', materials: [paper('business-licence'), paper('premises-proof')], channel: 'window', receivedBy: clerk, at: '2026-11-30T10:00:00+08:00', receivedOn: '2026-11-30', acceptanceDue: deadline('2026-12-01') });
    h = run(h, { type: 'NotAcceptApplication', documentId: 'D-2', at: '2026-12-01T10:00:00+08:00', seal: approvalSeal, acceptor: clerk, reasons: [{ text: '申请人不具备经营资格', legalBasis: '《食品安全法》第三十五条' }] });

    const submitted = (h[0] as ApplicationEventOf<'ApplicationSubmitted'>).data;
    const contracts = h.flatMap((event) => toIntegrationEvents(caseId, event, submitted));
    expect(contracts.map((c) => c.type)).toEqual([
      'intake.application-submitted.v1',
      'intake.delivery-preferences-recorded.v1',
      'intake.supplement-requested.v1',
      'intake.supplement-received.v1',
      'intake.clock-suspended.v1',
      'intake.case-not-accepted.v1',
    ]);
    for (const contract of contracts) expect(() => parseIntegrationEvent(contract.type, contract.data)).not.toThrow();
    expect(contracts[4]!.data).toMatchObject({ suspension: { from: '2026-11-27', to: '2026-11-30', reason: 'supplement' } });
    expect(contracts[0]!.data).toMatchObject({
      serviceCentre: 'bj-chaoyang',
      channel: 'window',
      collaboration: { leadDepartment: '北京市朝阳区市场监督管理局', assistingDepartments: ['北京市朝阳区消防救援支队'] },
    });
    expect(JSON.stringify(contracts)).not.toContain(ENTERPRISE_USCC);
  });

  it('maps a deemed acceptance to case-accepted v2 without acceptor or seal, and a lapse to refusal-required', () => {
    let h: ApplicationEvent[] = [];
    h = run(h, {
      type: 'SubmitApplication',
      caseId,
      caseNumber: '京1101052026112600002',
      guide: { ...foodGuide, materials: foodGuide.materials.filter((m) => !m.fromDataSharing) },
      applicant: enterprise,
      channel: 'online',
      centre: chaoyang,
      materials: [paper('application-form'), { ...paper('safety-rules'), form: 'electronic' }, paper('premises-proof')],
      sharedAvailable: [],
      delivery: { notificationChannels: ['email'], resultDelivery: { method: 'electronic' }, sealedContact: { alg: 'A256GCM', keyId: 'contact-1', iv: 'AAECAwQFBgcICQoL', ciphertext: 'c2VhbGVk', tag: 'AAECAwQFBgcICQoLDA0ODw==' } },
      collaboration: null,
      receivedBy: null,
      submittedAt: '2026-11-26T10:00:00+08:00',
      receivedOn: '2026-11-26',
      acceptanceDue: deadline('2026-11-27'),
      noticeDue: deadline('2026-12-03'),
    });
    const tolerated = run(h, { type: 'AcceptWithToleratedDeficiencies', documentId: 'D-1', at: '2026-11-27T09:00:00+08:00', seal: approvalSeal, acceptor: clerk, items: [{ materialId: 'layout-plan', problem: 'missing', detail: '布局图' }], deadline: deadline('2026-12-02'), decisionDue: deadline('2026-12-11'), statutoryDue: deadline('2026-12-25') });
    const lapsed = run(tolerated, { type: 'LapseToleratedDeficiency', cause: 'not-supplemented', reasons: [], at: '2026-12-03T00:00:01+08:00' });
    const deemed = run(h, { type: 'DeemAccepted', documentId: 'D-9', at: '2026-12-04T00:00:01+08:00', seal: approvalSeal, decisionDue: deadline('2026-12-10'), statutoryDue: deadline('2026-12-24') });
    const submitted = (h[0] as ApplicationEventOf<'ApplicationSubmitted'>).data;
    const map = (events: ApplicationEvent[]) => events.slice(h.length).flatMap((e) => toIntegrationEvents(caseId, e, submitted));
    const [accepted, lapse] = map(lapsed);
    expect(accepted).toMatchObject({ type: 'intake.case-accepted.v2', data: { basis: 'decision', toleratedDeficiencies: { notice: { kind: 'tolerated-deficiency-notice' } } } });
    expect(lapse).toMatchObject({ type: 'intake.tolerated-deficiency-lapsed.v1', data: { cause: 'not-supplemented', consequence: 'refusal-decision-required', deadline: '2026-12-02' } });
    const [deemedContract] = map(deemed);
    expect(deemedContract).toMatchObject({ type: 'intake.case-accepted.v2', data: { basis: 'deemed', effectiveFrom: '2026-11-26' } });
    expect(deemedContract!.data).not.toHaveProperty('seal');
    for (const c of [accepted!, lapse!, deemedContract!]) expect(() => parseIntegrationEvent(c.type, c.data)).not.toThrow();
  });
});
