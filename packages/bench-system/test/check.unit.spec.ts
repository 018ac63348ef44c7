import { describe, expect, it } from 'vitest';
import { renderChart } from '../src/chart.ts';
import { breachLag, checkRelayed, checkStored, wallWhenPassed } from '../src/check.ts';
import { planCase } from '../src/day.ts';
import { percentile, seededRandom } from '../src/stats.ts';

describe('the stored-once check', () => {
  it('passes when every 2xx command has its events once', () => {
    const result = checkStored(['bench-1-submit', 'bench-1-accept'], [
      { correlationId: 'bench-1-submit', stream: 'application-a', type: 'ApplicationSubmitted' },
      { correlationId: 'bench-1-submit', stream: 'casenumber-x', type: 'CaseNumberTaken' },
      { correlationId: 'bench-1-accept', stream: 'application-a', type: 'CaseAccepted' },
    ]);
    expect(result).toEqual({ commandsOk: 2, commandsWithoutEvents: [], duplicatedEffects: [] });
  });

  it('finds a 2xx command with nothing stored, and one whose effect was stored twice', () => {
    const result = checkStored(['bench-1-submit', 'bench-2-submit'], [
      { correlationId: 'bench-1-submit', stream: 'application-a', type: 'ApplicationSubmitted' },
      { correlationId: 'bench-1-submit', stream: 'application-a', type: 'ApplicationSubmitted' },
      { correlationId: 'bench-9-submit', stream: 'application-z', type: 'ApplicationSubmitted' },
    ]);
    expect(result.commandsWithoutEvents).toEqual(['bench-2-submit']);
    expect(result.duplicatedEffects).toEqual(['bench-1-submit: application-a ApplicationSubmitted ×2']);
  });
});

describe('the relayed check', () => {
  const events = [
    { id: 'e1', type: 'ApplicationSubmitted' },
    { id: 'e2', type: 'ApplicationSubmitted' },
    { id: 'e3', type: 'CaseNumberTaken' },
  ];

  it('counts an event of a published type that never arrived as missing, and internal types not at all', () => {
    const result = checkRelayed(events, ['e1']);
    expect(result.missing).toBe(1);
    expect(result.byType).toEqual([
      { type: 'ApplicationSubmitted', stored: 2, relayed: 1 },
      { type: 'CaseNumberTaken', stored: 1, relayed: 0 },
    ]);
  });

  it('counts a message id seen twice as a duplicate', () => {
    const result = checkRelayed(events, ['e1', 'e2', 'e2', 'other']);
    expect(result).toMatchObject({ missing: 0, duplicateIds: 1, messages: 4 });
  });
});

describe('breach lag', () => {
  it('starts at the first clock move past the due instant', () => {
    const moves = [{ wallMs: 100, clockMs: 1_000 }, { wallMs: 200, clockMs: 2_000 }, { wallMs: 300, clockMs: 3_000 }];
    expect(wallWhenPassed(moves, 1_500)).toBe(200);
    expect(wallWhenPassed(moves, 2_000)).toBe(300);
    expect(wallWhenPassed(moves, 5_000)).toBeNull();
  });
});

describe('helpers', () => {
  it('percentile by rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it('the case mix is reproducible and near its shares', () => {
    const random = seededRandom(7);
    const plans = Array.from({ length: 20_000 }, () => planCase(random));
    const share = (o: string) => plans.filter((p) => p.outcome === o).length / plans.length;
    expect(share('accepted')).toBeGreaterThan(0.68);
    expect(share('accepted')).toBeLessThan(0.74);
    expect(share('not-accepted')).toBeGreaterThan(0.03);
    const again = seededRandom(7);
    expect(planCase(again)).toEqual(plans[0]);
  });

  it('the chart is one SVG document with both panels and escaped text', () => {
    const svg = renderChart({
      title: 'a <day> & night',
      throughput: [{ label: 'stored', colour: '#000', values: [1, 2, Number.NaN, 4] }],
      lag: [{ label: 'lag', colour: '#111', values: [10, 20] }],
      lagDots: { label: 'breaches', colour: '#f00', points: [[1, 300]] },
      marks: [[2, 'arrivals end']],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &lt;day&gt; &amp; night');
    expect(svg).toContain('Throughput per second');
    expect(svg).toContain('<circle');
  });
});

describe('breach lag', () => {
  it('counts from the due instant passing, or from the opening when the deadline was opened already past due', () => {
    // Opened before the clock passed its due instant: both ways count from the clock's passing.
    expect(breachLag({ dueAtMs: 0, openedMs: 1_000, recordedMs: 5_300 }, 5_000)).toEqual({ fromDue: 300, fromClock: 300 });
    // Opened 40 s after the clock passed it (the chain that opens it was slow): supervision reacted in 200 ms.
    expect(breachLag({ dueAtMs: 0, openedMs: 45_000, recordedMs: 45_200 }, 5_000)).toEqual({ fromDue: 200, fromClock: 40_200 });
  });
});
