/**
 * Policy publication (R-PUB-1, measures Art. 36): a policy measure on
 * government services is made public within 15 working days of being made,
 * through the government website, the government gazette or government new
 * media, and interpreted (questions and answers, graphics, audio and video,
 * training). One stream per policy (`policy-<policyId>`): when it was made and
 * the day its publication falls due (counted by the app on the statutory
 * calendar and passed in, as every instant here), then its publication, on
 * time or late. Late is recorded, not refused: the policy must still be public.
 */
import { z } from 'zod';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';

/** Art. 36's publication limit. */
export const PUBLICATION_LIMIT_WORKING_DAYS = 15;

export const PUBLICATION_CHANNELS = ['government-website', 'government-gazette', 'government-new-media'] as const;
export const INTERPRETATIONS = ['questions-and-answers', 'graphics', 'audio-video', 'training'] as const;

const civilDate = z.iso.date();
const instant = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max);

export const policyEventSchemas = {
  PolicyRecorded: z.object({
    policyId: text(100),
    title: text(300),
    issuer: text(200),
    madeOn: civilDate,
    /** madeOn + 15 working days on the statutory calendar; provisional past the published years. */
    publicationDue: z.object({ date: civilDate, provisional: z.boolean() }),
    recordedAt: instant,
  }),
  PolicyPublished: z.object({
    publishedOn: civilDate,
    channels: z.array(z.enum(PUBLICATION_CHANNELS)).min(1),
    url: z.url().nullable(),
    interpretations: z.array(z.enum(INTERPRETATIONS)),
    onTime: z.boolean(),
    publishedAt: instant,
  }),
} as const;

type Schemas = typeof policyEventSchemas;
export type PolicyEvent = { [K in keyof Schemas]: { readonly type: K; readonly data: z.infer<Schemas[K]> } }[keyof Schemas];
type DataOf<K extends PolicyEvent['type']> = Extract<PolicyEvent, { type: K }>['data'];

export interface PolicyState {
  readonly policy: DataOf<'PolicyRecorded'> | null;
  readonly publication: DataOf<'PolicyPublished'> | null;
}

export type PolicyCommand =
  | { readonly type: 'RecordPolicy'; readonly data: Omit<DataOf<'PolicyRecorded'>, 'recordedAt'>; readonly now: string; readonly today: string }
  | { readonly type: 'PublishPolicy'; readonly data: Omit<DataOf<'PolicyPublished'>, 'onTime' | 'publishedAt'>; readonly now: string; readonly today: string };

/* `now` is the instant recorded; `today` the Beijing civil date of it (dates here are Beijing's). */

export const initialPolicyState = (): PolicyState => ({ policy: null, publication: null });

export function evolvePolicy(state: PolicyState, event: PolicyEvent): PolicyState {
  switch (event.type) {
    case 'PolicyRecorded':
      return { ...state, policy: event.data };
    case 'PolicyPublished':
      return { ...state, publication: event.data };
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decidePolicy(command: PolicyCommand, state: PolicyState): PolicyEvent[] {
  switch (command.type) {
    case 'RecordPolicy': {
      const { policyId, title, issuer, madeOn, publicationDue } = command.data;
      if (state.policy) {
        // The same record again (a retry) is no news; another one under the same id is a mistake.
        const p = state.policy;
        if (same([p.title, p.issuer, p.madeOn], [title, issuer, madeOn])) return [];
        throw new RuleViolation('R-PUB-1', `policy ${policyId} is already recorded, made on ${p.madeOn}; a different policy needs its own id`);
      }
      if (command.today < madeOn) {
        throw new ValidationError('a policy is recorded once it is made', [{ path: '/madeOn', reason: 'in the future', rule: 'R-PUB-1' }]);
      }
      return [{ type: 'PolicyRecorded', data: { policyId, title, issuer, madeOn, publicationDue, recordedAt: command.now } }];
    }
    case 'PublishPolicy': {
      const policy = state.policy;
      if (!policy) throw new RuleViolation('R-PUB-1', 'record the policy (when it was made) before its publication');
      const d = command.data;
      const channels = [...new Set(d.channels)];
      const interpretations = [...new Set(d.interpretations)];
      if (state.publication) {
        const p = state.publication;
        if (same([p.publishedOn, p.channels, p.url, p.interpretations], [d.publishedOn, channels, d.url, interpretations])) return [];
        throw new RuleViolation('R-PUB-1', `the policy was published on ${p.publishedOn}; its publication is recorded once`);
      }
      const issues = [
        ...(d.publishedOn < policy.madeOn ? [{ path: '/publishedOn', reason: `before the policy was made (${policy.madeOn})`, rule: 'R-PUB-1' }] : []),
        ...(d.publishedOn > command.today ? [{ path: '/publishedOn', reason: 'in the future', rule: 'R-PUB-1' }] : []),
      ];
      if (issues.length > 0) throw new ValidationError('the publication date is not possible', issues);
      return [
        {
          type: 'PolicyPublished',
          data: { publishedOn: d.publishedOn, channels, url: d.url, interpretations, onTime: d.publishedOn <= policy.publicationDue.date, publishedAt: command.now },
        },
      ];
    }
  }
}

export const policyDecider: Decider<PolicyState, PolicyCommand, PolicyEvent> = {
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicyState,
};

/** Where a policy stands on `today` (a Beijing civil date). */
export type PublicationStatus = 'published' | 'published-late' | 'awaiting' | 'overdue';

export function publicationStatus(state: PolicyState, today: string): PublicationStatus | null {
  if (!state.policy) return null;
  if (state.publication) return state.publication.onTime ? 'published' : 'published-late';
  return today > state.policy.publicationDue.date ? 'overdue' : 'awaiting';
}
