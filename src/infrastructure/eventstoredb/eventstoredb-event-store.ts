import {
  BACKWARDS,
  EventStoreDBClient,
  FORWARDS,
  JSONType,
  ReadPosition,
  StreamNotFoundError,
  jsonEvent,
} from '@eventstore/db-client';
import {
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  matchesFilter,
} from '../../event-store';
import {
  fromResolvedEvent,
  isSystemEvent,
  positionOf,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toEsdbReadPosition,
  toEsdbReadRevision,
  toPortError,
} from './eventstoredb-mapping';
import {
  DEFAULT_RESUME_OPTIONS,
  ResumeOptions,
  ResumingSubscription,
} from './resuming-subscription';

export interface EventStoreDbOptions {
  /** Reconnection policy of subscriptions. */
  resume?: Partial<ResumeOptions>;
  /** Events per page when reading $all (at least 2). */
  readAllPageSize?: number;
}

/**
 * The event-store port on EventStoreDB (20+) through `@eventstore/db-client` 6.x.
 * See docs/event-store.md for the position mapping and what is filtered where.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly resume: ResumeOptions;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<ResumingSubscription>();

  /**
   * The client connects lazily (and reconnects by itself), so this neither waits for nor requires
   * a reachable server.
   */
  static connect(
    connectionString: string,
    options: EventStoreDbOptions = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(connectionString, options);
  }

  /** @param connectionString e.g. `esdb://localhost:2113?tls=false` */
  constructor(connectionString: string, options: EventStoreDbOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.resume = { ...DEFAULT_RESUME_OPTIONS, ...options.resume };
    this.pageSize = Math.max(2, options.readAllPageSize ?? 500);
  }

  async append(
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const proposed = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata }),
    );
    try {
      const result = await this.client.appendToStream(stream, proposed, {
        expectedRevision: toEsdbExpectedRevision(expectedRevision),
      });
      const nextExpectedRevision = result.nextExpectedRevision;
      // The server reports no position when it recognised the write as an idempotent repeat.
      const position =
        result.position?.commit ?? (await this.positionOfRevision(stream, nextExpectedRevision));
      return { nextExpectedRevision, position };
    } catch (error) {
      throw toPortError(error, stream, expectedRevision);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const fromRevision = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const read = this.client.readStream(stream, {
      fromRevision: toEsdbReadRevision(fromRevision),
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = fromResolvedEvent(resolved);
        if (event) out.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toPortError(error);
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return [];
    const keep = (e: RecordedEvent) => matchesFilter(options.filter, e.stream, e.type);
    return (options.direction ?? 'forwards') === 'forwards'
      ? this.readAllForwards(options.fromPosition ?? 'start', maxCount, keep)
      : this.readAllBackwards(options.fromPosition ?? 'end', maxCount, keep);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const subscription = new ResumingSubscription(
      this.client,
      options.fromPosition ?? 'start',
      () => this.headPosition(),
      options.filter,
      this.resume,
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    const [last] = await this.readAllBackwards('end', 1, () => true);
    return last ? last.position : -1n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    await this.client.dispose();
  }

  /**
   * The client (6.x) cannot filter reads of $all on the server, so we page through $all and filter
   * here, dropping system events. A forward page starts at the last position of the previous page
   * (inclusive), so its first event is skipped as already seen.
   */
  private async readAllForwards(
    from: bigint | 'start' | 'end',
    maxCount: number,
    keep: (e: RecordedEvent) => boolean,
  ): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (from === 'end') return out;
    let seenUpTo = -1n;
    let position = toEsdbReadPosition(from);
    for (;;) {
      const page = await this.readAllPage(position, FORWARDS);
      for (const e of page.events) {
        if (e.position <= seenUpTo) continue;
        if (keep(e)) out.push(e);
        if (out.length >= maxCount) return out;
      }
      if (page.size < this.pageSize || page.last === undefined) return out;
      seenUpTo = page.last;
      position = toEsdbPosition(page.last);
    }
  }

  /**
   * EventStoreDB reads backwards from a position *exclusively* while the port's `fromPosition` is
   * inclusive, so the event at `from` itself is fetched with a one-event forward read.
   */
  private async readAllBackwards(
    from: bigint | 'start' | 'end',
    maxCount: number,
    keep: (e: RecordedEvent) => boolean,
  ): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (from === 'start' || (typeof from === 'bigint' && from < 0n)) return out;
    let before: bigint | undefined; // every event still to come lies strictly before this position
    let position = toEsdbReadPosition(from);
    if (typeof from === 'bigint') {
      const { events } = await this.readAllPage(position, FORWARDS, 1);
      const atFrom = events.find((e) => e.position === from);
      if (atFrom && keep(atFrom)) out.push(atFrom);
      if (out.length >= maxCount) return out;
      before = from;
    }
    for (;;) {
      const page = await this.readAllPage(position, BACKWARDS);
      for (const e of page.events) {
        if (before !== undefined && e.position >= before) continue;
        if (keep(e)) out.push(e);
        if (out.length >= maxCount) return out;
      }
      if (page.size < this.pageSize || page.last === undefined) return out;
      before = page.last;
      position = toEsdbPosition(page.last);
    }
  }

  /**
   * One page of $all. `events` leaves out system and non-JSON events; `size` and `last` (position
   * of the page's last record of any kind) are what paging needs.
   */
  private async readAllPage(
    fromPosition: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount = this.pageSize,
  ): Promise<{ events: RecordedEvent[]; size: number; last: bigint | undefined }> {
    const events: RecordedEvent[] = [];
    let size = 0;
    let last: bigint | undefined;
    try {
      for await (const resolved of this.client.readAll({ fromPosition, direction, maxCount })) {
        size += 1;
        const position = positionOf(resolved);
        if (position >= 0n) last = position;
        const event = fromResolvedEvent(resolved);
        if (event && !isSystemEvent(event.stream, event.type)) events.push(event);
      }
    } catch (error) {
      throw toPortError(error);
    }
    return { events, size, last };
  }

  private async positionOfRevision(stream: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    return event?.revision === revision ? event.position : -1n;
  }
}
