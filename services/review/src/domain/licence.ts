/**
 * Licences (stream `licence-<licenceId>`): issuance in the forms the
 * applicant chose (R-REV-3), and renewal (R-REV-4; Licensing Law Art. 50):
 * applied for at least N days before expiry (30 unless the item says
 * otherwise), decided before expiry, and deemed granted, automatically, when
 * expiry passes without a decision.
 */
import { z } from 'zod';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { addDays, civilDate, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import { requireReasons } from './guards.ts';
import { Applicant, CalendarDate, Id, Instant, LicenceForm, Reason, RenewalLeadUnit, StaffRef } from './values.ts';

/** The signed electronic licence: an Ed25519 signature by a seal key over `licenceDocument`. */
export const ElectronicLicence = z.object({
  keyId: Id,
  algorithm: z.literal('Ed25519'),
  signature: z.string().min(16).max(200),
  /** Validity the signed document states (a renewal re-signs it). */
  validUntil: CalendarDate.nullable(),
  signedAt: Instant,
});
export type ElectronicLicence = z.infer<typeof ElectronicLicence>;

export const LicenceIssued = z.object({
  licenceId: Id,
  caseId: Id,
  itemCode: Id,
  itemName: z.string().min(1).max(200),
  resultName: z.string().min(1).max(200),
  holder: Applicant,
  /** The department that decided the case: it decides renewals too. */
  department: z.string().min(1).max(100),
  forms: z.array(LicenceForm).min(1).max(2),
  electronic: ElectronicLicence.nullable(),
  validFrom: CalendarDate,
  validUntil: CalendarDate.nullable(),
  validityMonths: z.int().min(1).max(1200).nullable(),
  renewalLeadDays: z.int().min(0).max(365),
  // Licences issued before the catalog stated the unit counted calendar days (Art. 50).
  renewalLeadUnit: RenewalLeadUnit.default('calendar-days'),
  approvedAt: Instant,
  issuedAt: Instant,
  /** Licensing Law Art. 44: issued within 10 working days of approval (computed by the app on the calendar). */
  withinIssueLimit: z.boolean(),
});

export const RenewalApplied = z.object({ renewalId: Id, appliedAt: Instant, expiry: CalendarDate, department: z.string().min(1).max(100) });

export const RenewalDecided = z.discriminatedUnion('outcome', [
  z.object({ renewalId: Id, outcome: z.literal('grant'), renewedUntil: CalendarDate, electronic: ElectronicLicence.nullable(), decidedAt: Instant, decidedBy: StaffRef }),
  z.object({ renewalId: Id, outcome: z.literal('refuse'), reasons: z.array(Reason).min(1), decidedAt: Instant, decidedBy: StaffRef }),
]);

export const RenewalDeemedGranted = z.object({
  renewalId: Id,
  renewalAppliedAt: Instant,
  previousExpiry: CalendarDate,
  renewedUntil: CalendarDate,
  electronic: ElectronicLicence.nullable(),
  deemedAt: Instant,
});

export type LicenceEvent =
  | { type: 'LicenceIssued'; data: z.output<typeof LicenceIssued> }
  | { type: 'RenewalApplied'; data: z.output<typeof RenewalApplied> }
  | { type: 'RenewalDecided'; data: z.output<typeof RenewalDecided> }
  | { type: 'RenewalDeemedGranted'; data: z.output<typeof RenewalDeemedGranted> };

export const licenceEventDefinitions: EventDefinitions<LicenceEvent> = {
  LicenceIssued: { schemaVersion: 1, schema: LicenceIssued },
  RenewalApplied: { schemaVersion: 1, schema: RenewalApplied },
  RenewalDecided: { schemaVersion: 1, schema: RenewalDecided },
  RenewalDeemedGranted: { schemaVersion: 1, schema: RenewalDeemedGranted },
};

export interface RenewalState {
  readonly renewalId: string;
  readonly appliedAt: string;
  readonly outcome: 'pending' | 'granted' | 'refused' | 'deemed-granted';
}

export type LicenceState =
  | { readonly status: 'none' }
  | {
      readonly status: 'issued';
      readonly licence: z.output<typeof LicenceIssued>;
      readonly validUntil: string | null;
      readonly electronic: ElectronicLicence | null;
      readonly renewals: readonly RenewalState[];
    };

export type IssueLicence = { type: 'IssueLicence'; data: z.output<typeof LicenceIssued> };
/**
 * `applyBy`: the last day a renewal may be applied for, computed by the app on
 * the working-day calendar (needed when the lead time counts working days; a
 * calendar-day lead time is computed here when it is absent).
 */
export type ApplyForRenewal = { type: 'ApplyForRenewal'; data: { renewalId: string; appliedAt: string; applyBy?: string } };
export type DecideRenewal = {
  type: 'DecideRenewal';
  data:
    | { renewalId: string; outcome: 'grant'; electronic: ElectronicLicence | null; decidedAt: string; decidedBy: z.output<typeof StaffRef> }
    | { renewalId: string; outcome: 'refuse'; reasons: z.output<typeof Reason>[]; decidedAt: string; decidedBy: z.output<typeof StaffRef> };
};
/** Fired by supervision at expiry (R-REV-4); a duplicate firing or a decided renewal makes it a no-op. */
export type DeemRenewalGranted = { type: 'DeemRenewalGranted'; data: { at: string; electronic: ElectronicLicence | null } };
export type LicenceCommand = IssueLicence | ApplyForRenewal | DecideRenewal | DeemRenewalGranted;

export const licenceStream = (licenceId: string): string => `licence-${licenceId}`;

/** `months` calendar months after `date`, clamped to the month's last day (2026-01-31 + 1 → 2026-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The new expiry of a renewal: one validity period after the current expiry. */
export function renewedUntilOf(state: LicenceState): string | null {
  if (state.status === 'none' || state.validUntil === null || state.licence.validityMonths === null) return null;
  return addMonths(state.validUntil, state.licence.validityMonths);
}

/** The canonical document an e-licence's signature covers: what a verifier recomputes. */
export interface LicenceDocument {
  readonly kind: 'licence';
  readonly licenceId: string;
  readonly caseId: string;
  readonly itemCode: string;
  readonly resultName: string;
  /** Masked only: the document is shown to anyone who verifies it, so the opaque applicant ref stays out (PIPL). */
  readonly holder: { readonly kind: string; readonly maskedId: string };
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly signedAt: string;
}

export function licenceDocument(
  licence: Pick<z.output<typeof LicenceIssued>, 'licenceId' | 'caseId' | 'itemCode' | 'resultName' | 'holder' | 'validFrom'>,
  validUntil: string | null,
  signedAt: string,
): LicenceDocument {
  return {
    kind: 'licence',
    licenceId: licence.licenceId,
    caseId: licence.caseId,
    itemCode: licence.itemCode,
    resultName: licence.resultName,
    holder: { kind: licence.holder.kind, maskedId: licence.holder.maskedId },
    validFrom: licence.validFrom,
    validUntil,
    signedAt,
  };
}

const pendingRenewal = (s: Extract<LicenceState, { status: 'issued' }>) => s.renewals.find((r) => r.outcome === 'pending');

function requireLicence(state: LicenceState): Extract<LicenceState, { status: 'issued' }> {
  if (state.status === 'none') throw new NotFoundError('no such licence');
  return state;
}

function requireElectronicWhenIssuedSo(s: Extract<LicenceState, { status: 'issued' }>, electronic: ElectronicLicence | null, renewedUntil: string): void {
  if (s.licence.forms.includes('electronic') && (electronic === null || electronic.validUntil !== renewedUntil)) {
    throw new ValidationError('an electronic licence is re-signed with its new validity', [{ path: '/electronic', reason: `signed for ${renewedUntil} required`, rule: 'R-REV-3' }]);
  }
}

export const licenceDecider: Decider<LicenceState, LicenceCommand, LicenceEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'LicenceIssued':
        return { status: 'issued', licence: event.data, validUntil: event.data.validUntil, electronic: event.data.electronic, renewals: [] };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'RenewalApplied':
        return { ...state, renewals: [...state.renewals, { renewalId: event.data.renewalId, appliedAt: event.data.appliedAt, outcome: 'pending' }] };
      case 'RenewalDecided': {
        const granted = event.data.outcome === 'grant';
        return {
          ...state,
          validUntil: event.data.outcome === 'grant' ? event.data.renewedUntil : state.validUntil,
          electronic: event.data.outcome === 'grant' ? (event.data.electronic ?? state.electronic) : state.electronic,
          renewals: state.renewals.map((r) => (r.renewalId === event.data.renewalId ? { ...r, outcome: granted ? 'granted' : 'refused' } : r)),
        };
      }
      case 'RenewalDeemedGranted':
        return {
          ...state,
          validUntil: event.data.renewedUntil,
          electronic: event.data.electronic ?? state.electronic,
          renewals: state.renewals.map((r) => (r.renewalId === event.data.renewalId ? { ...r, outcome: 'deemed-granted' } : r)),
        };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'IssueLicence': {
        if (state.status !== 'none') return [];
        const d = command.data;
        if (d.forms.includes('electronic') !== (d.electronic !== null)) {
          throw new ValidationError('an electronic licence is issued signed, and only when asked for', [{ path: '/electronic', reason: 'does not match the forms', rule: 'R-REV-3' }]);
        }
        if (d.validUntil !== null && d.validUntil < d.validFrom) throw new ValidationError('validity ends after it starts', [{ path: '/validUntil', reason: 'before validFrom' }]);
        return [{ type: 'LicenceIssued', data: d }];
      }
      case 'ApplyForRenewal': {
        const s = requireLicence(state);
        const d = command.data;
        if (s.renewals.some((r) => r.renewalId === d.renewalId)) return [];
        if (s.validUntil === null) throw new RuleViolation('R-REV-4', 'this licence does not expire; there is nothing to renew');
        if (pendingRenewal(s)) throw new RuleViolation('R-REV-4', 'a renewal is already pending');
        const working = s.licence.renewalLeadUnit === 'working-days';
        if (working && d.applyBy === undefined) throw new Error('a lead time in working days needs the last application day from the calendar');
        const latest = d.applyBy ?? addDays(civilDate(s.validUntil), -s.licence.renewalLeadDays);
        if (shanghaiDateOf(d.appliedAt) > latest) {
          const lead = `${s.licence.renewalLeadDays} ${working ? 'working days' : 'days'}`;
          throw new RuleViolation('R-REV-4', `a renewal is applied for at least ${lead} before expiry (${s.validUntil}): by ${latest} (Licensing Law Art. 50 and the item's rule)`);
        }
        return [{ type: 'RenewalApplied', data: { renewalId: d.renewalId, appliedAt: d.appliedAt, expiry: s.validUntil, department: s.licence.department } }];
      }
      case 'DecideRenewal': {
        const s = requireLicence(state);
        const d = command.data;
        const renewal = s.renewals.find((r) => r.renewalId === d.renewalId);
        if (!renewal) throw new NotFoundError(`no renewal ${d.renewalId}`);
        if (renewal.outcome !== 'pending') throw new RuleViolation('R-REV-4', `renewal ${d.renewalId} is already ${renewal.outcome}`);
        // Past expiry the law has decided already: the renewal is deemed granted.
        if (s.validUntil !== null && shanghaiDateOf(d.decidedAt) > s.validUntil) {
          throw new RuleViolation('R-REV-4', `the licence expired on ${s.validUntil} without a decision: the renewal is deemed granted`);
        }
        if (d.outcome === 'refuse') {
          requireReasons(d.reasons, '/reasons', 'R-REV-2');
          return [{ type: 'RenewalDecided', data: { renewalId: d.renewalId, outcome: 'refuse', reasons: d.reasons, decidedAt: d.decidedAt, decidedBy: d.decidedBy } }];
        }
        const renewedUntil = renewedUntilOf(s) as string;
        requireElectronicWhenIssuedSo(s, d.electronic, renewedUntil);
        return [{ type: 'RenewalDecided', data: { renewalId: d.renewalId, outcome: 'grant', renewedUntil, electronic: d.electronic, decidedAt: d.decidedAt, decidedBy: d.decidedBy } }];
      }
      case 'DeemRenewalGranted': {
        const s = requireLicence(state);
        const d = command.data;
        const latest = s.renewals[s.renewals.length - 1];
        if (!latest) throw new RuleViolation('R-REV-4', 'no renewal was applied for: the licence simply expires');
        // Decided, refused or deemed already (a duplicate firing): nothing to do.
        if (latest.outcome !== 'pending') return [];
        const expiry = s.validUntil as string;
        if (shanghaiDateOf(d.at) <= expiry) {
          throw new RuleViolation('R-REV-4', `the licence is valid until the end of ${expiry}; a renewal is deemed granted only after that`);
        }
        const renewedUntil = renewedUntilOf(s) as string;
        requireElectronicWhenIssuedSo(s, d.electronic, renewedUntil);
        return [
          {
            type: 'RenewalDeemedGranted',
            data: { renewalId: latest.renewalId, renewalAppliedAt: latest.appliedAt, previousExpiry: expiry, renewedUntil, electronic: d.electronic, deemedAt: d.at },
          },
        ];
      }
    }
  },
};
