import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec } from '@govsvc/testkit/decider';
import { sampleContext, sampleGuide, SAMPLE_CODE } from '../../../test/support/sample-guide.ts';
import type { GuideContent } from './content.ts';
import { guideDecider } from './decider.ts';
import type { Change, GuideDrafted, GuideEvent, GuidePublished } from './events.ts';

const spec = deciderSpec(guideDecider);
const T1 = '2025-03-03T09:00:00+08:00';
const T2 = '2025-03-04T10:00:00+08:00';
const T3 = '2025-06-02T09:00:00+08:00';

const legalChange: Change = {
  reason: '实施细则修订，调整设定依据',
  legalChange: { instrument: '《公共场所卫生管理条例实施细则》', kind: 'amended', effectiveOn: '2025-06-01' },
};

const drafted = (version: number, content: GuideContent = sampleGuide(), change: Change | null = null): GuideDrafted => ({
  type: 'GuideDrafted',
  data: { implementationCode: SAMPLE_CODE, version, content, change, draftedAt: T1 },
});
const published = (version: number, content: GuideContent = sampleGuide(), supersedes: number | null = null, change: Change | null = null): GuidePublished => ({
  type: 'GuidePublished',
  data: { implementationCode: SAMPLE_CODE, version, content, change, publishedAt: T2, supersedes, warnings: [] },
});
const publish = (version: number, publishedAt = T2) => ({ type: 'PublishGuide' as const, data: { version, publishedAt, context: sampleContext() } });
const v1InForce: GuideEvent[] = [drafted(1), published(1)];

describe('guide decider', () => {
  describe('DraftGuide', () => {
    it('drafts version 1 of a new guide', () => {
      spec.given([]).when({ type: 'DraftGuide', data: { content: sampleGuide(), draftedAt: T1 } }).then([drafted(1)]);
    });

    it('R-CAT-14: a new version of a published guide needs the reason for the change', () => {
      spec
        .given(v1InForce)
        .when({ type: 'DraftGuide', data: { content: sampleGuide(), draftedAt: T1 } })
        .thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14');
    });

    it('R-CAT-14: with a reason, the next version is drafted while version 1 stays in force', () => {
      spec
        .given(v1InForce)
        .when({ type: 'DraftGuide', data: { content: sampleGuide(), change: legalChange, draftedAt: T1 } })
        .thenSatisfies((events, state) => {
          expect(events).toEqual([drafted(2, sampleGuide(), legalChange)]);
          expect(state.inForce).toBe(1);
          expect(state.openDraft).toBe(2);
        });
    });

    it('R-CAT-14: one open draft at a time', () => {
      spec
        .given([drafted(1)])
        .when({ type: 'DraftGuide', data: { content: sampleGuide(), draftedAt: T1 } })
        .thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14' && e.details.openDraft === 1);
    });

    it('refuses a content that names another implementation', () => {
      spec
        .given(v1InForce)
        .when({ type: 'DraftGuide', data: { content: { ...sampleGuide(), implementationCode: 'OTHER-0001' }, change: legalChange, draftedAt: T1 } })
        .thenThrows(ValidationError, (e) => e.issues[0]?.path === '/implementationCode');
    });
  });

  describe('ReviseGuide', () => {
    const revised = { ...sampleGuide(), hours: '工作日 8:30-17:30' };

    it('revises the open draft', () => {
      spec
        .given([drafted(1)])
        .when({ type: 'ReviseGuide', data: { version: 1, content: revised, revisedAt: T2, note: '调整办理时间' } })
        .then([{ type: 'GuideRevised', data: { implementationCode: SAMPLE_CODE, version: 1, content: revised, revisedAt: T2, note: '调整办理时间' } }]);
    });

    it('an identical revision changes nothing', () => {
      spec.given([drafted(1)]).when({ type: 'ReviseGuide', data: { version: 1, content: sampleGuide(), revisedAt: T2 } }).thenNothingHappens();
    });

    it('R-CAT-14: a published version is immutable', () => {
      spec
        .given(v1InForce)
        .when({ type: 'ReviseGuide', data: { version: 1, content: revised, revisedAt: T2 } })
        .thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14' && e.details.status === 'published');
    });

    it('R-CAT-14: a superseded version is immutable too', () => {
      spec
        .given([...v1InForce, drafted(2, sampleGuide(), legalChange), published(2, sampleGuide(), 1, legalChange), supersededV1()])
        .when({ type: 'ReviseGuide', data: { version: 1, content: revised, revisedAt: T2 } })
        .thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14' && e.details.status === 'superseded');
    });

    it('a version that does not exist is not found', () => {
      spec.given([drafted(1)]).when({ type: 'ReviseGuide', data: { version: 2, content: revised, revisedAt: T2 } }).thenThrows(NotFoundError);
    });
  });

  describe('PublishGuide', () => {
    it('publishes the first version', () => {
      spec
        .given([drafted(1)])
        .when(publish(1))
        .thenSatisfies((events, state) => {
          expect(events).toEqual([published(1)]);
          expect(state.inForce).toBe(1);
          expect(state.openDraft).toBeNull();
        });
    });

    it('R-CAT-13: a new version supersedes the one in force in the same decision, so every channel switches at once', () => {
      spec
        .given([...v1InForce, drafted(2, sampleGuide(), legalChange)])
        .when(publish(2, T3))
        .thenSatisfies((events, state) => {
          expect(events.map((e) => e.type)).toEqual(['GuidePublished', 'GuideSuperseded']);
          expect(events[1]).toEqual({
            type: 'GuideSuperseded',
            data: { implementationCode: SAMPLE_CODE, version: 1, supersededBy: 2, supersededAt: T3, reason: legalChange.reason, legalChange: legalChange.legalChange },
          });
          expect(state.inForce).toBe(2);
          expect(state.versions.map((v) => v.status)).toEqual(['superseded', 'published']);
        });
    });

    it('R-CAT-3 … R-CAT-12: a guide with findings is refused with every finding at once, each with rule and path', () => {
      const guide = sampleGuide();
      const broken = {
        ...guide,
        hours: '',
        promisedTimeLimit: { workingDays: 25 },
        materials: guide.materials?.map((m) => (m.id === 'floor-plan' ? { ...m, name: '平面图等其他材料', legalBasis: [] } : m)),
      };
      const error = spec.given([drafted(1, broken)]).when(publish(1)).thenThrows(ValidationError);
      expect(error.issues.map((i) => [i.rule, i.path])).toEqual([
        ['R-CAT-3', '/hours'],
        ['R-CAT-3', '/promisedTimeLimit/workingDays'],
        ['R-CAT-6', '/materials/1/name'],
        ['R-CAT-6', '/materials/1/name'],
        ['R-CAT-6', '/materials/1/legalBasis'],
      ]);
      expect(error.issues[0]?.reason).toMatch(/办理时间.* \/ .*hours/u);
    });

    it('R-CAT-7: the retained-proofs catalog is consulted as it is handed in', () => {
      const withProof: GuideContent = {
        ...sampleGuide(),
        materials: sampleGuide().materials?.map((m) => (m.id === 'floor-plan' ? { ...m, category: 'proof', proofCode: 'BJZM-0099' } : m)),
      };
      spec.given([drafted(1, withProof)]).when(publish(1)).thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-CAT-7'));
      const filed = { ...sampleContext(), retainedProofs: new Map([['BJZM-0099', { code: 'BJZM-0099', name: '新设证明', status: 'retained' as const }]]) };
      spec
        .given([drafted(1, withProof)])
        .when({ type: 'PublishGuide', data: { version: 1, publishedAt: T2, context: filed } })
        .thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['GuidePublished']));
    });

    it('R-CAT-14: a changed legal basis must name the legal change behind it', () => {
      const amended = { ...sampleGuide(), legalBasis: [{ instrument: '《公共场所卫生管理条例》', article: '第八条' }] };
      const reasonOnly: Change = { reason: '依据调整' };
      spec
        .given([...v1InForce, drafted(2, amended, reasonOnly)])
        .when(publish(2))
        .thenThrows(ValidationError, (e) => e.issues.length === 1 && e.issues[0]?.rule === 'R-CAT-14' && e.issues[0].path === '/legalBasis');
      spec
        .given([...v1InForce, drafted(2, amended, legalChange)])
        .when(publish(2))
        .thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['GuidePublished', 'GuideSuperseded']));
    });

    it('R-CAT-14: a change that keeps the legal basis needs only its reason', () => {
      const moved = { ...sampleGuide(), locations: [{ name: '东城区政务服务中心（新址）', address: '北京市东城区某路2号' }] };
      spec
        .given([...v1InForce, drafted(2, moved, { reason: '办理地点搬迁' })])
        .when(publish(2))
        .thenSatisfies((events) => expect(events).toHaveLength(2));
    });

    it('R-CAT-1: a new version cannot turn the guide into another item', () => {
      spec
        .given([...v1InForce, drafted(2, { ...sampleGuide(), basicCode: '011400279999' }, legalChange)])
        .when(publish(2))
        .thenThrows(ValidationError, (e) => e.issues.some((i) => i.rule === 'R-CAT-1' && i.path === '/basicCode'));
    });

    it('publishing an already published version again is a retry: nothing happens', () => {
      spec.given(v1InForce).when(publish(1)).thenNothingHappens();
    });

    it('R-CAT-14: a superseded version cannot be published again', () => {
      spec
        .given([...v1InForce, drafted(2, sampleGuide(), legalChange), published(2, sampleGuide(), 1, legalChange), supersededV1()])
        .when(publish(1))
        .thenThrows(ValidationError, (e) => e.issues[0]?.rule === 'R-CAT-14');
    });

    it('records the warnings the publisher accepted', () => {
      const slow = { ...sampleGuide(), process: sampleGuide().process?.map((s) => (s.id === 'review' ? { ...s, timeLimit: { workingDays: 8 } } : s)) };
      spec
        .given([drafted(1, slow)])
        .when(publish(1))
        .thenSatisfies((events) => {
          const [event] = events;
          expect(event?.type === 'GuidePublished' && event.data.warnings.map((w) => w.rule)).toEqual(['R-CAT-11']);
        });
    });
  });

  describe('PublishGuideDocument', () => {
    const document = (content: GuideContent, change?: Change) => ({
      type: 'PublishGuideDocument' as const,
      data: { content, ...(change ? { change } : {}), publishedAt: T2, context: sampleContext() },
    });

    it('drafts and publishes a new guide in one decision', () => {
      spec.given([]).when(document(sampleGuide())).then([{ ...drafted(1), data: { ...drafted(1).data, draftedAt: T2 } }, published(1)]);
    });

    it('a document identical to the version in force is already published: nothing happens', () => {
      spec.given(v1InForce).when(document(sampleGuide())).thenNothingHappens();
    });

    it('R-CAT-14: a changed document becomes the next version, superseding the one in force, only with a reason', () => {
      const moved = { ...sampleGuide(), hours: '工作日 8:30-17:30' };
      spec.given(v1InForce).when(document(moved)).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14');
      spec
        .given(v1InForce)
        .when(document(moved, { reason: '调整办理时间' }))
        .thenSatisfies((events, state) => {
          expect(events.map((e) => e.type)).toEqual(['GuideDrafted', 'GuidePublished', 'GuideSuperseded']);
          expect(state.inForce).toBe(2);
        });
    });

    it('revises and publishes an open draft', () => {
      spec
        .given([drafted(1)])
        .when(document({ ...sampleGuide(), hours: '全天' }))
        .thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['GuideRevised', 'GuidePublished']));
    });

    it('R-CAT-3: a document with findings is refused whole: no draft is left behind', () => {
      spec
        .given([])
        .when(document({ ...sampleGuide(), complaint: [] }))
        .thenThrows(ValidationError, (e) => e.issues.length === 1 && e.issues[0]?.path === '/complaint');
    });
  });

  describe('WithdrawGuide', () => {
    const repeal = { instrument: '《某某管理办法》', kind: 'repealed' as const, effectiveOn: '2025-07-01' };

    it('R-CAT-1: withdraws the version in force, and nothing is in force afterwards', () => {
      spec
        .given(v1InForce)
        .when({ type: 'WithdrawGuide', data: { reason: '设定依据废止', legalChange: repeal, withdrawnAt: T3 } })
        .thenSatisfies((events, state) => {
          expect(events).toEqual([
            { type: 'GuideWithdrawn', data: { implementationCode: SAMPLE_CODE, version: 1, withdrawnAt: T3, reason: '设定依据废止', legalChange: repeal } },
          ]);
          expect(state.inForce).toBeNull();
          expect(state.versions[0]?.status).toBe('withdrawn');
        });
    });

    it('R-CAT-1: nothing in force, nothing to withdraw', () => {
      spec.given([drafted(1)]).when({ type: 'WithdrawGuide', data: { reason: '取消', withdrawnAt: T3 } }).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-1');
    });

    it('R-CAT-14: a withdrawal states its reason', () => {
      spec.given(v1InForce).when({ type: 'WithdrawGuide', data: { reason: ' ', withdrawnAt: T3 } }).thenThrows(RuleViolation, (e) => e.rule === 'R-CAT-14');
    });

    it('R-CAT-14: a withdrawn item can come back only as a new version with a reason', () => {
      const withdrawn: GuideEvent = { type: 'GuideWithdrawn', data: { implementationCode: SAMPLE_CODE, version: 1, withdrawnAt: T3, reason: '暂停' } };
      spec.given([...v1InForce, withdrawn]).when({ type: 'DraftGuide', data: { content: sampleGuide(), draftedAt: T3 } }).thenThrows(RuleViolation);
      spec
        .given([...v1InForce, withdrawn, drafted(2, sampleGuide(), { reason: '恢复办理' })])
        .when(publish(2, T3))
        .thenSatisfies((events) => {
          expect(events.map((e) => e.type)).toEqual(['GuidePublished']);
          expect(events[0]?.type === 'GuidePublished' && events[0].data.supersedes).toBeNull();
        });
    });
  });
});

function supersededV1(): GuideEvent {
  return { type: 'GuideSuperseded', data: { implementationCode: SAMPLE_CODE, version: 1, supersededBy: 2, supersededAt: T2, reason: legalChange.reason } };
}
