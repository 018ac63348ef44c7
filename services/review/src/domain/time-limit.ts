/**
 * The decision time limit moves only by law:
 * - Licensing Law Art. 42: once, with the approval of the agency head (up to
 *   10 working days) or, for joint or centralized handling, of the government
 *   head (up to 15), and with the reason told to the applicant;
 * - Art. 45: hearings, testing, expert review … do not count; the applicant is
 *   told in writing how long they need. Recorded as typed suspension intervals.
 * New due dates are computed on the working-day calendar by the app and
 * arrive in the command; the decider checks they move the right way.
 */
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { requireCase, requireReasons, requireUndecided } from './guards.ts';
import type { ExcludeSupplementTime, ExtendTimeLimit, ResumeClock, SuspendClock } from './review-commands.ts';
import type { ReviewEvent } from './review-events.ts';
import { openSuspension, type ReviewState } from './review-state.ts';
import { notice, texts } from './notices.ts';

export const EXTENSION_LIMITS = { 'agency-head': 10, 'government-head': 15 } as const;

export function decideExtendTimeLimit(command: ExtendTimeLimit, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  requireUndecided(c, 'R-REV-1');
  requireReasons(d.reason ? [d.reason] : [], '/reason', 'R-REV-1');
  if (c.extended) throw new RuleViolation('R-REV-1', 'the time limit may be extended once (Licensing Law Art. 42)');
  const joint = c.assistingDepartments.length > 0;
  if (d.authority === 'government-head' && !joint) {
    throw new RuleViolation('R-REV-1', 'the government head extends only joint or centralized handling; this case is handled by one department');
  }
  const max = EXTENSION_LIMITS[d.authority];
  if (d.extensionWorkingDays < 1 || d.extensionWorkingDays > max) {
    throw new RuleViolation('R-REV-1', `an extension approved by the ${d.authority} is 1 to ${max} working days`);
  }
  // The extension is approved while the limit still runs, not after it was missed.
  if (shanghaiDateOf(d.extendedAt) > c.decisionDue.date) {
    throw new RuleViolation('R-REV-1', `the limit ended on ${c.decisionDue.date}; an extension comes before that`);
  }
  if (d.newDue.date <= c.decisionDue.date || d.newStatutoryDue.date < c.statutoryDue.date) {
    throw new ValidationError('an extension moves the deadline later', [{ path: '/newDue', reason: `must be after ${c.decisionDue.date}` }]);
  }
  return [
    {
      type: 'TimeLimitExtended',
      data: {
        authority: d.authority,
        extensionWorkingDays: d.extensionWorkingDays,
        reason: d.reason!,
        approvedBy: d.approvedBy,
        applicantToldAt: d.applicantToldAt,
        previousDue: c.decisionDue,
        newDue: d.newDue,
        previousStatutoryDue: c.statutoryDue,
        newStatutoryDue: d.newStatutoryDue,
        extendedAt: d.extendedAt,
      },
    },
    // Art. 42: the applicant is told the extension and its reason.
    notice(c, {
      stage: 'time-limit-extended',
      outcome: texts.extended(d.extensionWorkingDays, d.newDue, d.reason!),
      nextStep: 'await-decision',
      due: d.newDue,
      occurredAt: d.extendedAt,
    }),
  ];
}

export function decideSuspendClock(command: SuspendClock, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  const earlier = c.suspensions.find((s) => s.suspensionId === d.suspensionId);
  if (earlier) return [];
  requireUndecided(c, 'R-REV-1');
  const running = openSuspension(c);
  if (running) throw new RuleViolation('R-REV-1', `the clock is already suspended for ${running.reason} since ${running.from}`);
  if (d.applicantToldAt === null) {
    throw new ValidationError('the applicant is told in writing how long the excluded step takes', [
      { path: '/applicantToldAt', reason: 'required (Licensing Law Art. 45)', rule: 'R-REV-1' },
    ]);
  }
  if (d.from < c.acceptedOn) throw new ValidationError('a suspension starts after acceptance', [{ path: '/from', reason: `before ${c.acceptedOn}` }]);
  return [
    {
      type: 'ClockSuspended',
      data: {
        suspensionId: d.suspensionId,
        reason: d.reason,
        from: d.from,
        note: d.note,
        noticeId: d.noticeId,
        expectedWorkingDays: d.expectedWorkingDays,
        applicantToldAt: d.applicantToldAt,
        suspendedBy: d.suspendedBy,
      },
    },
    notice(c, {
      stage: 'time-excluded',
      outcome: texts.excluded(d.reason, d.from, d.expectedWorkingDays),
      nextStep: 'await-excluded-step',
      due: c.decisionDue,
      document: { documentId: d.noticeId, kind: 'excluded-time-notice' },
      occurredAt: d.applicantToldAt,
    }),
  ];
}

export function decideResumeClock(command: ResumeClock, state: ReviewState): ReviewEvent[] {
  const c = requireCase(state);
  const d = command.data;
  const running = openSuspension(c);
  if (!running) throw new RuleViolation('R-REV-1', 'the clock is not suspended');
  if (d.to < running.from) throw new ValidationError('a suspension ends on or after its start', [{ path: '/to', reason: `before ${running.from}` }]);
  if (d.newDue.date < c.decisionDue.date) {
    throw new ValidationError('excluded time never shortens the limit', [{ path: '/newDue', reason: `before ${c.decisionDue.date}` }]);
  }
  return [
    {
      type: 'ClockResumed',
      data: {
        suspensionId: running.suspensionId,
        to: d.to,
        previousDue: c.decisionDue,
        newDue: d.newDue,
        newStatutoryDue: d.newStatutoryDue,
        resumedAt: d.resumedAt,
        resumedBy: d.resumedBy,
      },
    },
    notice(c, {
      stage: 'time-exclusion-ended',
      outcome: texts.exclusionEnded(running.reason, d.to, d.newDue),
      nextStep: 'await-decision',
      due: d.newDue,
      occurredAt: d.resumedAt,
    }),
  ];
}

/**
 * R-ACC-2: supplement time intake recorded. Days up to the acceptance day are
 * already outside the decision limit (it counts from the day after); only an
 * interval reaching past acceptance moves the deadlines. Applied once per notice;
 * a decided case keeps its record as it was.
 */
export function decideExcludeSupplementTime(command: ExcludeSupplementTime, state: ReviewState): ReviewEvent[] {
  // Intake records the interval before review may have opened the case: the acceptance then already accounts for it.
  if (state.status !== 'open') return [];
  const d = command.data;
  if (state.excludedNotices.includes(d.noticeId) || d.to <= state.acceptedOn) return [];
  if (d.newDue.date < state.decisionDue.date) {
    throw new ValidationError('excluded time never shortens the limit', [{ path: '/newDue', reason: `before ${state.decisionDue.date}` }]);
  }
  return [
    {
      type: 'SupplementTimeExcluded',
      data: { noticeId: d.noticeId, from: d.from, to: d.to, previousDue: state.decisionDue, newDue: d.newDue, newStatutoryDue: d.newStatutoryDue },
    },
  ];
}
