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
