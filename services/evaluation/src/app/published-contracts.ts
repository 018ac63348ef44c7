/**
 * Domain events → published contracts (the relay publishes what this
 * returns). What crosses Kafka: levels, occasions, channels, due dates,
 * outcomes and public feedback. What stays here: comments, indicator scores,
 * rater references, complaint texts (they may hold personal data, PIPL).
 */
import type { DataOf, IntegrationEvent } from '@govsvc/contracts/registry';
import { categoryOf, type StoredEvent } from '@govsvc/eventstore/port';
import { channelsFor, isBadLevel, rectificationDue } from '../domain/values.ts';
import { complaintCodec, evaluationCodec } from './streams.ts';

/** Only these categories are published; consultations and phone calls are internal measurements. */
export const PUBLISHED_CATEGORIES = ['evaluation', 'complaint'] as const;

const EXCLUSION_LABELS = { mistaken: '误评', malicious: '恶意评价' } as const;

export function evaluationContractOf(stored: StoredEvent): IntegrationEvent | null {
  switch (categoryOf(stored.stream)) {
    case 'evaluation':
      return fromEvaluationStream(stored);
    case 'complaint':
      return fromComplaintStream(stored);
    default:
      return null;
  }
}

function fromEvaluationStream(stored: StoredEvent): IntegrationEvent | null {
  const event = evaluationCodec.decode(stored);
  switch (event.type) {
    case 'RatingInvited': {
      const d = event.data;
      const data: DataOf<'evaluation.rating-invited.v1'> = {
        caseId: d.caseId,
        invitationId: d.invitationId,
        occasion: d.occasion,
        channels: channelsFor(d.occasion.kind),
        invitedAt: d.invitedAt,
      };
      return { type: 'evaluation.rating-invited.v1', data };
    }
    case 'RectificationOpened': {
      const d = event.data;
      const data: DataOf<'evaluation.rectification-opened.v1'> = {
        caseId: d.caseId,
        ratingId: d.ratingId,
        department: d.department,
        openedAt: d.openedAt,
        dueDate: d.dueDate,
        dueAt: d.dueAt,
        reopened: false,
      };
      return { type: 'evaluation.rectification-opened.v1', data };
    }
    case 'AppealDecided': {
      const d = event.data;
      if (d.outcome !== 'reopened' || d.reopenedDueDate === null || d.reopenedDueAt === null) return null;
      const data: DataOf<'evaluation.rectification-opened.v1'> = {
        caseId: d.caseId,
        ratingId: d.ratingId,
        department: d.department,
        openedAt: d.decidedAt,
        dueDate: d.reopenedDueDate,
        dueAt: d.reopenedDueAt,
        reopened: true,
      };
      return { type: 'evaluation.rectification-opened.v1', data };
    }
    case 'RatingSubmitted': {
      const d = event.data;
      const data: DataOf<'evaluation.rating-submitted.v1'> = {
        caseId: d.caseId,
        ratingId: d.ratingId,
        level: d.level,
        occasion: d.occasion,
        channel: d.channel,
        named: d.named,
        hasComment: d.comment !== null,
        // The same computation RectificationOpened stored: the last of the 7 days (R-EVAL-3).
        rectificationDue: isBadLevel(d.level) ? rectificationDue(d.submittedAt).date : null,
        submittedAt: d.submittedAt,
      };
      return { type: 'evaluation.rating-submitted.v1', data };
    }
    case 'RectificationFeedbackGiven': {
      const d = event.data;
      const data: DataOf<'evaluation.rectification-completed.v1'> = {
        caseId: d.caseId,
        ratingId: d.ratingId,
        outcome: d.outcome,
        feedback: d.feedback,
        completedAt: d.givenAt,
        withinLimit: d.withinLimit,
        feedbackPublishedAt: d.givenAt,
      };
      return { type: 'evaluation.rectification-completed.v1', data };
    }
    case 'RatingReviewed': {
      const d = event.data;
      if (!d.closesRectification || d.outcome === 'stands') return null;
      const data: DataOf<'evaluation.rectification-completed.v1'> = {
        caseId: d.caseId,
        ratingId: d.ratingId,
        outcome: d.outcome === 'mistaken' ? 'excluded-mistaken' : 'excluded-malicious',
        feedback: `经复核认定为${EXCLUSION_LABELS[d.outcome]}，不计入统计：${d.reason}`.slice(0, 2000),
        completedAt: d.reviewedAt,
        withinLimit: d.withinLimit ?? false,
        feedbackPublishedAt: d.reviewedAt,
      };
      return { type: 'evaluation.rectification-completed.v1', data };
    }
    default:
      return null;
  }
}

/**
 * A complaint about no case is keyed by its own id: the contract's key field
 * is `caseId`, and supervision still has to track the complaint's limit
 * (R-EVAL-1). Complaint ids (`CP-…`) cannot collide with intake's case ids.
 */
function fromComplaintStream(stored: StoredEvent): IntegrationEvent | null {
  const event = complaintCodec.decode(stored);
  switch (event.type) {
    case 'ComplaintReceived': {
      const d = event.data;
      const data: DataOf<'evaluation.complaint-received.v1'> = {
        caseId: d.caseId ?? d.complaintId,
        complaintId: d.complaintId,
        channel: d.channel,
        department: d.department,
        limitWorkingDays: d.limitWorkingDays,
        receivedAt: d.receivedAt,
      };
      return { type: 'evaluation.complaint-received.v1', data };
    }
    case 'ComplaintAnswered': {
      const d = event.data;
      const data: DataOf<'evaluation.complaint-answered.v1'> = { caseId: d.caseId ?? d.complaintId, complaintId: d.complaintId, answeredAt: d.answeredAt };
      return { type: 'evaluation.complaint-answered.v1', data };
    }
  }
}
