import type { EventFilter, EventStore, RecordedEvent } from '../event-store/event-store.port';

/** Events read from `$all` per page: one await per page, as the projections catch up. */
const PAGE = 2_000;

export interface PagesOfAllOptions {
  /** Exclusive: the first page starts after this position (-1n: from the first event). */
  after?: bigint;
  /** Inclusive: the head found at the start. Events written since are not read. */
  head: bigint;
  /** As ReadAllOptions.bodies. */
  bodies?: EventFilter;
}

/**
 * The events of `$all` after `after` up to `head`, in pages of at most PAGE events, none empty:
 * one page in memory at a time, whatever the store holds. Each read starts at the last position
 * read, inclusive, so that it names a position the store has (EventStoreDB positions are not
 * dense); that event is skipped.
 */
export async function* pagesOfAll(
  store: EventStore,
  options: PagesOfAllOptions,
): AsyncGenerator<RecordedEvent[]> {
  let last = options.after ?? -1n;
  while (last < options.head) {
    const page = await store.readAll({
      fromPosition: last < 0n ? 'start' : last,
      maxCount: PAGE,
      bodies: options.bodies,
    });
    const from = last;
    const events = page.filter((e) => e.position > from && e.position <= options.head);
    if (events.length === 0) return; // the head was found, yet nothing is left to read up to it
    yield events;
    last = events[events.length - 1].position;
  }
}
