import { describe, expect, it } from 'vitest';
import { completeResidentId, completeUscc } from '../test/generate.ts';
import { identify } from './identify.ts';

const today = '2026-11-26';

describe('identify (R-ID-1: one certificate)', () => {
  it('R-ID-1: tells a resident ID number from a unified social credit code', () => {
    expect(identify('11010519491231002X', { today })).toMatchObject({ valid: true, kind: 'resident-id' });
    expect(identify('91350100M000100Y43', { today })).toMatchObject({ valid: true, kind: 'uscc' });
    expect(identify('110105491231002', { today })).toMatchObject({ valid: true, kind: 'resident-id', parsed: { legacy15: '110105491231002' } });
  });

  it('R-ID-1: an all-digit organisation code is recognised as a USCC when it is not a person\'s number', () => {
    const digitsOnly = completeUscc('9111000010000002');
    expect(/^\d{17}[\dX]$/.test(digitsOnly)).toBe(true);
    expect(identify(digitsOnly, { today })).toMatchObject({ valid: true, kind: 'uscc' });
  });

  it('R-ID-1: reports the problems of the kind the number looks like', () => {
    expect(identify('110105194912310021', { today })).toEqual({
      valid: false,
      kind: 'resident-id',
      issues: [{ path: 'number', reason: 'check character (position 18) should be X, not 1', rule: 'R-ID-1' }],
    });
    expect(identify('91350100M000100Y44', { today })).toMatchObject({
      valid: false,
      kind: 'uscc',
      issues: [{ reason: 'check character (position 18) should be 3, not 4' }],
    });
    expect(identify(completeResidentId('11010520300101001'), { today })).toMatchObject({
      valid: false,
      kind: 'resident-id',
      issues: [{ reason: 'birth date 2030-01-01 is after today (2026-11-26)' }],
    });
    expect(identify('12345', { today })).toMatchObject({ valid: false, kind: 'unknown' });
  });
});
