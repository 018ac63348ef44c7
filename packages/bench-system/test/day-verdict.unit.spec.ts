import { describe, expect, it } from 'vitest';
import { dayVerdict, TEN_MINUTE_RATE } from '../src/day-verdict.ts';

// Issue 8: the whole day (250,000 cases) in under 10 minutes, driven at 20× the day's average (57.9 cases/s).
describe("the megacity day's verdict on the 10-minute target", () => {
  it('needs 417 cases/s: 250,000 cases in 600 s', () => {
    expect(TEN_MINUTE_RATE).toBeCloseTo(416.67, 2);
  });

  it('does not judge a run that kept up with a rate below that: the 72 minutes are the offered schedule, not the system', () => {
    const v = dayVerdict({ offeredRate: 57.87, completedRate: 57.7, keptUp: true });
    expect(v.verdict).toBe('NOT SHOWN');
    expect(v.capacity).toEqual({ casesPerS: 57.87, atLeast: true });
    expect(v.fullDayMinutes).toBeCloseTo(72, 0);
    expect(v.explanation).toContain('by construction');
    expect(v.explanation).toContain('--rate');
  });

  it('takes the completed rate as the capacity when the system fell behind, and judges the day by it', () => {
    const v = dayVerdict({ offeredRate: 150, completedRate: 65.6, keptUp: false });
    expect(v.verdict).toBe('MISS');
    expect(v.capacity).toEqual({ casesPerS: 65.6, atLeast: false });
    expect(v.fullDayMinutes).toBeCloseTo(250_000 / 65.6 / 60, 6);
    expect(v.explanation).toContain('0.16×');
  });

  it('passes a run that kept up with the 10-minute rate or more', () => {
    expect(dayVerdict({ offeredRate: 450, completedRate: 449, keptUp: true }).verdict).toBe('PASS');
  });

  it('passes a run that fell behind a higher rate but still completed more than 417 cases/s', () => {
    expect(dayVerdict({ offeredRate: 900, completedRate: 500, keptUp: false }).verdict).toBe('PASS');
  });

  it('misses when the system fell behind a rate below the 10-minute one', () => {
    const v = dayVerdict({ offeredRate: 57.87, completedRate: 41.7, keptUp: false });
    expect(v.verdict).toBe('MISS');
    expect(v.fullDayMinutes).toBeCloseTo(100, 0);
  });
});
