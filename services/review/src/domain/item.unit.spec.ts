import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, itemDecider, itemFactsOf, type GuideFacts, type ItemEvent, type ItemState, type ReviewProfile } from './item.ts';

const ITEM = '01120040000111010100000011110101MB855928X301001';
const guideFacts: GuideFacts = {
  collectiveDecision: { required: false, legalBasis: null },
  licence: { electronicAvailable: true, paperAbolished: false, validityMonths: 60, renewalLeadDays: 15, renewalLeadUnit: 'working-days' },
  collaboration: null,
};
const noted = (guideVersion: string, facts: GuideFacts | null): ItemEvent => ({
  type: 'GuideNoted',
  data: {
    itemCode: ITEM,
    guideVersion,
    itemName: '食品经营许可（新办）',
    resultName: '食品经营许可证',
    implementingBody: '北京市东城区市场监督管理局',
    promisedLimitWorkingDays: 5,
    statutoryLimitWorkingDays: 10,
    publishedAt: '2026-01-05T09:00:00+08:00',
    facts,
  },
});
const override: ReviewProfile = {
  collectiveDecision: { required: true, legalBasis: '《某某条例》第十条' },
  licence: { electronicAvailable: true, paperAbolished: true, validityMonths: 36, renewalLeadDays: 45, renewalLeadUnit: 'calendar-days' },
};
const profileSet: ItemEvent = { type: 'ReviewProfileSet', data: { ...override, itemCode: ITEM, setBy: { staffId: 'admin-1', department: 'administration' }, setAt: '2026-02-01T09:00:00+08:00' } };
const stateOf = (events: ItemEvent[]): ItemState => events.reduce(itemDecider.evolve, itemDecider.initialState());
const facts = (state: ItemState, version: string) => {
  const f = itemFactsOf(state, ITEM, version);
  return { collectiveDecision: f.collectiveDecision, licence: f.licence };
};

describe('which facts a case gets: the catalog’s, or the administrator’s override (R-REV-3, R-REV-4, R-REV-5)', () => {
  it('a version’s own facts, when no profile was set', () => {
    expect(facts(stateOf([noted('1', guideFacts)]), '1')).toEqual({ collectiveDecision: guideFacts.collectiveDecision, licence: guideFacts.licence });
  });

  it('a profile set after a version was noted overrides that version', () => {
    expect(facts(stateOf([noted('1', guideFacts), profileSet]), '1')).toEqual(override);
  });

  it('the override lasts until the catalog publishes again: a version noted after it brings its own facts; cases of the older version keep the override', () => {
    const state = stateOf([noted('1', guideFacts), profileSet, noted('2', guideFacts)]);
    expect(facts(state, '2')).toEqual({ collectiveDecision: guideFacts.collectiveDecision, licence: guideFacts.licence });
    expect(facts(state, '1')).toEqual(override);
  });

  it('a version not noted yet gets the newest word: the profile if nothing was noted after it, else the latest version’s facts', () => {
    expect(facts(stateOf([noted('1', guideFacts), profileSet]), '9')).toEqual(override);
    expect(facts(stateOf([profileSet, noted('2', guideFacts)]), '9').licence).toEqual(guideFacts.licence);
  });

  it('licence facts a version does not state (noted before v2, or upcast from v1) come from the profile, else the defaults', () => {
    const unstated = { ...guideFacts, licence: null };
    expect(facts(stateOf([profileSet, noted('2', unstated)]), '2')).toEqual({ collectiveDecision: guideFacts.collectiveDecision, licence: override.licence });
    expect(facts(stateOf([noted('1', null)]), '1')).toEqual(DEFAULT_PROFILE);
    expect(facts(stateOf([noted('1', unstated)]), '1').licence).toEqual(DEFAULT_PROFILE.licence);
  });

  it('R-COLLAB-1: collaboration comes from the version’s guide', () => {
    const collaboration = { leadDepartment: '北京市规划和自然资源委员会', assistingDepartments: ['北京市人民防空办公室'] };
    const state = stateOf([noted('1', { ...guideFacts, collaboration }), noted('2', guideFacts)]);
    expect(itemFactsOf(state, ITEM, '1').collaboration).toEqual(collaboration);
    expect(itemFactsOf(state, ITEM, '2').collaboration).toBeNull();
  });

  it('a guide noted before the catalog published facts reads back with none (stored events stay readable)', () => {
    const { facts: _none, ...old } = (noted('1', null) as Extract<ItemEvent, { type: 'GuideNoted' }>).data;
    expect(itemDecider.decide({ type: 'NoteGuide', data: old }, itemDecider.initialState())).toEqual([noted('1', null)]);
  });
});
