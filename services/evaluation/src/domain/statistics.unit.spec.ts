import { describe, expect, it } from 'vitest';
import { ratingStatisticsCsv, csvField, UTF8_BOM } from './csv.ts';
import { applyToStatistics, emptyStatistics, phoneAnswerRates, ratingStatistics, complaintStatistics, type StatisticsEvent } from './statistics.ts';
import type { RatingLevel } from './values.ts';
import { rectificationDue } from './values.ts';

const A = '北京市市场监督管理局';
const B = '北京市公安局';

function rated(ratingId: string, level: RatingLevel, at: string, department: string | null = A, centre: string | null = 'BJ-CENTRE-01'): StatisticsEvent[] {
  const events: StatisticsEvent[] = [
    {
      type: 'RatingSubmitted',
      data: {
        caseId: `C-${ratingId}`,
        ratingId,
        occasion: { kind: 'online', occasionId: `C-${ratingId}` },
        channel: 'website',
        level,
        indicators: { efficiency: 1 },
        comment: null,
        named: false,
        raterRef: 'r',
        department,
        itemCode: department === A ? 'ITEM-FOOD' : 'ITEM-HUKOU',
        serviceCentre: centre,
        invitationId: null,
        submittedAt: at,
      },
    },
  ];
  if (level === 'dissatisfied' || level === 'very-dissatisfied') {
    const due = rectificationDue(at);
    events.push({ type: 'RectificationOpened', data: { caseId: `C-${ratingId}`, ratingId, department, openedAt: at, dueDate: due.date, dueAt: due.at } });
  }
  return events;
}

const feedback = (ratingId: string, at: string, withinLimit: boolean): StatisticsEvent => ({
  type: 'RectificationFeedbackGiven',
  data: { caseId: `C-${ratingId}`, ratingId, outcome: 'rectified', measures: 'm', feedback: 'f', givenBy: { staffId: 'S', department: A }, givenAt: at, withinLimit },
});

function modelOf(events: readonly StatisticsEvent[]) {
  const model = emptyStatistics();
  for (const e of events) applyToStatistics(model, e);
  return model;
}

// March 2026, Beijing days: ratings on the 10th (two in A), one bad in B on the 11th, one in April.
const history: StatisticsEvent[] = [
  ...rated('R1', 'very-satisfied', '2026-03-10T02:00:00.000Z'),
  ...rated('R2', 'dissatisfied', '2026-03-10T03:00:00.000Z'),
  feedback('R2', '2026-03-12T02:00:00.000Z', true),
  ...rated('R3', 'basically-satisfied', '2026-03-10T04:00:00.000Z'),
  ...rated('R4', 'very-dissatisfied', '2026-03-11T02:00:00.000Z', B, null),
  ...rated('R5', 'very-dissatisfied', '2026-03-11T03:00:00.000Z', B, null),
  {
    type: 'RatingReviewed',
    data: { caseId: 'C-R5', ratingId: 'R5', outcome: 'malicious', reason: '恶意差评', reviewedBy: 'SUP', reviewedAt: '2026-03-12T02:00:00.000Z', closesRectification: true, withinLimit: true },
  },
  ...rated('R6', 'satisfied', '2026-04-01T02:00:00.000Z'),
];

describe('rating statistics (R-EVAL-4)', () => {
  it('R-EVAL-4: satisfaction rate, bad ratings and rectification on-time rate by department; excluded ratings do not count', () => {
    const stats = ratingStatistics(modelOf(history), { groupBy: 'department', from: '2026-03-01', to: '2026-03-31', asOf: '2026-03-13T00:00:00.000Z' });
    expect(stats.rows.map((r) => r.key)).toEqual([B, A].sort());
    const a = stats.rows.find((r) => r.key === A)!;
    expect(a).toMatchObject({ ratings: 3, satisfied: 2, bad: 1, excluded: 0, satisfactionRate: 0.6667, rectificationsDue: 1, rectifiedOnTime: 1, rectificationOnTimeRate: 1 });
    const b = stats.rows.find((r) => r.key === B)!;
    // R4 is still within its 7 days on the 13th: not yet due, so no rate.
    expect(b).toMatchObject({ ratings: 1, bad: 1, excluded: 1, satisfactionRate: 0, rectificationsDue: 0, rectificationsOpen: 1, rectificationOnTimeRate: null });
    expect(stats.total).toMatchObject({ ratings: 4, satisfied: 2, bad: 2, excluded: 1, satisfactionRate: 0.5 });
  });

  it('R-EVAL-3: an open rectification past its 7th day counts as late', () => {
    const stats = ratingStatistics(modelOf(history), { groupBy: 'department', department: B, asOf: '2026-03-18T16:00:00.000Z' });
    expect(stats.rows).toEqual([expect.objectContaining({ key: B, rectificationsDue: 1, rectifiedOnTime: 0, rectificationOnTimeRate: 0 })]);
  });

  it('R-EVAL-4: by item, by centre (online cases without a centre last) and by month', () => {
    const model = modelOf(history);
    const asOf = '2026-05-01T00:00:00.000Z';
    expect(ratingStatistics(model, { groupBy: 'item', asOf }).rows.map((r) => [r.key, r.ratings])).toEqual([
      ['ITEM-FOOD', 4],
      ['ITEM-HUKOU', 1],
    ]);
    expect(ratingStatistics(model, { groupBy: 'centre', asOf }).rows.map((r) => [r.key, r.ratings])).toEqual([
      ['BJ-CENTRE-01', 4],
      [null, 1],
    ]);
    expect(ratingStatistics(model, { groupBy: 'month', asOf }).rows.map((r) => [r.key, r.ratings])).toEqual([
      ['2026-03', 4],
      ['2026-04', 1],
    ]);
  });

  it('R-EVAL-4: a rating belongs to its Beijing day: 23:30 UTC on the 9th is the 10th in Beijing', () => {
    const model = modelOf(rated('R9', 'satisfied', '2026-03-09T23:30:00.000Z'));
    expect(ratingStatistics(model, { groupBy: 'day', asOf: '2026-04-01T00:00:00.000Z' }).rows.map((r) => r.key)).toEqual(['2026-03-10']);
  });
});

describe('phone first-call answer rate (R-CONS-1)', () => {
  it('R-CONS-1: computed per centre and flagged unless above 90%', () => {
    const calls: StatisticsEvent[] = [];
    const log = (centre: string, n: number, answered: number) => {
      for (let i = 0; i < n; i++) {
        calls.push({ type: 'PhoneCallLogged', data: { callId: `${centre}-${i}`, serviceCentre: centre, receivedAt: '2026-03-10T02:00:00.000Z', answeredOnFirstAttempt: i < answered } });
      }
    };
    log('C-GOOD', 20, 19);
    log('C-EDGE', 10, 9);
    log('C-BAD', 10, 8);
    expect(phoneAnswerRates(modelOf(calls), {})).toEqual([
      { centre: 'C-BAD', calls: 10, answeredOnFirstAttempt: 8, rate: 0.8, belowTarget: true },
      { centre: 'C-EDGE', calls: 10, answeredOnFirstAttempt: 9, rate: 0.9, belowTarget: true },
      { centre: 'C-GOOD', calls: 20, answeredOnFirstAttempt: 19, rate: 0.95, belowTarget: false },
    ]);
    expect(phoneAnswerRates(modelOf(calls), { from: '2026-03-11' })).toEqual([]);
  });
});

describe('complaint statistics (R-EVAL-1)', () => {
  it('R-EVAL-1: received, answered and answered on time per department', () => {
    const model = modelOf([
      { type: 'ComplaintReceived', data: { complaintId: 'CP-1', channel: '12345-hotline', caseId: null, serviceCentre: null, department: A, summary: 's', complainantRef: null, receivedAt: '2026-03-10T02:00:00.000Z', limitWorkingDays: 5, dueDate: '2026-03-17', provisional: false } },
      { type: 'ComplaintReceived', data: { complaintId: 'CP-2', channel: 'website', caseId: null, serviceCentre: null, department: A, summary: 's', complainantRef: null, receivedAt: '2026-03-10T02:00:00.000Z', limitWorkingDays: 5, dueDate: '2026-03-17', provisional: false } },
      { type: 'ComplaintAnswered', data: { complaintId: 'CP-1', caseId: null, answer: 'a', handling: 'h', answeredBy: { staffId: 'S', department: A }, answeredAt: '2026-03-11T02:00:00.000Z', withinLimit: true } },
    ]);
    expect(complaintStatistics(model, {})).toEqual([{ department: A, received: 2, answered: 1, answeredOnTime: 1 }]);
  });
});

describe('CSV export (R-EVAL-4)', () => {
  it('R-EVAL-4: UTF-8 with BOM, CRLF, Chinese headers, percentages, a total line; the same figures as the API', () => {
    const stats = ratingStatistics(modelOf(history), { groupBy: 'department', from: '2026-03-01', to: '2026-03-31', asOf: '2026-03-13T00:00:00.000Z' });
    const csv = ratingStatisticsCsv(stats);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('部门,有效评价数,非常满意,满意,基本满意,不满意,非常不满意,好评数,差评数,满意率,复核剔除数,应整改数,按期整改数,整改中,整改按期率');
    expect(lines).toContain(`${A},3,1,0,1,1,0,2,1,66.67%,0,1,1,0,100.00%`);
    expect(lines).toContain(`${B},1,0,0,0,0,1,0,1,0.00%,1,0,0,1,`);
    expect(lines.at(-2)).toBe('合计,4,1,0,1,1,1,2,2,50.00%,1,1,1,1,100.00%');
  });

  it('R-EVAL-4: quotes commas, quotes and line breaks; defuses formulas', () => {
    expect(csvField('北京市,朝阳区')).toBe('"北京市,朝阳区"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });
});

describe('late department', () => {
  it('R-EVAL-4: a rating counted before its department was known moves under that department', () => {
    const model = modelOf([
      ...rated('R7', 'satisfied', '2026-03-10T02:00:00.000Z', null),
      { type: 'ResponsibleDepartmentAssigned', data: { caseId: 'C-R7', department: B, source: 'acceptance', assignedAt: '2026-03-10T03:00:00.000Z' } },
    ]);
    expect(ratingStatistics(model, { groupBy: 'department', asOf: '2026-04-01T00:00:00.000Z' }).rows.map((r) => [r.key, r.ratings])).toEqual([[B, 1]]);
  });
});
