import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { describe, expect, it } from 'vitest';
import { policyDecider, publicationStatus, type PolicyCommand, type PolicyEvent } from './policy.ts';

const spec = deciderSpec(policyDecider);
const NOW = '2025-03-03T01:00:00.000Z';
const TODAY = '2025-03-03';
const recordData = { policyId: 'bj-2025-7', title: '关于进一步优化政务服务的若干措施', issuer: '北京市政务服务管理局', madeOn: '2025-03-03', publicationDue: { date: '2025-03-24', provisional: false } };
const record: Extract<PolicyCommand, { type: 'RecordPolicy' }> = { type: 'RecordPolicy', data: recordData, now: NOW, today: TODAY };
const recorded: PolicyEvent = { type: 'PolicyRecorded', data: { ...recordData, recordedAt: NOW } };
const publish = (publishedOn: string, today = publishedOn): PolicyCommand => ({
  type: 'PublishPolicy',
  data: { publishedOn, channels: ['government-website', 'government-new-media', 'government-website'], url: 'https://www.beijing.gov.cn/zhengce/bj-2025-7', interpretations: ['questions-and-answers'] },
  now: `${today}T02:00:00.000Z`,
  today,
});
const fold = (events: readonly PolicyEvent[]) => events.reduce(policyDecider.evolve, policyDecider.initialState());

describe('policy publication (R-PUB-1, Art. 36)', () => {
  it('R-PUB-1: a policy is recorded once with its publication day; the same record again changes nothing, another under its id is refused', () => {
    spec.given([]).when(record).then([recorded]);
    spec.given([recorded]).when(record).thenNothingHappens();
    expect(() => policyDecider.decide({ ...record, data: { ...recordData, madeOn: '2025-03-01' } }, fold([recorded]))).toThrow(RuleViolation);
    expect(() => policyDecider.decide({ ...record, today: '2025-03-02' }, fold([]))).toThrow(ValidationError);
  });

  it('R-PUB-1: published by the 15th working day is on time; later is recorded as late, not refused', () => {
    const onTime = policyDecider.decide(publish('2025-03-24'), fold([recorded]));
    expect(onTime).toEqual([
      { type: 'PolicyPublished', data: { publishedOn: '2025-03-24', channels: ['government-website', 'government-new-media'], url: 'https://www.beijing.gov.cn/zhengce/bj-2025-7', interpretations: ['questions-and-answers'], onTime: true, publishedAt: '2025-03-24T02:00:00.000Z' } },
    ]);
    const late = policyDecider.decide(publish('2025-03-25'), fold([recorded]));
    expect(late).toMatchObject([{ data: { onTime: false } }]);
    expect(publicationStatus(fold([recorded, ...onTime]), '2025-04-30')).toBe('published');
    expect(publicationStatus(fold([recorded, ...late]), '2025-04-30')).toBe('published-late');
  });

  it('R-PUB-1: unpublished, a policy is awaiting until its day and overdue after it', () => {
    expect(publicationStatus(fold([recorded]), '2025-03-24')).toBe('awaiting');
    expect(publicationStatus(fold([recorded]), '2025-03-25')).toBe('overdue');
    expect(publicationStatus(fold([]), '2025-03-25')).toBeNull();
  });

  it('R-PUB-1: publication needs the policy, a possible date, and is recorded once', () => {
    expect(() => policyDecider.decide(publish('2025-03-10'), fold([]))).toThrow(RuleViolation);
    expect(() => policyDecider.decide(publish('2025-03-01', '2025-03-10'), fold([recorded]))).toThrow(ValidationError);
    expect(() => policyDecider.decide(publish('2025-03-12', '2025-03-10'), fold([recorded]))).toThrow(ValidationError);
    const published = policyDecider.decide(publish('2025-03-10'), fold([recorded]));
    spec.given([recorded, ...published]).when(publish('2025-03-10')).thenNothingHappens();
    expect(() => policyDecider.decide(publish('2025-03-11'), fold([recorded, ...published]))).toThrow(RuleViolation);
  });
});
