import { StartRefused } from '../../config/start-refused';
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
  EventStoreUnavailableError,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamUnreadableError,
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
  LostEventsLatch,
  ResumeOptions,
  ResumingSubscription,
} from './resuming-subscription';
import { messageOf } from '../../shared/application/error-message';

/** What a head read asks for first, and how much wider each further read is (up to a page). */
const HEAD_FIRST_READ = 1;
const HEAD_READ_GROWTH = 8;

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
  /** What subscriptions found of the head: behind (writes wait), or lost events (all refused). */
  private readonly lost: LostEventsLatch = {};

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

  /**
   * @param connectionString e.g. `esdb://localhost:2113?tls=false`; one the client cannot parse
   *   throws `EVENTSTORE_CONNECTION_STRING is invalid: …` (see {@link clientFor}).
   */
  constructor(connectionString: string, options: EventStoreDbOptions = {}) {
    this.client = clientFor(connectionString);
    this.resume = { ...DEFAULT_RESUME_OPTIONS, ...options.resume };
    this.pageSize = Math.max(2, options.readAllPageSize ?? 500);
  }

  async append(
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    this.refuseIfLost();
    if (this.lost.behindSince !== undefined)
      throw new EventStoreUnavailableError(
        'EventStoreDB is behind events this service has read (a lagging node, or a store that lost them): writes wait until it catches up',
      );
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
    this.refuseIfLost();
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
        if (!event) continue;
        // A decision must not fold a damaged event (as on the embedded store).
        if (event.unreadable !== undefined)
          throw new StreamUnreadableError(stream, event.revision, event.position, event.unreadable);
        out.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toPortError(error);
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.refuseIfLost();
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return [];
    const keep = (e: RecordedEvent) => matchesFilter(options.filter, e.stream, e.type);
    const far = options.toPosition;
    return (options.direction ?? 'forwards') === 'forwards'
      ? this.readAllForwards(options.fromPosition ?? 'start', maxCount, keep, far)
      : this.readAllBackwards(options.fromPosition ?? 'end', maxCount, keep, undefined, far);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const subscription = new ResumingSubscription(
      this.client,
      options.fromPosition ?? 'start',
      () => this.headPosition(),
      options.filter,
      this.resume,
      (s) => this.subscriptions.delete(s),
      this.lost,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The last event `readAll` could return. It is nearly always the last record of $all, so the
   * first read asks for one record; only while what it finds does not count (system events) are
   * further reads made, each wider, up to a page.
   */
  async headPosition(): Promise<bigint> {
    this.refuseIfLost();
    const [last] = await this.readAllBackwards('end', 1, () => true, HEAD_FIRST_READ);
    return last ? last.position : -1n;
  }

  private refuseIfLost(): void {
    if (this.lost.error) throw this.lost.error;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    await this.client.dispose();
  }

  /**
   * The client (6.x) cannot filter reads of $all on the server, so we page through $all and filter
   * here, dropping system events. A forward page starts at the last position of the previous page
   * (inclusive), so its first event is skipped as already seen. Paging stops at the first event
   * past `to`.
   */
  private async readAllForwards(
    from: bigint | 'start' | 'end',
    maxCount: number,
    keep: (e: RecordedEvent) => boolean,
    to?: bigint,
  ): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (from === 'end') return out;
    let seenUpTo = -1n;
    let position = toEsdbReadPosition(from);
    for (;;) {
      const page = await this.readAllPage(position, FORWARDS);
      for (const e of page.events) {
        if (e.position <= seenUpTo) continue;
        if (to !== undefined && e.position > to) return out;
        if (keep(e)) out.push(e);
        if (out.length >= maxCount) return out;
      }
      if (page.size < this.pageSize || page.last === undefined) return out;
      if (to !== undefined && page.last >= to) return out;
      seenUpTo = page.last;
      position = toEsdbPosition(page.last);
    }
  }

  /**
   * EventStoreDB reads backwards from a position *exclusively* while the port's `fromPosition` is
   * inclusive, so the event at `from` itself is fetched with a one-event forward read.
   * `firstPageSize` (default a page) is what the first backwards read asks for; each later read
   * asks for `HEAD_READ_GROWTH` times more, up to a page. Paging stops at the first event before
   * `to`.
   */
  private async readAllBackwards(
    from: bigint | 'start' | 'end',
    maxCount: number,
    keep: (e: RecordedEvent) => boolean,
    firstPageSize = this.pageSize,
    to?: bigint,
  ): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (from === 'start' || (typeof from === 'bigint' && from < 0n)) return out;
    if (to !== undefined && typeof from === 'bigint' && from < to) return out;
    let before: bigint | undefined; // every event still to come lies strictly before this position
    let position = toEsdbReadPosition(from);
    if (typeof from === 'bigint') {
      const { events } = await this.readAllPage(position, FORWARDS, 1);
      const atFrom = events.find((e) => e.position === from);
      if (atFrom && keep(atFrom)) out.push(atFrom);
      if (out.length >= maxCount) return out;
      before = from;
    }
    let count = Math.min(Math.max(1, firstPageSize), this.pageSize);
    for (;;) {
      const page = await this.readAllPage(position, BACKWARDS, count);
      for (const e of page.events) {
        if (before !== undefined && e.position >= before) continue;
        if (to !== undefined && e.position < to) return out;
        if (keep(e)) out.push(e);
        if (out.length >= maxCount) return out;
      }
      if (page.size < count || page.last === undefined) return out;
      if (to !== undefined && page.last <= to) return out;
      before = page.last;
      position = toEsdbPosition(page.last);
      count = Math.min(count * HEAD_READ_GROWTH, this.pageSize);
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

/** The client's protocol (`[^:]+://`) and optional credentials (`[^:]+:[^@]+@`) patterns in one. */
const CREDENTIALS = /^[^:]+:\/\/(?:([^:]+:[^@]+)@)?/;

/** The client's parser works on the string trimmed and without trailing slashes. */
const normalized = (connectionString: string) => connectionString.trim().replace(/\/+$/, '');

/** `esdb://user:password@…` → `user:password`, as the client reads it; '' without credentials. */
function credentialsOf(connectionString: string): string {
  return CREDENTIALS.exec(normalized(connectionString))?.[1] ?? '';
}

/**
 * The client for a connection string. The client's own parse error carries the whole string, so
 * Nest, which prints a failed start's error with its properties, would log the password; and the
 * client warns about some options (`tlsVerifyCert=false`, an unknown key) by printing the whole
 * string. Here the error is a plain Error that names the variable, and the warnings go out with the
 * credentials masked.
 */
export function clientFor(connectionString: string): EventStoreDBClient {
  const credentials = credentialsOf(connectionString);
  const mask = (text: string) => (credentials ? text.split(credentials).join('***') : text);
  const warn = console.warn;
  // The client parses synchronously: nothing else can warn while this is in place.
  console.warn = (...args: unknown[]) =>
    warn(...args.map((arg) => (typeof arg === 'string' ? mask(arg) : arg)));
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    // Not attached as the cause: Nest would print it, with its `connectionString`. A setting to
    // fix, not a bug: refused in one line, with no stack.
    throw new StartRefused(
      `EVENTSTORE_CONNECTION_STRING is invalid: ${mask(parseProblem(connectionString, error))}`,
    );
  } finally {
    console.warn = warn;
  }
}

/**
 * What the client's parser objected to. Its message quotes the offending text: that is shown
 * where it lies in the query (`?tls=…`), and left out before it, where it may be a password (with
 * the `@` missing, `esdb://user:password` reads as a host and a bad port number).
 */
function parseProblem(connectionString: string, error: unknown): string {
  const { location, expected } = (error ?? {}) as { location?: unknown; expected?: unknown };
  if (!Array.isArray(location) || typeof location[0] !== 'number' || typeof expected !== 'string')
    return messageOf(error);
  const text = normalized(connectionString);
  const hostsStart = CREDENTIALS.exec(text)?.[0].length ?? 0;
  const queryStart = text.indexOf('?', hostsStart);
  const from = location[0];
  return queryStart >= 0 && from >= queryStart
    ? messageOf(error)
    : `unexpected text at position ${from}, expected ${expected}.`;
}
