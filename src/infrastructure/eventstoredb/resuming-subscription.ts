import {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EventStoreDBClient,
} from '@eventstore/db-client';
import {
  EventFilter,
  EventStoreLostEventsError,
  EventStoreUnavailableError,
  RecordedEvent,
  Subscription,
  matchesFilter,
} from '../../event-store';
import {
  fromResolvedEvent,
  isSystemEvent,
  isTransientError,
  toEsdbFilter,
  toEsdbReadPosition,
  toPortError,
} from './eventstoredb-mapping';

export interface ResumeOptions {
  /** Delay before the first resubscription after a drop; doubles per consecutive failure. */
  initialDelayMs: number;
  /** Upper bound of the delay. */
  maxDelayMs: number;
  /** Consecutive failed attempts (no confirmation or event in between) before the iteration throws. */
  maxAttempts: number;
  /**
   * How long the store's head may stay before an event the subscription delivered before the
   * store is taken to have lost events. A lagging node (follower reads) catches up in that time;
   * a store that was replaced or restored does not.
   */
  lostAfterMs: number;
}

export const DEFAULT_RESUME_OPTIONS: ResumeOptions = {
  initialDelayMs: 50,
  maxDelayMs: 5000,
  maxAttempts: 10,
  lostAfterMs: 10_000,
};

const CLOSED = Symbol('closed');

/** What the subscriptions of a store found of its head; shared by the store and them. */
export interface LostEventsLatch {
  /** Since when the head has stood before an event a subscription delivered (ms), if it does. */
  behindSince?: number;
  /** Set once it stood there for lostAfterMs: the store lost events, for good. */
  error?: EventStoreLostEventsError;
}

/** The head stands before what a subscription delivered: retried, unless it stays there. */
export class StoreBehindError extends EventStoreUnavailableError {
  constructor(last: bigint, head: bigint) {
    super(`EventStoreDB's head is at position ${head}, before position ${last}, already read`);
  }
}

/**
 * A subscription to `$all` that survives connection drops: it remembers the position of the last
 * event it delivered and, when the client's subscription fails with a connection-level error (or
 * the server ends it), subscribes again from that position. EventStoreDB's subscription start
 * position is exclusive, so nothing is delivered twice; a position guard drops anything at or
 * before the last delivered position all the same.
 */
export class ResumingSubscription implements Subscription {
  private closed = false;
  private signalClosed!: () => void;
  private readonly closedSignal = new Promise<typeof CLOSED>((resolve) => {
    this.signalClosed = () => resolve(CLOSED);
  });
  /** Exclusive resume position; undefined while a start at 'end' is not resolved yet. */
  private last: bigint | 'start' | undefined;
  private pendingHead?: Promise<bigint>;
  private current?: AllStreamSubscription;
  private readonly events: AsyncGenerator<RecordedEvent>;

  /**
   * @param resolveEnd the head position of $all, for a start at 'end'. It is asked for at once, so
   *   that the subscription starts where $all is now, and a drop before the first event leaves no gap.
   */
  constructor(
    private readonly client: EventStoreDBClient,
    start: bigint | 'start' | 'end',
    private readonly resolveEnd: () => Promise<bigint>,
    private readonly filter: EventFilter | undefined,
    private readonly options: ResumeOptions,
    private readonly onClose: (subscription: ResumingSubscription) => void,
    private readonly lost: LostEventsLatch = {},
  ) {
    if (start === 'end') {
      this.pendingHead = resolveEnd();
      this.pendingHead.catch(() => undefined); // handled when iterated; not an unhandled rejection
    } else {
      this.last = start;
    }
    this.events = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.events;
  }

  async unsubscribe(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    const current = this.current;
    this.current = undefined;
    if (current) await cancel(current);
    this.onClose(this);
  }

  private async *run(): AsyncGenerator<RecordedEvent> {
    let failures = 0;
    const progressed = () => {
      failures = 0;
    };
    try {
      while (!this.closed) {
        let failure: unknown;
        try {
          if (this.lost.error) throw this.lost.error;
          if (typeof this.last === 'bigint') await this.checkNotBehind(this.last);
          if (this.last === undefined) {
            const head = await Promise.race([
              this.pendingHead ?? this.resolveEnd(),
              this.closedSignal,
            ]);
            this.pendingHead = undefined;
            if (head === CLOSED) return;
            this.last = head < 0n ? 'start' : head;
          }
          failure = yield* this.follow(this.last, progressed);
        } catch (error) {
          this.pendingHead = undefined;
          if (this.closed) return;
          if (!isTransientError(error) && !(error instanceof StoreBehindError))
            throw toPortError(error);
          failure = error;
        }
        if (this.closed) return;
        failures += 1;
        if (failures > this.options.maxAttempts) {
          throw new EventStoreUnavailableError(
            `subscription to $all could not be resumed after ${this.options.maxAttempts} attempts`,
            failure,
          );
        }
        await this.delay(
          Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** (failures - 1)),
        );
      }
    } finally {
      this.closed = true;
      this.onClose(this);
    }
  }

  /**
   * One client subscription from `from` (exclusive). Returns when closed or when the server ends
   * the call (returning why); throws what the call fails with.
   */
  private async *follow(
    from: bigint | 'start',
    progressed: () => void,
  ): AsyncGenerator<RecordedEvent, unknown> {
    const subscription = this.client.subscribeToAll({
      fromPosition: toEsdbReadPosition(from),
      filter: toEsdbFilter(this.filter),
    });
    this.current = subscription;
    subscription.on('confirmation', progressed);
    const iterator: AsyncIterator<AllStreamResolvedEvent> = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), this.closedSignal]);
        if (next === CLOSED || this.closed) return undefined;
        if (next.done) return new Error('the server ended the subscription');
        progressed();
        const event = fromResolvedEvent(next.value);
        if (!event || isSystemEvent(event.stream, event.type)) continue;
        if (!matchesFilter(this.filter, event.stream, event.type)) continue;
        if (this.last !== 'start' && this.last !== undefined && event.position <= this.last)
          continue;
        this.last = event.position;
        yield event;
        if (this.closed) return undefined;
      }
    } finally {
      if (this.current === subscription) this.current = undefined;
      await cancel(subscription);
    }
  }

  /**
   * Before following from `last`: a head before it is a node that lags, or a store that lost
   * events (replaced or restored while the connection was down). Following would wait past its
   * head for events that may never come, while the command side wrote a second history into it:
   * writes wait (LostEventsLatch.behindSince) and the check is retried; a head still behind after
   * lostAfterMs is a store that lost events, for good.
   */
  private async checkNotBehind(last: bigint): Promise<void> {
    const head = await this.resolveEnd();
    if (head >= last) {
      this.lost.behindSince = undefined;
      return;
    }
    const since = (this.lost.behindSince ??= Date.now());
    if (Date.now() - since < this.options.lostAfterMs) throw new StoreBehindError(last, head);
    throw (this.lost.error ??= new EventStoreLostEventsError(last, head));
  }

  /** Waits, unless the subscription is closed first. */
  private async delay(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([elapsed, this.closedSignal]);
    clearTimeout(timer);
  }
}

async function cancel(subscription: AllStreamSubscription): Promise<void> {
  try {
    await subscription.unsubscribe();
  } catch {
    // The call never started or already failed: nothing to cancel.
  }
  subscription.destroy();
}
