/**
 * The one error the event store adds to `@govsvc/errors`: an event id that is
 * already stored, but not as a retry of the same append. It is a caller bug
 * (an id reused for different content, or a retry aimed at another position),
 * never a race, so it is not a ConcurrencyError: retrying cannot fix it.
 */
import { DomainError } from '@govsvc/errors/errors';

export class EventIdConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'event-id-conflict';
  readonly title = 'Event id already used';
  constructor(
    readonly eventId: string,
    readonly stream: string,
    readonly reason: string,
    details: Record<string, unknown> = {},
  ) {
    super(`event ${eventId} (append to ${stream}): ${reason}`, { eventId, stream, reason, ...details });
  }
}
