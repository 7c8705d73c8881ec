import { EventStore, JsonObject, JsonValue, RecordedEvent } from '../event-store/event-store.port';
import { isSubscriberStream, subscriberStreamPrefixes } from '../ledger/streams';

/** An event as the feed serves it: the envelope, 64-bit integers as strings of digits. */
export interface FeedEvent {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  data: JsonValue;
  metadata: JsonObject;
  createdAt: string;
  /** Only on an event whose stored body is damaged (event-store.port.ts). */
  unreadable?: string;
}

export interface FeedPage {
  events: FeedEvent[];
  /** The position to pass as `after` next; null only while `$all` is empty and no `after` was given. */
  nextCursor: string | null;
  /** The read reached the head of `$all` found at the start of the read. */
  caughtUp: boolean;
}

export interface FeedRequest {
  /** `<environment>.<orgId>`: only its subscriber streams are read. */
  tenantKey: string;
  /** Exclusive; undefined: from the first event. */
  after?: bigint;
  limit: number;
  /** Only these types; undefined: all. */
  types?: ReadonlySet<string>;
  /** Milliseconds to wait for the tenant's next event when the page is empty and caught up. */
  waitMs: number;
  /** Aborted when the client has gone: the wait ends. */
  signal?: AbortSignal;
}

const toFeedEvent = (e: RecordedEvent): FeedEvent => ({
  position: String(e.position),
  stream: e.stream,
  revision: String(e.revision),
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  createdAt: e.created.toISOString(),
  ...(e.unreadable === undefined ? {} : { unreadable: e.unreadable }),
});

const cursorOf = (position: bigint) => (position < 0n ? null : String(position));

/** What a read of `$all` looked at: its rows, whether a count cut it short, and its far end. */
interface Scan {
  rows: RecordedEvent[];
  cut: boolean;
  end: bigint;
}

/** No event body is needed to learn that one arrived. */
const NO_BODIES = { eventTypes: [] };

/**
 * The events feed (GET /v1/events): a tenant's ledger events in `$all` order, resumable from any
 * position. Each read looks at no more than `window` events of `$all` after the cursor (a range of
 * positions where they are dense, else a count of events), so a client paging from an old position
 * over a store full of other tenants' events makes steady progress, through empty pages if need
 * be, at a bounded cost a request. A wait (long-poll) subscribes to
 * `$all` from the head and ends at the tenant's next event, its deadline, the client's leaving or
 * the service's shutdown.
 */
export class EventsFeed {
  private readonly waits = new Set<() => void>();
  private waitStarted: Array<() => void> = [];
  private closing = false;

  constructor(
    private readonly store: EventStore,
    /** Events of `$all` a read looks at, at most. */
    private readonly window: number,
  ) {}

  async read(request: FeedRequest): Promise<FeedPage> {
    const deadline = Date.now() + request.waitMs;
    let after = request.after ?? -1n;
    let page = await this.page(request, after);
    while (page.events.length === 0 && page.caughtUp && !this.closing) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || request.signal?.aborted) break;
      after = page.nextCursor === null ? -1n : BigInt(page.nextCursor);
      if (!(await this.nextEvent(request.tenantKey, after, remaining, request.signal))) break;
      page = await this.page(request, after);
    }
    return page;
  }

  /**
   * Resolves once the next wait has subscribed: an append after that is surely seen by it, so a
   * test appends then instead of sleeping.
   */
  nextWait(): Promise<void> {
    return new Promise((resolve) => this.waitStarted.push(resolve));
  }

  /** Ends every wait now (their answers go out as they are) and starts no more: the shutdown. */
  endWaits(): void {
    this.closing = true;
    for (const end of [...this.waits]) end();
  }

  private async page(request: FeedRequest, after: bigint): Promise<FeedPage> {
    const head = await this.store.headPosition();
    if (after >= head) return { events: [], nextCursor: cursorOf(after), caughtUp: true };
    const { rows, cut, end } = this.store.densePositions
      ? await this.readWindow(request, after, head)
      : await this.readEvents(after, head);
    const { tenantKey, limit, types } = request;
    const matching = rows.filter(
      (e) =>
        e.position > after &&
        isSubscriberStream(e.stream, tenantKey) &&
        (types === undefined || types.has(e.type)),
    );
    if (matching.length > limit) {
      const events = matching.slice(0, limit);
      return {
        events: events.map(toFeedEvent),
        nextCursor: cursorOf(events[limit - 1].position),
        caughtUp: false,
      };
    }
    // A read cut short has seen every row up to its last one; else the whole window.
    const scanned = cut ? rows[rows.length - 1].position : end;
    return {
      events: matching.map(toFeedEvent),
      nextCursor: cursorOf(scanned),
      caughtUp: scanned >= head,
    };
  }

  /**
   * Where positions are dense (the embedded store): the tenant's rows among the `window` positions
   * after the cursor, at most `limit` + 1 of them; the store reads that range of its key only.
   */
  private async readWindow(request: FeedRequest, after: bigint, head: bigint): Promise<Scan> {
    const window = BigInt(this.window);
    const end = after + window < head ? after + window : head;
    const maxCount = request.limit + 1;
    const rows = await this.store.readAll({
      // Inclusive: the cursor's own row may come too, and is dropped.
      fromPosition: after < 0n ? 'start' : after,
      toPosition: end,
      maxCount,
      filter: { streamNamePrefixes: subscriberStreamPrefixes(request.tenantKey) },
    });
    return { rows, cut: rows.length === maxCount, end };
  }

  /**
   * Elsewhere (EventStoreDB, whose adapter filters `$all` in this process): the next `window`
   * events of `$all`, unfiltered, so that the cursor is always an event's own position.
   */
  private async readEvents(after: bigint, head: bigint): Promise<Scan> {
    const read = await this.store.readAll({
      fromPosition: after < 0n ? 'start' : after,
      maxCount: this.window + 1,
    });
    const rows = read.filter((e) => e.position > after && e.position <= head);
    const cut =
      rows.length > 0 && rows[rows.length - 1].position < head && read.length > this.window;
    return { rows, cut, end: head };
  }

  /** Whether one of the tenant's events came after `after` within `ms`. */
  private async nextEvent(
    tenantKey: string,
    after: bigint,
    ms: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const subscription = this.store.subscribeToAll({
      fromPosition: after < 0n ? 'start' : after,
      filter: { streamNamePrefixes: subscriberStreamPrefixes(tenantKey) },
      bodies: NO_BODIES,
    });
    const end = () => void subscription.unsubscribe();
    const timer = setTimeout(end, ms);
    this.waits.add(end);
    signal?.addEventListener('abort', end);
    const started = this.waitStarted;
    this.waitStarted = [];
    started.forEach((resolve) => resolve());
    try {
      for await (const event of subscription) {
        if (event.position > after && isSubscriberStream(event.stream, tenantKey)) return true;
      }
      return false;
    } finally {
      clearTimeout(timer);
      this.waits.delete(end);
      signal?.removeEventListener('abort', end);
      await subscription.unsubscribe();
    }
  }
}
