import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { addMonths, licenceDecider, type ElectronicLicence, type LicenceCommand, type LicenceEvent } from './licence.ts';

const spec = deciderSpec(licenceDecider);
const rule = (id: string) => (e: RuleViolation) => e.rule === id;

const eLicence = (validUntil: string | null, signedAt = '2026-03-10T03:00:00.000Z'): ElectronicLicence => ({
  keyId: 'seal-key-1',
  algorithm: 'Ed25519',
  signature: 'c2lnbmF0dXJlLW92ZXItdGhlLWxpY2VuY2U',
  validUntil,
  signedAt,
});

const issued = (forms: ('electronic' | 'paper')[] = ['electronic']): LicenceEvent => ({
  type: 'LicenceIssued',
  data: {
    licenceId: 'LIC-1',
    caseId: 'BJ-2026-000042',
    itemCode: '11110000000021467Q4110105000',
    itemName: '食品经营许可',
    resultName: '食品经营许可证',
    holder: { kind: 'enterprise', maskedId: '91110105********1X', ref: '2c4a2a4e-1111-4c55-9f0e-6e1f1d2a3b4c' },
    department: 'market-regulation',
    forms,
    electronic: forms.includes('electronic') ? eLicence('2031-03-09') : null,
    validFrom: '2026-03-10',
    validUntil: '2031-03-09',
    validityMonths: 60,
    renewalLeadDays: 30,
    renewalLeadUnit: 'calendar-days',
    approvedAt: '2026-03-10T02:00:00.000Z',
    issuedAt: '2026-03-10T03:00:00.000Z',
    withinIssueLimit: true,
  },
});

const applied: LicenceEvent = { type: 'RenewalApplied', data: { renewalId: 'RNW-1', appliedAt: '2031-01-20T02:00:00.000Z', expiry: '2031-03-09', department: 'market-regulation' } };
const deem = (at: string, electronic: ElectronicLicence | null = eLicence('2036-03-09', at)): LicenceCommand => ({ type: 'DeemRenewalGranted', data: { at, electronic } });

describe('R-REV-3: issuing the licence', () => {
  it('R-REV-3: an electronic licence is issued signed', () => {
    const event = issued(['electronic', 'paper']);
    spec.given([]).when({ type: 'IssueLicence', data: (event as Extract<LicenceEvent, { type: 'LicenceIssued' }>).data }).then([event]);
  });

  it('R-REV-3: an electronic form without its signed document is refused', () => {
    const { data } = issued(['electronic']) as Extract<LicenceEvent, { type: 'LicenceIssued' }>;
    spec.given([]).when({ type: 'IssueLicence', data: { ...data, electronic: null } }).thenThrows(ValidationError);
  });

  it('issuing twice (a retried approval) is harmless', () => {
    const { data } = issued() as Extract<LicenceEvent, { type: 'LicenceIssued' }>;
    spec.given([issued()]).when({ type: 'IssueLicence', data }).thenNothingHappens();
  });
});

describe('R-REV-4: renewal (Licensing Law Art. 50)', () => {
  it('R-REV-4: a renewal applied for at least 30 days before expiry is recorded', () => {
    spec.given([issued()]).when({ type: 'ApplyForRenewal', data: { renewalId: 'RNW-1', appliedAt: '2031-01-20T02:00:00.000Z' } }).then([applied]);
  });

  it('R-REV-4: a renewal applied for later than 30 days before expiry is refused', () => {
    spec.given([issued()]).when({ type: 'ApplyForRenewal', data: { renewalId: 'RNW-1', appliedAt: '2031-02-10T02:00:00.000Z' } }).thenThrows(RuleViolation, rule('R-REV-4'));
  });

  it('R-REV-4: a lead time in working days (食品经营许可, 2023: 15) is checked against the last day the app computed on the calendar', () => {
    const working = issued();
    if (working.type !== 'LicenceIssued') throw new Error('fixture');
    const given = { ...working, data: { ...working.data, renewalLeadDays: 15, renewalLeadUnit: 'working-days' as const } };
    const apply = (appliedAt: string, applyBy?: string): LicenceCommand => ({ type: 'ApplyForRenewal', data: { renewalId: 'RNW-1', appliedAt, ...(applyBy && { applyBy }) } });
    // 2031-02-10 is 27 calendar days before expiry: too late under Art. 50's 30 days, in time under 15 working days.
    spec.given([given]).when(apply('2031-02-10T02:00:00.000Z', '2031-02-14')).then([{ ...applied, data: { ...applied.data, appliedAt: '2031-02-10T02:00:00.000Z' } }]);
    spec.given([given]).when(apply('2031-02-15T02:00:00.000Z', '2031-02-14')).thenThrows(RuleViolation, rule('R-REV-4'));
    // Without the calendar's answer the decider cannot count working days: it refuses to guess.
    expect(() => licenceDecider.decide(apply('2031-02-10T02:00:00.000Z'), [given].reduce(licenceDecider.evolve, licenceDecider.initialState()))).toThrow(/working days/);
  });

  it('R-REV-4: at expiry with no decision the renewal is deemed granted and the licence extended', () => {
    spec
      .given([issued(), applied])
      .when(deem('2031-03-09T16:00:00.000Z')) // 00:00 on 2031-03-10 in Shanghai: expiry has passed
      .thenSatisfies((events, after) => {
        expect(events).toEqual([
          {
            type: 'RenewalDeemedGranted',
            data: { renewalId: 'RNW-1', renewalAppliedAt: '2031-01-20T02:00:00.000Z', previousExpiry: '2031-03-09', renewedUntil: '2036-03-09', electronic: eLicence('2036-03-09', '2031-03-09T16:00:00.000Z'), deemedAt: '2031-03-09T16:00:00.000Z' },
          },
        ]);
        expect(after.status === 'issued' && after.validUntil).toBe('2036-03-09');
      });
  });

  it('R-REV-4: not before expiry: on the last valid day the trigger is refused', () => {
    spec.given([issued(), applied]).when(deem('2031-03-09T15:59:00.000Z')).thenThrows(RuleViolation, rule('R-REV-4'));
  });

  it('R-REV-4: a duplicate firing is harmless', () => {
    const first = licenceDecider.decide(deem('2031-03-10T01:00:00.000Z'), [issued(), applied].reduce(licenceDecider.evolve, licenceDecider.initialState()));
    spec.given([issued(), applied, ...first]).when(deem('2031-03-10T01:05:00.000Z')).thenNothingHappens();
  });

  it('R-REV-4: a renewal decided before expiry makes the trigger a no-op', () => {
    const refused: LicenceEvent = {
      type: 'RenewalDecided',
      data: { renewalId: 'RNW-1', outcome: 'refuse', reasons: [{ text: '经营条件发生变化' }], decidedAt: '2031-03-01T02:00:00.000Z', decidedBy: { staffId: 'staff-c1', department: 'market-regulation' } },
    };
    spec.given([issued(), applied, refused]).when(deem('2031-03-10T01:00:00.000Z')).thenNothingHappens();
  });

  it('R-REV-4: after expiry the office can no longer decide: the law has', () => {
    spec
      .given([issued(), applied])
      .when({ type: 'DecideRenewal', data: { renewalId: 'RNW-1', outcome: 'refuse', reasons: [{ text: '迟到的决定' }], decidedAt: '2031-03-10T02:00:00.000Z', decidedBy: { staffId: 'staff-c1', department: 'market-regulation' } } })
      .thenThrows(RuleViolation, rule('R-REV-4'));
  });

  it('R-REV-4: a grant before expiry extends by one validity period and re-signs the e-licence', () => {
    spec
      .given([issued(), applied])
      .when({ type: 'DecideRenewal', data: { renewalId: 'RNW-1', outcome: 'grant', electronic: eLicence('2036-03-09'), decidedAt: '2031-03-01T02:00:00.000Z', decidedBy: { staffId: 'staff-c1', department: 'market-regulation' } } })
      .thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'RenewalDecided', data: { outcome: 'grant', renewedUntil: '2036-03-09' } }));
    spec
      .given([issued(), applied])
      .when({ type: 'DecideRenewal', data: { renewalId: 'RNW-1', outcome: 'grant', electronic: null, decidedAt: '2031-03-01T02:00:00.000Z', decidedBy: { staffId: 'staff-c1', department: 'market-regulation' } } })
      .thenThrows(ValidationError);
  });

  it('R-REV-4: with no renewal applied for, the licence simply expires', () => {
    spec.given([issued()]).when(deem('2031-03-10T01:00:00.000Z')).thenThrows(RuleViolation, rule('R-REV-4'));
  });

  it('an unknown licence is 404', () => {
    spec.given([]).when(deem('2031-03-10T01:00:00.000Z')).thenThrows(NotFoundError);
  });

  it('validity months clamp to the end of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });
});
