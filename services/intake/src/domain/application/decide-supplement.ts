/**
 * Supplements (R-ACC-2): received materials reopen the check; the days the
 * applicant spent supplementing do not count (a typed suspension on the
 * event, consumed by supervision). For 容缺受理 the case is already accepted:
 * the supplement cures the tolerated items or, missed or still defective,
 * the tolerance lapses and a refusal decision with reasons must follow.
 */
import { addDays, civilDate } from '@govsvc/calendar/civil-date';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { materialOf } from '../guide.ts';
import type { Reason } from '../document.ts';
import type { ConfirmToleratedSupplement, LapseToleratedDeficiency, ReceiveSupplement } from './commands.ts';
import type { ApplicationEvent, SupplementSuspension } from './events.ts';
import { assertReceivable, isAfter, requireSubmitted } from './rules.ts';
import type { ApplicationState } from './state.ts';

export const ART_15_3_BASIS = '《北京市政务服务标准化管理办法》第十五条第（三）项';

export function decideReceiveSupplement(command: ReceiveSupplement, state: ApplicationState): ApplicationEvent[] {
  requireSubmitted(state);
  const notice = state.openNotice;
  if (!notice) throw new RuleViolation('R-ACC-2', `the case is ${state.status}: no notice awaits a supplement`);
  assertReceivable(state, command.materials, state.sharedAvailable, '/materials');
  const asked = new Set(notice.items.map((i) => i.materialId));
  const unasked = command.materials.filter((m) => !asked.has(m.materialId)).map((m) => m.materialId);
  if (unasked.length > 0) {
    throw new RuleViolation('R-ACC-2', `notice ${notice.documentId} did not ask for ${unasked.join(', ')}`, { unasked });
  }
  const ids = new Set(command.materials.map((m) => m.materialId));
  const complete = notice.outstanding.every((id) => ids.has(id));
  const reopens = complete && notice.kind === 'supplement-notice';
  let suspension: SupplementSuspension | null = null;
  if (reopens) {
    // From the day after the notice to the day the last item arrived: the office could not act in between.
    const from = addDays(civilDate(notice.issuedOn), 1);
    if (from <= command.receivedOn) suspension = { from, to: command.receivedOn, reason: 'supplement' };
  }
  const events: ApplicationEvent[] = [
    {
      type: 'SupplementReceived',
      data: {
        noticeId: notice.documentId,
        noticeKind: notice.kind,
        materials: [...command.materials],
        channel: command.channel,
        receivedAt: command.at,
        receivedOn: command.receivedOn,
        complete,
        suspension,
        acceptanceDue: reopens ? command.acceptanceDue : null,
      },
    },
  ];
  if (command.channel === 'window' && command.receivedBy) {
    events.push({ type: 'ContactRecorded', data: { touchpoint: 'receipt', staff: command.receivedBy, at: command.at, note: `补正材料（${notice.documentId}）` } });
  }
  return events;
}

export function decideConfirmTolerated(command: ConfirmToleratedSupplement, state: ApplicationState): ApplicationEvent[] {
  requireSubmitted(state);
  if (state.status !== 'accepted-with-deficiencies' || !state.openNotice) {
    throw new RuleViolation('R-ACC-2', `the case is ${state.status}: no tolerated deficiencies are open`);
  }
  if (state.openNotice.outstanding.length > 0) {
    throw new RuleViolation('R-ACC-2', `still outstanding: ${state.openNotice.outstanding.join(', ')}`, { outstanding: state.openNotice.outstanding });
  }
  return [{ type: 'ToleratedDeficienciesCured', data: { confirmedAt: command.at, acceptor: command.acceptor } }];
}

export function decideLapse(command: LapseToleratedDeficiency, state: ApplicationState): ApplicationEvent[] {
  requireSubmitted(state);
  const notice = state.openNotice;
  if (state.status !== 'accepted-with-deficiencies' || !notice) {
    throw new RuleViolation('R-ACC-2', `the case is ${state.status}: no tolerated deficiencies are open`);
  }
  const nameOf = (id: string) => materialOf(state.guide, id)?.name ?? id;
  if (command.cause === 'not-supplemented') {
    if (!isAfter(command.at, notice.deadline.endsAt)) {
      throw new RuleViolation('R-ACC-2', `the supplement deadline ${notice.deadline.date} has not passed`);
    }
    if (notice.outstanding.length === 0) {
      throw new RuleViolation('R-ACC-2', 'everything was supplemented in time: confirm it, or lapse it as still defective with reasons');
    }
    const items = notice.items.filter((i) => notice.outstanding.includes(i.materialId));
    const reasons: Reason[] =
      command.reasons.length > 0
        ? [...command.reasons]
        : [{ text: `逾期未补正：${items.map((i) => nameOf(i.materialId)).join('、')}（补正期限 ${notice.deadline.date}）`, legalBasis: ART_15_3_BASIS }];
    return [{ type: 'ToleratedDeficiencyLapsed', data: { cause: 'not-supplemented', noticeId: notice.documentId, items, reasons, deadline: notice.deadline, lapsedAt: command.at } }];
  }
  if (command.reasons.length === 0) {
    throw new ValidationError('a still-defective supplement is refused with reasons', [{ path: '/reasons', reason: 'empty', rule: 'R-ACC-2' }]);
  }
  if (notice.outstanding.length > 0) {
    throw new RuleViolation('R-ACC-2', `not yet supplemented: ${notice.outstanding.join(', ')}; it lapses as not supplemented after ${notice.deadline.date}`);
  }
  const items = notice.items.map((i) => ({ ...i, problem: 'defective' as const }));
  return [
    { type: 'ToleratedDeficiencyLapsed', data: { cause: 'still-defective', noticeId: notice.documentId, items, reasons: [...command.reasons], deadline: notice.deadline, lapsedAt: command.at } },
  ];
}
