/**
 * Complaints (R-EVAL-1, Art. 37): from the 12345 hotline, the portal's
 * complaint entry, or the windows of a centre; each is answered and handled
 * within its limit (有诉必应、接诉即办), linked to a case when there is one.
 * Stream `complaint-<complaintId>`.
 */
import { z } from 'zod';
import { NotFoundError, RuleViolation } from '@govsvc/errors/errors';
import type { Decider } from '@govsvc/eventstore/decider';
import { civilDate, endOfShanghaiDayIso } from '@govsvc/calendar/civil-date';
import { Day, Department, Id, Instant, Staff, hasContent, notLaterThan } from '../values.ts';

/** The contract's channels: 12345, the portal (web and app), a centre's window, a letter. */
export const ComplaintChannel = z.enum(['12345-hotline', 'website', 'mobile', 'window', 'letter']);
export type ComplaintChannel = z.infer<typeof ComplaintChannel>;

const ComplaintReceived = z.object({
  complaintId: Id,
  channel: ComplaintChannel,
  caseId: Id.nullable(),
  serviceCentre: Id.nullable(),
  department: Department,
  /** What the complaint is about; may hold personal data, stays here. */
  summary: z.string().min(1).max(4000),
  complainantRef: z.string().min(1).max(100).nullable(),
  receivedAt: Instant,
  limitWorkingDays: z.int().min(1).max(60),
  dueDate: Day,
  /** The due date runs into a year whose holidays are not published yet. */
  provisional: z.boolean(),
});

const ComplaintAnswered = z.object({
  complaintId: Id,
  /** Copied from the complaint: the published answer is keyed like the complaint. */
  caseId: Id.nullable(),
  answer: z.string().min(1).max(4000),
  handling: z.string().min(1).max(4000),
  answeredBy: Staff,
  answeredAt: Instant,
  withinLimit: z.boolean(),
});

export const complaintEventSchemas = { ComplaintReceived, ComplaintAnswered } as const;
type Schemas = typeof complaintEventSchemas;
export type ComplaintEvent = { [T in keyof Schemas]: { readonly type: T; readonly data: z.infer<Schemas[T]> } }[keyof Schemas];

export type ComplaintCommand =
  | { readonly type: 'ReceiveComplaint'; readonly data: z.infer<typeof ComplaintReceived> }
  | { readonly type: 'AnswerComplaint'; readonly data: { readonly complaintId: string; readonly answer: string; readonly handling: string; readonly by: z.infer<typeof Staff>; readonly at: string } };

export interface ComplaintState {
  readonly received: z.infer<typeof ComplaintReceived> | null;
  readonly answered: z.infer<typeof ComplaintAnswered> | null;
}

function decide(command: ComplaintCommand, state: ComplaintState): ComplaintEvent[] {
  switch (command.type) {
    case 'ReceiveComplaint': {
      const d = command.data;
      if (state.received) return [];
      if (!hasContent(d.summary)) throw new RuleViolation('R-EVAL-1', 'a complaint says what it is about');
      if (d.channel === 'window' && d.serviceCentre === null) {
        throw new RuleViolation('R-EVAL-1', 'a complaint made at a window names the service centre');
      }
      return [{ type: 'ComplaintReceived', data: { ...d, summary: d.summary.trim() } }];
    }
    case 'AnswerComplaint': {
      const d = command.data;
      const received = state.received;
      if (!received) throw new NotFoundError(`no complaint ${d.complaintId}`);
      if (state.answered) throw new RuleViolation('R-EVAL-1', `complaint ${d.complaintId} was answered already`);
      if (d.by.department !== received.department) throw new NotFoundError(`no complaint ${d.complaintId}`);
      if (!hasContent(d.answer)) throw new RuleViolation('R-EVAL-1', 'the answer to the complainant has no content');
      if (!hasContent(d.handling)) throw new RuleViolation('R-EVAL-1', 'say how the complaint was handled');
      return [
        {
          type: 'ComplaintAnswered',
          data: {
            complaintId: d.complaintId,
            caseId: received.caseId,
            answer: d.answer.trim(),
            handling: d.handling.trim(),
            answeredBy: d.by,
            answeredAt: d.at,
            withinLimit: notLaterThan(d.at, endOfShanghaiDayIso(civilDate(received.dueDate))),
          },
        },
      ];
    }
  }
}

export const complaintDecider: Decider<ComplaintState, ComplaintCommand, ComplaintEvent> = {
  decide,
  evolve: (state, event) => (event.type === 'ComplaintReceived' ? { ...state, received: event.data } : { ...state, answered: event.data }),
  initialState: () => ({ received: null, answered: null }),
};
