/** Example facts for specs: a licensing item, a collaboration item, a collective-decision item. */
import type { ReviewEvent, ReviewEventOf } from './review-events.ts';
import type { ItemFacts, SealImprint, StaffRef } from './values.ts';

export const foodLicenceItem: ItemFacts = {
  itemCode: '11110000000021467Q4110105000',
  itemName: '食品经营许可',
  guideVersion: '3',
  resultName: '食品经营许可证',
  collectiveDecision: { required: false, legalBasis: null },
  licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 30, renewalLeadUnit: 'calendar-days' },
};

export const collectiveItem: ItemFacts = {
  ...foodLicenceItem,
  itemCode: '11110000000021467Q4110105999',
  itemName: '建设用地规划许可',
  resultName: '建设用地规划许可证',
  collectiveDecision: { required: true, legalBasis: '《北京市城乡规划条例》第三十二条' },
};

export const handler: StaffRef = { staffId: 'staff-h1', department: 'market-regulation' };
export const chief: StaffRef = { staffId: 'staff-c1', department: 'market-regulation' };
export const healthOfficer: StaffRef = { staffId: 'staff-a1', department: 'health' };
export const fireOfficer: StaffRef = { staffId: 'staff-a2', department: 'fire-rescue' };

export const seal: SealImprint = {
  kind: 'approval-business',
  sealId: 'seal-market-regulation',
  keyId: 'seal-key-1',
  algorithm: 'Ed25519',
  signature: 'c2lnbmF0dXJlLW92ZXItdGhlLWRvY3VtZW50',
};

export function opened(overrides: Partial<ReviewEventOf<'ReviewOpened'>['data']> = {}): ReviewEvent {
  return {
    type: 'ReviewOpened',
    data: {
      caseId: 'BJ-2026-000042',
      item: foodLicenceItem,
      applicant: { kind: 'person', maskedId: '110105********002X', ref: '7d1c7a5e-2f4b-4c55-9f0e-6e1f1d2a3b4c' },
      leadDepartment: 'market-regulation',
      assistingDepartments: [],
      materials: [{ materialId: 'm1', name: '营业执照' }],
      receiptId: 'RCPT-42',
      acceptedOn: '2026-03-02',
      decisionDue: { date: '2026-03-16', provisional: false },
      statutoryDue: { date: '2026-03-30', provisional: false },
      openedAt: '2026-03-02T02:00:00.000Z',
      ...overrides,
    },
  };
}

export const collaborationOpened = (): ReviewEvent => opened({ assistingDepartments: ['health', 'fire-rescue'] });

export function opinionRequested(requestId: string, department: string, due = '2026-03-10'): ReviewEvent {
  return {
    type: 'OpinionRequested',
    data: {
      requestId,
      leadDepartment: 'market-regulation',
      department,
      question: '请就卫生条件出具意见',
      materials: [{ materialId: 'm1', name: '营业执照' }],
      due: { date: due, provisional: false },
      requestedAt: '2026-03-03T01:00:00.000Z',
      requestedBy: handler,
    },
  };
}

export function opinionGiven(requestId: string, by: StaffRef): ReviewEvent {
  return {
    type: 'OpinionGiven',
    data: { requestId, department: by.department, opinion: 'concur', reasons: [], givenAt: '2026-03-05T03:00:00.000Z', signedBy: by, channel: 'kafka' },
  };
}

export const handlerSignedApproval = (): ReviewEvent => ({
  type: 'DecisionSigned',
  data: { role: 'handler', signer: handler, signedAt: '2026-03-09T02:00:00.000Z', draft: { outcome: 'approve' } },
});

export const chiefSigned = (): ReviewEvent => ({
  type: 'DecisionSigned',
  data: { role: 'chief-representative', signer: chief, signedAt: '2026-03-10T02:00:00.000Z', draft: { outcome: 'approve' } },
});
