import { EventFilter } from './event-store.port';

/** True when an event from `stream` of type `type` passes the filter. */
export function matchesFilter(
  filter: EventFilter | undefined,
  stream: string,
  type: string,
): boolean {
  if (!filter) return true;
  if (filter.streamNamePrefixes) return filter.streamNamePrefixes.some((p) => stream.startsWith(p));
  return filter.eventTypes.includes(type);
}
