import { describe, expect, it } from 'vitest';
import { encodeIntegrationEvent } from '@govsvc/contracts/envelope';
import { createInMemoryEventStore } from '@govsvc/eventstore/memory/memory-event-store';
import { APPLICANT_REF, openCase, reviewHarness } from '../test-harness.ts';
import { reviewContractOf } from './published-contracts.ts';

const ITEM = '11110000000021467Q4110105000';

describe('domain events → published contracts', () => {
  it('every review fact another service needs maps to a valid contract keyed by its case; internal facts publish nothing', async () => {
    const store = createInMemoryEventStore();
    const h = await reviewHarness(store);
    const s = h.module.service;
    const lead = { staffId: 'staff-h1', department: 'market-regulation' };
    const chief = { staffId: 'staff-c1', department: 'market-regulation' };
    const ctx = (id: string, department = 'market-regulation') => ({ actor: { id, role: 'reviewer', department }, correlationId: `corr-${id}` });
    await s.setReviewProfile(ITEM, { collectiveDecision: { required: false, legalBasis: null }, licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 12, renewalLeadDays: 30 } }, { staffId: 'admin', department: 'admin' }, ctx('admin'));

    const caseId = 'BJ-2026-000500';
    await openCase(h, caseId, { assisting: ['health'] });
    const asked = await s.requestOpinion(caseId, { department: 'health', question: '意见', dueInWorkingDays: 2 }, lead, ctx('staff-h1'));
    const requestId = asked.state.status === 'open' ? asked.state.opinionRequests[0]!.requestId : '';
    await s.giveOpinion(caseId, { requestId, opinion: 'object', reasons: [{ text: '排水设施不符合要求' }], signedBy: { staffId: 'staff-a1', department: 'health' }, channel: 'http' }, ctx('staff-a1', 'health'));
    await s.extendTimeLimit(caseId, { authority: 'government-head', extensionWorkingDays: 15, reason: { text: '联合办理需要' }, applicantToldAt: '2026-03-09T03:00:00.000Z' }, chief, ctx('staff-c1'));
    await s.suspendClock(caseId, { reason: 'testing', from: '2026-03-10', note: null, noticeId: 'N-1', expectedWorkingDays: 2, applicantToldAt: '2026-03-09T04:00:00.000Z' }, lead, ctx('staff-h1'));
    await s.resumeClock(caseId, { to: '2026-03-11' }, lead, ctx('staff-h1'));
    await s.recordContact(caseId, { touchpoint: 'site-inspection', occurredAt: '2026-03-09T05:00:00.000Z', summary: '现场勘查' }, lead, ctx('staff-h1'));
    await s.sign(caseId, { role: 'handler', draft: { outcome: 'approve' } }, lead, ctx('staff-h1'));
    await s.sign(caseId, { role: 'chief-representative' }, chief, ctx('staff-c1'));
    const licenceId = `LIC-${caseId}`;
    h.clock.set('2027-01-10T02:00:00.000Z');
    const applied = await s.applyForRenewal(licenceId, { actor: { id: APPLICANT_REF, role: 'applicant' }, correlationId: 'corr-renew' });
    const renewalId = applied.state.status === 'issued' ? applied.state.renewals[0]!.renewalId : '';
    await s.decideRenewal(licenceId, { renewalId, outcome: 'grant' }, chief, ctx('staff-c1'));

    const mapped = store.allEvents().map((e) => ({ domain: e.type, contract: reviewContractOf(e) }));
    const published = mapped.filter((m) => m.contract !== null);
    for (const { contract } of published) {
      const record = encodeIntegrationEvent(contract!, { id: 'x', time: '2026-03-09T00:00:00Z', correlationId: 'corr-1' });
      // Renewal contracts are keyed by the renewal case, every other one by the case.
      expect(record.key).toBe(contract!.type.startsWith('review.renewal-') ? renewalId : caseId);
    }
    expect(published.map((m) => `${m.domain} → ${m.contract!.type}`)).toEqual([
      'ApplicantNoticeDue → review.applicant-notice-due.v1',
      'OpinionRequested → review.opinion-requested.v1',
      'OpinionGiven → review.opinion-given.v1',
      'TimeLimitExtended → review.time-limit-extended.v1',
      'ApplicantNoticeDue → review.applicant-notice-due.v1',
      'ClockSuspended → review.time-excluded.v1',
      'ApplicantNoticeDue → review.applicant-notice-due.v1',
      'ClockResumed → review.time-exclusion-ended.v1',
      'ApplicantNoticeDue → review.applicant-notice-due.v1',
      'DecisionMade → review.decision-made.v1',
      'ApplicantNoticeDue → review.applicant-notice-due.v1',
      'LicenceIssued → review.licence-issued.v1',
      'RenewalApplied → review.renewal-applied.v1',
      'RenewalDecided → review.renewal-decided.v1',
    ]);
    expect(mapped.filter((m) => m.contract === null).map((m) => m.domain)).toEqual(['ReviewProfileSet', 'SubmissionNoted', 'ReviewOpened', 'ContactRecorded', 'DecisionSigned', 'DecisionSigned']);
    const licence = published.find((m) => m.contract!.type === 'review.licence-issued.v1')!.contract!;
    expect(licence.data).toMatchObject({ caseId, licenceId, forms: ['electronic'], electronicLicenceId: licenceId, validFrom: '2026-03-09', validUntil: '2027-03-08' });
    await h.close();
  });
});
