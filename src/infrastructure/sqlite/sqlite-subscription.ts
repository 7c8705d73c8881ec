import { EventFilter, RecordedEvent, Subscription } from '../../event-store';

/** Which events a read returns, and which of them with their bodies (ReadAllOptions). */
export interface EventSelection {
  filter?: EventFilter;
  bodies?: EventFilter;
}

/** What a subscription needs from the store: pages after a position, and a signal of new appends. */
export interface SubscriptionSource {
  readAfter(position: bigint, selection: EventSelection, limit: number): RecordedEvent[];
  /** Resolves after the next append commits (or after a poll interval, for writers in other processes). */
  nextAppend(): Promise<void>;
  release(subscription: SqliteSubscription): void;
}

const PAGE_SIZE = 1000;

/**
 * Catch-up and live are one loop: read the next page after the last delivered position; when there
 * is none, wait for an append. A single writer commits positions in order, so a page never skips one.
 */
export class SqliteSubscription implements Subscription {
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: SubscriptionSource,
    private position: bigint,
    private readonly selection: EventSelection,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      while (!this.closed) {
        const page = this.source.readAfter(this.position, this.selection, PAGE_SIZE);
        if (page.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            void this.source.nextAppend().then(resolve);
          });
          this.wake = undefined;
          continue;
        }
        for (const event of page) {
          if (this.closed) return;
          this.position = event.position;
          yield event;
        }
      }
    } finally {
      this.closed = true;
      this.source.release(this);
    }
  }

  async unsubscribe(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.source.release(this);
  }
}
