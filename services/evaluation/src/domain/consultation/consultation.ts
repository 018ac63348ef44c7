/**
 * Consultations (R-CONS-1, Art. 13): by window, phone, online and letter, each
 * recorded with its first responder (首问负责制: whoever is asked first owns the
 * question until it is answered, within their department). A letter is
 * answered once, completely (every question it asks), within the promised
 * limit. Stream `consultation-<consultationId>`.
 */
import { z } from 'zod';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import { civilDate, endOfShanghaiDayIso, shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { Day, Department, Id, Instant, Staff, hasContent, notLaterThan } from '../values.ts';

export const ConsultationChannel = z.enum(['window', 'phone', 'online', 'letter']);
export type ConsultationChannel = z.infer<typeof ConsultationChannel>;

const ConsultationRecorded = z.object({
  consultationId: Id,
  channel: ConsultationChannel,
  serviceCentre: Id.nullable(),
  department: Department,
  firstResponder: Staff,
  questions: z.array(z.string().min(1).max(2000)).min(1).max(50),
  caseId: Id.nullable(),
  receivedAt: Instant,
  /** Letters: the day the written answer is promised by. */
  promisedBy: Day.nullable(),
});

const ConsultationAnswered = z.object({
  consultationId: Id,
  /** One answer per question, in the questions' order: 有问必答. */
  answers: z.array(z.string().min(1).max(4000)).min(1).max(50),
  answeredBy: Staff,
  answeredAt: Instant,
  withinPromise: z.boolean().nullable(),
});

export const consultationEventSchemas = { ConsultationRecorded, ConsultationAnswered } as const;
type Schemas = typeof consultationEventSchemas;
export type ConsultationEvent = { [T in keyof Schemas]: { readonly type: T; readonly data: z.infer<Schemas[T]> } }[keyof Schemas];

export type ConsultationCommand =
  | { readonly type: 'RecordConsultation'; readonly data: z.infer<typeof ConsultationRecorded> }
  | {
      readonly type: 'AnswerConsultation';
      readonly data: { readonly consultationId: string; readonly answers: readonly string[]; readonly by: z.infer<typeof Staff>; readonly at: string };
    };

export interface ConsultationState {
  readonly recorded: z.infer<typeof ConsultationRecorded> | null;
  readonly answered: z.infer<typeof ConsultationAnswered> | null;
}

function decide(command: ConsultationCommand, state: ConsultationState): ConsultationEvent[] {
  switch (command.type) {
    case 'RecordConsultation': {
      const d = command.data;
      if (state.recorded) return [];
      if (!d.questions.every(hasContent)) throw new RuleViolation('R-CONS-1', 'every recorded question has content');
      if (d.channel === 'letter' && d.promisedBy === null) {
        throw new RuleViolation('R-CONS-1', 'a letter consultation is answered within a promised limit: set promisedBy');
      }
      if (d.promisedBy !== null && d.promisedBy < shanghaiDateOf(d.receivedAt)) {
        throw new RuleViolation('R-CONS-1', 'the promised day cannot be before the letter was received', { promisedBy: d.promisedBy });
      }
      if ((d.channel === 'window' || d.channel === 'phone') && d.serviceCentre === null) {
        throw new RuleViolation('R-CONS-1', `a ${d.channel} consultation is taken at a service centre: name it`);
      }
      return [{ type: 'ConsultationRecorded', data: { ...d, questions: d.questions.map((q) => q.trim()) } }];
    }
    case 'AnswerConsultation': {
      const d = command.data;
      const recorded = state.recorded;
      if (!recorded) throw new NotFoundError(`no consultation ${d.consultationId}`);
      if (state.answered) {
        throw new RuleViolation('R-CONS-1', `consultation ${d.consultationId} was answered already: a letter is answered once, completely`);
      }
      // 首问负责: the first responder's department keeps the question; another department does not see it.
      if (d.by.department !== recorded.firstResponder.department) throw new NotFoundError(`no consultation ${d.consultationId}`);
      if (d.answers.length !== recorded.questions.length || !d.answers.every(hasContent)) {
        throw new RuleViolation('R-CONS-1', `answer all ${recorded.questions.length} question(s) at once, each with content`, {
          questions: recorded.questions.length,
          answers: d.answers.length,
        });
      }
      return [
        {
          type: 'ConsultationAnswered',
          data: {
            consultationId: d.consultationId,
            answers: d.answers.map((a) => a.trim()),
            answeredBy: d.by,
            answeredAt: d.at,
            withinPromise: recorded.promisedBy === null ? null : notLaterThan(d.at, endOfShanghaiDayIso(civilDate(recorded.promisedBy))),
          },
        },
      ];
    }
  }
}

export const consultationDecider: Decider<ConsultationState, ConsultationCommand, ConsultationEvent> = {
  decide,
  evolve: (state, event) => (event.type === 'ConsultationRecorded' ? { ...state, recorded: event.data } : { ...state, answered: event.data }),
  initialState: () => ({ recorded: null, answered: null }),
};

/**
 * A call to a centre's consultation line, from the telephony system: answered
 * by a person on the first attempt (一次接通) or not. Stream `phonecall-<callId>`.
 */
const PhoneCallLogged = z.object({
  callId: Id,
  serviceCentre: Id,
  receivedAt: Instant,
  answeredOnFirstAttempt: z.boolean(),
});
export const phoneCallEventSchemas = { PhoneCallLogged } as const;
export type PhoneCallEvent = { readonly type: 'PhoneCallLogged'; readonly data: z.infer<typeof PhoneCallLogged> };
export type PhoneCallCommand = { readonly type: 'LogPhoneCall'; readonly data: z.infer<typeof PhoneCallLogged> };

export const phoneCallDecider: Decider<{ logged: boolean }, PhoneCallCommand, PhoneCallEvent> = {
  // The telephony system resends; one call counts once.
  decide: (command, state) => (state.logged ? [] : [{ type: 'PhoneCallLogged', data: command.data }]),
  evolve: () => ({ logged: true }),
  initialState: () => ({ logged: false }),
};
