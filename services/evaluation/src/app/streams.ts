/**
 * Evaluation's stream categories and codecs. Each category is one decider:
 * `evaluation-<caseId>` (the case's ratings and rectifications),
 * `complaint-<id>`, `consultation-<id>`, `phonecall-<callId>`. Every stored
 * event is parsed with its zod schema on the way out (parse at every boundary).
 */
import { zodEventCodec, type EventDefinitions } from '@govsvc/eventstore/event-codec';
import { complaintEventSchemas, type ComplaintEvent } from '../domain/complaint/complaint.ts';
import { consultationEventSchemas, phoneCallEventSchemas, type ConsultationEvent, type PhoneCallEvent } from '../domain/consultation/consultation.ts';
import { evaluationEventSchemas, type EvaluationEvent } from '../domain/evaluation/events.ts';
import type { StatisticsEvent } from '../domain/statistics.ts';
import type { StoredEvent } from '@govsvc/eventstore/port';
import { categoryOf } from '@govsvc/eventstore/port';

export const EVALUATION_CATEGORIES = ['evaluation', 'complaint', 'consultation', 'phonecall'] as const;

export const evaluationStream = (caseId: string): string => `evaluation-${caseId}`;
export const complaintStream = (complaintId: string): string => `complaint-${complaintId}`;
export const consultationStream = (consultationId: string): string => `consultation-${consultationId}`;
export const phoneCallStream = (callId: string): string => `phonecall-${callId}`;

function definitions<E extends { type: string; data: unknown }>(schemas: Record<string, unknown>): EventDefinitions<E> {
  return Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }])) as EventDefinitions<E>;
}

export const evaluationCodec = zodEventCodec<EvaluationEvent>(definitions<EvaluationEvent>(evaluationEventSchemas));
export const complaintCodec = zodEventCodec<ComplaintEvent>(definitions<ComplaintEvent>(complaintEventSchemas));
export const consultationCodec = zodEventCodec<ConsultationEvent>(definitions<ConsultationEvent>(consultationEventSchemas));
export const phoneCallCodec = zodEventCodec<PhoneCallEvent>(definitions<PhoneCallEvent>(phoneCallEventSchemas));

/** Decodes any of evaluation's stored events for the statistics fold. */
export function decodeForStatistics(stored: StoredEvent): StatisticsEvent | null {
  switch (categoryOf(stored.stream)) {
    case 'evaluation':
      return evaluationCodec.decode(stored);
    case 'complaint':
      return complaintCodec.decode(stored);
    case 'phonecall':
      return phoneCallCodec.decode(stored);
    case 'consultation':
      return consultationCodec.decode(stored);
    default:
      return null;
  }
}
