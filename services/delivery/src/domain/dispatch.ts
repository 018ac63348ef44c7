/**
 * Which sends are due: a pure reading of the state for the dispatcher. A
 * notice goes out on every channel the applicant chose; until their choice is
 * known (intake's preferences may arrive after review's decision: different
 * topics) nothing is due and nothing is lost.
 */
import type { Channel } from './events.ts';
import type { DeliveryState, Notice } from './state.ts';

export interface DueSend {
  readonly notice: Notice;
  readonly channel: Channel;
  /** The attempt this send is (1 for the first of its round). */
  readonly attempt: number;
  /** The round of attempts (an operator's requeue starts a new one). */
  readonly round: number;
}

export function dueSends(state: DeliveryState, now: Date): DueSend[] {
  const prefs = state.preferences;
  if (!prefs) return [];
  const due: DueSend[] = [];
  for (const notice of state.notices.values()) {
    for (const channel of prefs.channels) {
      const status = notice.channels[channel];
      const round = notice.rounds[channel] ?? 0;
      if (!status) due.push({ notice, channel, attempt: 1, round });
      else if (status.status === 'pending' && (status.nextAttemptAt === null || new Date(status.nextAttemptAt) <= now)) due.push({ notice, channel, attempt: status.attempts + 1, round });
    }
  }
  return due;
}

/** The earliest instant a pending retry becomes due, or null when none waits. */
export function nextRetryAt(state: DeliveryState): Date | null {
  let next: Date | null = null;
  for (const notice of state.notices.values()) {
    for (const status of Object.values(notice.channels)) {
      if (status?.status === 'pending' && status.nextAttemptAt !== null) {
        const at = new Date(status.nextAttemptAt);
        if (!next || at < next) next = at;
      }
    }
  }
  return next;
}
