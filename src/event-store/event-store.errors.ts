import { ExpectedRevision } from './event-store.port';

/** The stream's revision was not the expected one; nothing was written. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(
      `Wrong expected revision on stream '${stream}': expected ${String(expected)}, actual ${String(actual)}`,
    );
  }
}

/** The store could not be reached or failed; the operation may or may not have happened. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * The event store's head stands before an event this process has read: the store was replaced,
 * restored or pointed at another cluster while the service ran. Serving it would fork the ledger
 * (balances back to older figures, old Idempotency-Keys run again), so the store refuses every
 * operation from then on; a restart checks it against the read models again (docs/operations.md).
 */
export class EventStoreLostEventsError extends EventStoreUnavailableError {
  constructor(
    readonly seen: bigint,
    readonly head: bigint,
  ) {
    super(
      `The event store lost events: its head is at position ${head}, before position ${seen}, which this service has read. It was replaced, restored or pointed elsewhere; nothing more is served or written until a restart finds its events back (docs/operations.md)`,
    );
  }
}

/**
 * An event of the stream cannot be read by this version of the service: its stored body is damaged
 * (the store throws it from `readStream`), or the aggregate folding the stream does not know its
 * type, its schema version or the shape of its data (AggregateStore). Nothing was written: a
 * decision never folds past it. It names a stream and an event of one tenant, and `reason` may
 * quote the event's data.
 */
export class StreamUnreadableError extends Error {
  override readonly name = 'StreamUnreadableError';
  constructor(
    readonly stream: string,
    readonly revision: bigint,
    readonly position: bigint,
    readonly reason: string,
  ) {
    super(
      `The event at revision ${revision} (position ${position}) of stream ${stream} cannot be read: ${reason}`,
    );
  }
}
