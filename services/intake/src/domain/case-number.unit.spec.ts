import { describe, expect, it } from 'vitest';
import { deciderSpec } from '@govsvc/testkit/decider';
import { caseNumberDecider, formatCaseNumber, type CaseNumberEvent } from './case-number.ts';

const spec = deciderSpec(caseNumberDecider);
const a = '0b6f9a43-5c1e-4d2b-8f7a-1c2d3e4f5a6b';
const b = '1c7fab54-6d2f-4e3c-9a8b-2d3e4f5a6b7c';
const assigned = (caseId: string, sequence: number): CaseNumberEvent => ({
  type: 'CaseNumberAssigned',
  data: { caseId, caseNumber: formatCaseNumber('110105', '2026-11-26', sequence), sequence },
});

describe('case numbers', () => {
  it('R-ACC-1: the first case of the day in a region is 京<region><yyyymmdd>00001', () => {
    spec.given([]).when({ caseId: a, region: '110105', date: '2026-11-26' }).then([assigned(a, 1)]);
    expect(formatCaseNumber('110105', '2026-11-26', 1)).toBe('京1101052026112600001');
  });

  it('R-ACC-1: the next case takes the next number; the same case keeps its number', () => {
    spec.given([assigned(a, 1)]).when({ caseId: b, region: '110105', date: '2026-11-26' }).then([assigned(b, 2)]);
    spec.given([assigned(a, 1)]).when({ caseId: a, region: '110105', date: '2026-11-26' }).thenNothingHappens();
  });
});
