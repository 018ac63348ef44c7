import { beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '@govsvc/calendar/data-files';
import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import type { LegalChange } from '../guide/events.ts';
import { proofDecider } from './decider.ts';
import type { NewProofRequired, ProofEvent } from './events.ts';
import { catalogEntryOf } from './state.ts';

const spec = deciderSpec(proofDecider);
let calendar: WorkingCalendar;
beforeAll(async () => {
  calendar = await loadCalendar();
});

const AT = '2025-09-26T10:00:00+08:00';
const facts = {
  code: 'BJZM-0201',
  name: '无犯罪记录证明',
  issuer: '公安机关',
  legalBasis: [{ instrument: '《某某条例》', article: '第十条' }],
};
const legalChange: LegalChange = { instrument: '《某某条例》', kind: 'amended', effectiveOn: '2025-09-26' };

const GUIDES = ['GUIDE-0001', 'GUIDE-0002'];
const require = (requiredOn: string, requiredBy = GUIDES) => ({
  type: 'RequireNewProof' as const,
  data: { ...facts, department: '北京市某某局', requiredBy, legalChange, requiredOn, requiredAt: AT, calendar },
});
const required = (due: string): NewProofRequired => ({
  type: 'NewProofRequired',
  data: {
    ...facts,
    department: '北京市某某局',
    requiredBy: GUIDES,
    legalChange,
    requiredOn: '2025-09-26',
    requiredAt: AT,
    filingDue: { workingDays: 15, due, dueAt: `${due}T23:59:59.999+08:00`, provisional: false, calendarVersion: expect.any(String) as unknown as string },
  },
});
const file = (filedOn: string, updatedGuides = GUIDES, filingReference = 'BA-2025-001') => ({
  type: 'FileProof' as const,
  data: { filedOn, filingReference, updatedGuides, filedAt: `${filedOn}T09:00:00+08:00` },
});

describe('retained-proof decider', () => {
  it('R-CAT-7: a newly required proof gets a 15-working-day filing deadline on the statutory calendar', () => {
    // Required on Friday 26 September 2025: 28 September (a Sunday) is an adjusted working day,
    // 1–8 October are the National Day and Mid-Autumn holidays, 11 October (a Saturday) works.
    spec.given([]).when(require('2025-09-26')).then([required('2025-10-23')]);
  });

  it('R-CAT-7: a deadline into a year whose holidays are not published is provisional', () => {
    spec
      .given([])
      .when(require('2026-12-20'))
      .thenSatisfies(([event]) => {
        expect(event?.type === 'NewProofRequired' && event.data.filingDue.provisional).toBe(true);
      });
  });

  it('R-CAT-7: filing in time makes the proof retained, naming the guides updated with it', () => {
    const history: ProofEvent[] = [required('2025-10-23')];
    spec
      .given(history)
      .when(file('2025-10-23'))
      .thenSatisfies((events, state) => {
        expect(events).toEqual([
          { type: 'ProofFiled', data: { code: facts.code, filedOn: '2025-10-23', filingReference: 'BA-2025-001', late: false, updatedGuides: GUIDES, filedAt: '2025-10-23T09:00:00+08:00' } },
        ]);
        expect(catalogEntryOf(state)).toEqual({ code: facts.code, name: facts.name, status: 'retained' });
      });
  });

  it('R-CAT-7: a late filing is accepted and recorded as late', () => {
    spec
      .given([required('2025-10-23')])
      .when(file('2025-10-24'))
      .thenSatisfies(([event]) => expect(event?.type === 'ProofFiled' && event.data.late).toBe(true));
  });

  it('R-CAT-7: a filing updates the guides at the same time, so it must name every guide that demands the proof', () => {
    spec.given([required('2025-10-23')]).when(file('2025-10-20', [])).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7');
    spec
      .given([required('2025-10-23')])
      .when(file('2025-10-20', ['GUIDE-0001']))
      .thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7' && JSON.stringify(e.details.missing) === '["GUIDE-0002"]');
  });

  it('R-CAT-7: a new proof names the guides that will demand it', () => {
    spec.given([]).when(require('2025-09-26', [])).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7');
  });

  it('R-CAT-7: the proof awaiting filing is in the catalog as pending, with its due date', () => {
    spec
      .given([])
      .when(require('2025-09-26'))
      .thenSatisfies((_events, state) => {
        expect(catalogEntryOf(state)).toEqual({ code: facts.code, name: facts.name, status: 'pending-filing', filingDue: '2025-10-23' });
      });
  });

  it('a filing cannot predate the requirement', () => {
    spec.given([required('2025-10-23')]).when(file('2025-09-01')).thenThrows(ValidationError);
  });

  it('R-CAT-7: a proof already retained is not required again, nor filed twice under another reference', () => {
    const catalogued: ProofEvent = { type: 'RetainedProofCatalogued', data: { ...facts, cataloguedAt: AT } };
    spec.given([catalogued]).when(require('2025-09-26')).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7');
    spec.given([catalogued]).when(file('2025-10-01', ['G'], 'BA-OTHER')).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7');
  });

  it('repeating the same filing is a retry', () => {
    const filed: ProofEvent = {
      type: 'ProofFiled',
      data: { code: facts.code, filedOn: '2025-10-20', filingReference: 'BA-2025-001', late: false, updatedGuides: GUIDES, filedAt: AT },
    };
    spec.given([required('2025-10-23'), filed]).when(file('2025-10-20')).thenNothingHappens();
  });

  it('catalogues an existing retained proof once; loading the catalog again changes nothing', () => {
    const command = { type: 'CatalogueRetainedProof' as const, data: { ...facts, cataloguedAt: AT } };
    spec.given([]).when(command).then([{ type: 'RetainedProofCatalogued', data: { ...facts, cataloguedAt: AT } }]);
    spec.given([{ type: 'RetainedProofCatalogued', data: { ...facts, cataloguedAt: AT } }]).when(command).thenNothingHappens();
  });

  it('R-CAT-7: an abolished proof leaves the catalog (and guides citing it fail their lint)', () => {
    spec
      .given([{ type: 'RetainedProofCatalogued', data: { ...facts, cataloguedAt: AT } }])
      .when({ type: 'AbolishProof', data: { reason: '清理证明事项', abolishedAt: AT } })
      .thenSatisfies((_events, state) => expect(catalogEntryOf(state)?.status).toBe('abolished'));
  });

  it('R-CAT-7: filing something never required is refused', () => {
    spec.given([]).when(file('2025-10-01')).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-7');
  });
});
