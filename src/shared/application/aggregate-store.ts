import {
  CURRENT_SCHEMA_VERSION,
  EventContext,
  toEventData,
  toTypedEvent,
  TypedEvent,
} from '../../event-store/envelope';
import { StreamUnreadableError } from '../../event-store/event-store.errors';
import { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import { PlannedAppend } from './command-executor';
import { nextRevision, StateCache, Versioned } from './state-cache';

/** Events a load folds between two turns of the event loop (about 20 ms of a cold load). */
export const CATCH_UP_PAGE = 512;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Loads an aggregate's state by folding its stream, keeping the result by revision so that a hot
 * path never reads a whole stream twice: a cached state is caught up from its revision, and an
 * append we made ourselves is folded in without reading at all.
 *
 * An event it cannot fold (a type or schema version this release does not know, data its evolve
 * would misread, or a body the store found damaged) fails the load with StreamUnreadableError,
 * before any decision is made on it, and leaves the cache as it was: a state is kept only once
 * every event up to its revision is folded.
 */
export class AggregateStore<S, E extends TypedEvent> {
  constructor(
    private readonly store: EventStore,
    private readonly cache: StateCache,
    private readonly evolve: (state: S, event: E) => S,
    private readonly initialState: S,
    /** Why evolve cannot fold an event, or null (the aggregate's event rules). */
    private readonly problemOf: (event: TypedEvent) => string | null,
  ) {}

  /**
   * The cached state, trusted without a read: an append on a stale state fails on its expected
   * revision, and the executor then marks the entry stale and decides again on a load that reads
   * only the events past the cached revision.
   */
  async load(stream: string): Promise<Versioned<S>> {
    const cached = this.cache.get<S>(stream);
    if (cached && !cached.stale) return cached;
    return this.loadFresh(stream);
  }

  /**
   * The stream as the store holds it now: the cached state, and whatever was written past it. For
   * a stream a decision reads without writing it (no expected revision of its own) on a store that
   * other replicas write too: a cached state could otherwise be trusted for good.
   */
  async loadFresh(stream: string): Promise<Versioned<S>> {
    return this.catchUp(
      stream,
      this.cache.get<S>(stream) ?? { state: this.initialState, revision: 'no_stream' },
    );
  }

  /**
   * Folds whatever the stream holds past `from`, a page at a time with a turn of the event loop
   * between pages: a cold load of a long stream (a wallet of years, every reservation of a large
   * offer) takes ~35 µs an event, and must not hold every other request for the whole of it.
   */
  private async catchUp(stream: string, from: Versioned<S>): Promise<Versioned<S>> {
    let { state, revision } = from;
    let expected = nextRevision(revision);
    for (;;) {
      const page = await this.store.readStream(stream, {
        fromRevision: expected,
        maxCount: CATCH_UP_PAGE,
      });
      for (const event of page) {
        // A store never skips a revision: a gap is an event lost from the file, and a state
        // folded past it would be wrong (a debit without the credit before it).
        if (event.revision !== expected) throw revisionMissing(event, expected);
        state = this.evolve(state, this.foldable(event));
        revision = event.revision;
        expected++;
      }
      if (page.length < CATCH_UP_PAGE) break;
      await nextTurn();
    }
    const loaded = { state, revision };
    this.cache.set(stream, loaded);
    return loaded;
  }

  /** The event as evolve takes it, once it is one evolve can fold. */
  private foldable(event: RecordedEvent): E {
    return foldableEvent<E>(event, this.problemOf);
  }

  /**
   * An append of `events` on top of `loaded`, with the state they lead to: folded once, for the
   * command's answer and, once written, for the cache (no read).
   */
  plan(
    stream: string,
    loaded: Versioned<S>,
    events: readonly E[],
    context: EventContext,
  ): PlannedAppend & { readonly state: S; readonly revision: bigint } {
    const state = events.reduce(this.evolve, loaded.state);
    return {
      stream,
      expectedRevision: loaded.revision,
      events: events.map((e) => toEventData(e, context)),
      state,
      // The stream's revision once these are written: another append may be planned on top.
      revision: nextRevision(loaded.revision) + BigInt(events.length - 1),
      onApplied: (result) =>
        this.cache.set(stream, { state, revision: result.nextExpectedRevision }),
    };
  }
}

/**
 * `event` as an evolve takes it, once it is one the evolve can fold: its schema version this
 * release's, and no problem found by `problemOf` (the aggregate's event rules); else
 * StreamUnreadableError naming it. Also `ledger balance`'s check, so that it folds what a load does.
 */
export function foldableEvent<E extends TypedEvent>(
  event: RecordedEvent,
  problemOf: (event: TypedEvent) => string | null,
): E {
  const { schemaVersion } = event.metadata;
  const problem =
    schemaVersion === CURRENT_SCHEMA_VERSION
      ? problemOf(event)
      : `its schemaVersion is ${JSON.stringify(schemaVersion) ?? 'missing'}, and this version of the service reads ${CURRENT_SCHEMA_VERSION}`;
  if (problem !== null)
    throw new StreamUnreadableError(event.stream, event.revision, event.position, problem);
  return toTypedEvent<E>(event);
}

/** A stream's event read where an earlier revision should be: one lost from the store. */
export function revisionMissing(event: RecordedEvent, expected: bigint): StreamUnreadableError {
  const problem = `revision ${expected} before it is missing from the store`;
  return new StreamUnreadableError(event.stream, event.revision, event.position, problem);
}
