import type { EventFilter, EventStore, RecordedEvent } from '../event-store/event-store.port';
import { namingDamage } from './data-files';
import type { EventsReading } from './ledger';
import { progressBar } from './progress-bar';

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
 * `$all` read short of the head found at the start. SQLite reads a damaged page of the events
 * table as the end of it: a read that stopped there would pass for a whole one.
 */
export class EndedBeforeHeadError extends Error {
  constructor(last: bigint, head: bigint) {
    const read =
      last < 0n ? 'no event could be read' : `the events could be read up to position ${last} only`;
    super(`${read}, short of the head of $all at position ${head}`);
  }
}

/**
 * The events of `$all` after `after` up to `head`, in pages of at most PAGE events, none empty:
 * one page in memory at a time, whatever the store holds. Each read starts at the last position
 * read, inclusive, so that it names a position the store has (EventStoreDB positions are not
 * dense); that event is skipped. A read that finds nothing more before the head throws
 * EndedBeforeHeadError.
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
    if (events.length === 0) throw new EndedBeforeHeadError(last, options.head);
    yield events;
    last = events[events.length - 1].position;
  }
}

/** `error` of a read of `$all`, naming the file that could not be read whole (namingDamage). */
export function namingReadDamage(path: string | undefined, error: unknown): unknown {
  if (path === undefined || !(error instanceof EndedBeforeHeadError))
    return namingDamage(path, error);
  return new Error(
    `${path} is damaged: ${error.message}. \`ledger check\` says where; an events.db is restored from a backup (docs/operations.md).`,
  );
}

/**
 * Hands each event of `$all` up to `head` to `visit`, in order, with a progress bar on stderr; a
 * read that fails names the damaged file. Resolves to how many events it read.
 */
export async function visitAllWithProgress(
  options: EventsReading,
  head: bigint,
  visit: (event: RecordedEvent) => void,
  bodies?: EventFilter,
): Promise<number> {
  const { store, io } = options;
  const [first] = await store.readAll({ maxCount: 1 });
  const bar = progressBar(io.err);
  const started = process.hrtime.bigint();
  let events = 0;
  try {
    for await (const page of pagesOfAll(store, { head, bodies })) {
      for (const event of page) visit(event);
      events += page.length;
      bar.update({
        events,
        position: Number(page[page.length - 1].position),
        first: first ? Number(first.position) : -1,
        head: Number(head),
        elapsedSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    }
  } catch (error) {
    throw namingReadDamage(options.eventsPath, error);
  } finally {
    bar.done();
  }
  return events;
}
