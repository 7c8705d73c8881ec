/**
 * Translations between the event-store port and `@eventstore/db-client` 6.x.
 *
 * Positions: the port has one bigint per event. We use EventStoreDB's *commit* position. For events
 * appended over gRPC (EventStoreDB 20+) every event is written as a committed prepare, so its commit
 * and prepare positions are equal; when we hand a position back to the client we therefore send
 * `{ commit: p, prepare: p }`. Events written in explicit (TCP-only) transactions break that
 * assumption; this service never writes such events.
 */
import {
  ANY as ESDB_ANY,
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  END,
  Filter,
  NO_STREAM as ESDB_NO_STREAM,
  Position,
  ReadPosition,
  ReadRevision,
  ResolvedEvent,
  START,
  STREAM_EXISTS as ESDB_STREAM_EXISTS,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  ErrorType,
  eventTypeFilter,
  excludeSystemEvents,
  isCommandError,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  EventFilter,
  EventStoreUnavailableError,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  RecordedEvent,
  WrongExpectedVersionError,
} from '../../event-store';
import { messageOf } from '../../shared/application/error-message';
import { isPlainObject } from '../../shared/domain/values';

/** EventStoreDB sends u64::MAX (i.e. -1) where it has no position, e.g. stream reads before 22.6. */
export const NO_POSITION = 2n ** 64n - 1n;

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ESDB_ANY;
    case 'no_stream':
      return ESDB_NO_STREAM;
    case 'stream_exists':
      return ESDB_STREAM_EXISTS;
    default:
      return expected;
  }
}

export function toEsdbPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

/** A port position as a client read position; negative positions (e.g. an empty store's head) mean start. */
export function toEsdbReadPosition(position: bigint | 'start' | 'end'): ReadPosition {
  if (position === 'start') return START;
  if (position === 'end') return END;
  return position < 0n ? START : toEsdbPosition(position);
}

export function toEsdbReadRevision(revision: bigint | 'start' | 'end'): ReadRevision {
  if (revision === 'start') return START;
  if (revision === 'end') return END;
  return revision;
}

export function isSystemEvent(stream: string, type: string): boolean {
  return stream.startsWith('$') || type.startsWith('$');
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Exact event-type names as one anchored regex (the server matches .NET regexes; this subset is shared). */
export function eventTypesRegex(types: readonly string[]): string {
  return `^(?:${types.map(escapeRegex).join('|')})$`;
}

/** The server-side filter for a subscription. System events are always excluded again client-side. */
export function toEsdbFilter(filter: EventFilter | undefined): Filter {
  if (!filter) return excludeSystemEvents();
  if (filter.streamNamePrefixes)
    return streamNameFilter({ prefixes: [...filter.streamNamePrefixes] });
  return eventTypeFilter({ regex: eventTypesRegex(filter.eventTypes) });
}

/** The $all position of a read or subscribed event, or -1n when the server did not send one. */
export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): bigint {
  const own = resolved.event?.position?.commit;
  if (own !== undefined && own !== NO_POSITION) return own;
  const commit = resolved.commitPosition;
  if (commit !== undefined && commit !== NO_POSITION) return commit;
  return -1n;
}

/** No metadata at all (none written, or empty bytes): read as {}, as the embedded store does. */
function noMetadata(metadata: unknown): boolean {
  return metadata === undefined || (metadata instanceof Uint8Array && metadata.length === 0);
}

/**
 * A client event as a port event, or undefined for a link event whose target is gone. An event
 * this service could not have written (binary data; metadata that is not a JSON object) comes out
 * marked `unreadable`, with data and metadata read as {}, as on the embedded store: a projection
 * then stops on it instead of skipping it, and a stream read refuses it.
 */
export function fromResolvedEvent(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
): RecordedEvent | undefined {
  const e = resolved.event;
  if (!e) return undefined;
  const metadata = noMetadata(e.metadata) ? {} : e.metadata;
  const event: RecordedEvent = {
    id: e.id,
    type: e.type,
    data: e.isJson ? (e.data as JsonValue) : {},
    metadata: isPlainObject(metadata) ? (metadata as JsonObject) : {},
    stream: e.streamId,
    revision: e.revision,
    position: positionOf(resolved),
    created: e.created,
  };
  if (!e.isJson) event.unreadable = 'its data is not JSON (a binary event)';
  else if (!isPlainObject(metadata)) event.unreadable = 'its metadata is not a JSON object';
  return event;
}

const TRANSIENT_ERROR_TYPES: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.CANCELLED,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
]);

/**
 * gRPC status codes CANCELLED, DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNAVAILABLE (numeric, so that
 * src/ does not import @grpc/grpc-js, which is only a dependency of the client package).
 */
const TRANSIENT_GRPC_CODES: ReadonlySet<number> = new Set([1, 4, 10, 13, 14]);

/** Connection-level failures: the server could not be reached, dropped us, or timed out. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) {
    if (TRANSIENT_ERROR_TYPES.has(error.type)) return true;
    // The client wraps unrecognised gRPC statuses (e.g. INTERNAL on a reset stream) as UnknownError.
    return error.type === ErrorType.UNKNOWN && TRANSIENT_GRPC_CODES.has(Number(error.code));
  }
  return 'code' in error && typeof error.code === 'number' && TRANSIENT_GRPC_CODES.has(error.code);
}

/** Client errors as port errors; anything not mapped is rethrown unchanged. */
export function toPortError(error: unknown, stream?: string, expected?: ExpectedRevision): unknown {
  if (error instanceof EsdbWrongExpectedVersionError) {
    const actual = error.actualVersion;
    return new WrongExpectedVersionError(
      stream ?? error.streamName,
      expected ?? 'any',
      typeof actual === 'bigint' ? actual : 'no_stream',
    );
  }
  if (isTransientError(error)) {
    return new EventStoreUnavailableError(`EventStoreDB unavailable: ${messageOf(error)}`, error);
  }
  return error;
}
