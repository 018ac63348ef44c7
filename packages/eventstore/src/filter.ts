import { categoryOf, type EventFilter, type StoredEvent } from './port.ts';

/** The filter semantics every adapter implements (server-side where it can). */
export function matchesFilter(event: Pick<StoredEvent, 'stream' | 'type'>, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.categories && !filter.categories.includes(categoryOf(event.stream))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
