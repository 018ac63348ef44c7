/** Stored ⇄ domain events of supervision's own streams, parsed with their zod schemas (see `ownDeadlineCodec` for the hot paths). */
import { zodEventCodec, type EventCodec } from '@govsvc/eventstore/event-codec';
import { caseFileEventDefinitions, guideFileEventDefinitions, type CaseFileEvent, type GuideFileEvent } from '../domain/case-file.ts';
import { deadlineEventDefinitions, type DeadlineEvent } from '../domain/deadline-events.ts';

export const deadlineCodec = zodEventCodec<DeadlineEvent>(deadlineEventDefinitions);

/**
 * Supervision reading its own deadline streams on the hot paths (projection, firing, rebuild):
 * every event there was checked against its schema when `deadlineCodec.encode` wrote it, so an
 * event at the current schema version is taken as stored; older versions still go through the
 * codec's upcasters. Writes keep validating.
 */
export const ownDeadlineCodec: EventCodec<DeadlineEvent> = {
  encode: (event) => deadlineCodec.encode(event),
  decode: (stored) =>
    stored.schemaVersion === deadlineEventDefinitions[stored.type as DeadlineEvent['type']]?.schemaVersion
      ? ({ type: stored.type, data: stored.data } as DeadlineEvent)
      : deadlineCodec.decode(stored),
};
export const caseFileCodec = zodEventCodec<CaseFileEvent>(caseFileEventDefinitions);
export const guideFileCodec = zodEventCodec<GuideFileEvent>(guideFileEventDefinitions);

export const DEADLINE_CATEGORY = 'deadline';
/** Supervision's own stream categories: what its relay publishes from and what it may append to. */
export const SUPERVISION_CATEGORIES = [DEADLINE_CATEGORY, 'supervisedcase', 'supervisedguide'] as const;

/** Who supervision's automatic entries are attributed to in the audit trail. */
export const SYSTEM_ACTOR = { id: 'supervision', role: 'system' } as const;
