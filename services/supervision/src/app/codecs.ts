/** Stored ⇄ domain events of supervision's own streams, parsed with their zod schemas at every read. */
import { zodEventCodec } from '@govsvc/eventstore/event-codec';
import { caseFileEventDefinitions, guideFileEventDefinitions, type CaseFileEvent, type GuideFileEvent } from '../domain/case-file.ts';
import { deadlineEventDefinitions, type DeadlineEvent } from '../domain/deadline-events.ts';

export const deadlineCodec = zodEventCodec<DeadlineEvent>(deadlineEventDefinitions);
export const caseFileCodec = zodEventCodec<CaseFileEvent>(caseFileEventDefinitions);
export const guideFileCodec = zodEventCodec<GuideFileEvent>(guideFileEventDefinitions);

export const DEADLINE_CATEGORY = 'deadline';
/** Supervision's own stream categories: what its relay publishes from and what it may append to. */
export const SUPERVISION_CATEGORIES = [DEADLINE_CATEGORY, 'supervisedcase', 'supervisedguide'] as const;

/** Who supervision's automatic entries are attributed to in the audit trail. */
export const SYSTEM_ACTOR = { id: 'supervision', role: 'system' } as const;
