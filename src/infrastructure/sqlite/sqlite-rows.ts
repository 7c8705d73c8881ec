import {
  EventData,
  EventFilter,
  JsonObject,
  JsonValue,
  LeanEvent,
  RecordedEvent,
  StreamUnreadableError,
} from '../../event-store';
import { messageOf } from '../../shared/application/error-message';
import { isPlainObject } from '../../shared/domain/values';

/** The columns an event read selects, in the order of EventRow, with what it takes as the body. */
const eventColumns = (data: string, metadata: string) =>
  `position, stream, revision, id, type, ${data}, ${metadata}, created`;

/** The columns every event read selects. */
export const EVENT_COLUMNS = eventColumns('data', 'metadata');

/** Data and metadata, NULL in the rows where `condition` does not hold. */
const bodiesWhere = (condition: string): [data: string, metadata: string] => [
  `CASE WHEN ${condition} THEN data END`,
  `CASE WHEN ${condition} THEN metadata END`,
];

/** EVENT_COLUMNS, with data and metadata NULL in the rows where `condition` does not hold. */
export function eventColumnsWithBodiesWhere(condition: string): string {
  return eventColumns(...bodiesWhere(condition));
}

/** The columns of a lean read (LeanRow), with data and metadata NULL where `condition` does not hold. */
export function leanColumnsWithBodiesWhere(condition: string): string {
  const [data, metadata] = bodiesWhere(condition);
  return `position, stream, type, ${data}, ${metadata}`;
}

/** A row of a lean read: no id, revision or created, which a fold of the log does not use. */
export type LeanRow = [
  position: number,
  stream: string,
  type: string,
  data: string | null,
  metadata: string | null,
];

/** An event row as read in raw mode (arrays are much cheaper than objects for large reads). */
export type EventRow = [
  position: number,
  stream: string,
  revision: number,
  id: string,
  type: string,
  /** Null when the read did not ask for this event's body (ReadAllOptions.bodies). */
  data: string | null,
  metadata: string | null,
  created: number,
];

/** The body of an event read without it: shared, and frozen so that nobody fills it in. */
const NO_BODY: JsonObject = Object.freeze({});

/** An event ready to insert: serialized once, before the write transaction. */
export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function serializeEvent(event: EventData): SerializedEvent {
  if (!UUID.test(event.id)) throw new TypeError(`Event id must be a UUID, got '${event.id}'`);
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new TypeError('Event type must be a non-empty string');
  }
  if (event.data === undefined) throw new TypeError(`Event ${event.id} has no data`);
  return {
    id: event.id.toLowerCase(),
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata ?? {}),
  };
}

/**
 * What to do with an event whose stored data or metadata is not what the port promises (JSON, the
 * metadata an object): only a damaged file or a write that bypassed the store holds one. Reads of
 * $all hand it out marked (`unreadable`), so that a projection stops on it at its position instead
 * of the whole read failing; a stream read, which a decision folds, throws StreamUnreadableError.
 */
export type DamagedBodies = 'mark' | 'throw';

/**
 * Appends the events of `rows` to `out`. The events of one append carry the same metadata, so a
 * metadata text equal to the one before is parsed once and its object shared: recorded events are
 * read-only.
 */
export function pushRecordedEvents(
  rows: readonly EventRow[],
  out: RecordedEvent[],
  damaged: DamagedBodies = 'mark',
): void {
  const bodies = new BodyParser();
  for (const row of rows) {
    const event: RecordedEvent = {
      id: row[3],
      type: row[4],
      data: NO_BODY,
      metadata: NO_BODY,
      stream: row[1],
      revision: BigInt(row[2]),
      position: BigInt(row[0]),
      created: new Date(row[7]),
    };
    const unreadable = bodies.fill(event, row[5], row[6]);
    if (unreadable !== null) {
      if (damaged === 'throw')
        throw new StreamUnreadableError(event.stream, event.revision, event.position, unreadable);
      event.unreadable = unreadable;
    }
    out.push(event);
  }
}

/** The lean events of `rows`, sharing metadata objects as pushRecordedEvents does. */
export function toLeanEvents(rows: readonly LeanRow[]): LeanEvent[] {
  const bodies = new BodyParser();
  const events = new Array<LeanEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const event: LeanEvent = {
      position: row[0],
      stream: row[1],
      type: row[2],
      data: NO_BODY,
      metadata: NO_BODY,
    };
    const unreadable = bodies.fill(event, row[3], row[4]);
    if (unreadable !== null) event.unreadable = unreadable;
    events[i] = event;
  }
  return events;
}

/** Parses bodies; a metadata text equal to the one before gives the same object. */
class BodyParser {
  private lastMetadata: string | null = null;
  private metadata: JsonObject = NO_BODY;

  /** Sets the event's data and metadata from their texts; why they cannot be read, or null. */
  fill(
    event: { data: JsonValue; metadata: JsonObject },
    data: string | null,
    metadata: string | null,
  ): string | null {
    try {
      event.data = data === null ? NO_BODY : (JSON.parse(data) as JsonValue);
    } catch (error) {
      return `its data is not JSON (${messageOf(error)})`;
    }
    if (metadata !== this.lastMetadata) {
      let parsed: unknown;
      try {
        parsed = metadata === null ? NO_BODY : JSON.parse(metadata);
      } catch (error) {
        return `its metadata is not JSON (${messageOf(error)})`;
      }
      if (!isPlainObject(parsed)) return 'its metadata is not a JSON object';
      this.lastMetadata = metadata;
      this.metadata = parsed as JsonObject;
    }
    event.metadata = this.metadata;
    return null;
  }
}

/** SQL condition and parameters for a filter; stream prefixes compare UTF-8 bytes, as SQLite stores them. */
export function filterClause(filter: EventFilter | undefined): {
  sql: string;
  params: unknown[];
  key: string;
} {
  if (!filter) return { sql: '1', params: [], key: 'none' };
  if (filter.streamNamePrefixes) {
    const prefixes = filter.streamNamePrefixes.map((p) => Buffer.from(p, 'utf8'));
    if (prefixes.length === 0) return { sql: '0', params: [], key: 'never' };
    return {
      sql: `(${prefixes.map(() => 'substr(CAST(stream AS BLOB), 1, ?) = ?').join(' OR ')})`,
      params: prefixes.flatMap((p) => [p.length, p]),
      key: `prefix${prefixes.length}`,
    };
  }
  const types = filter.eventTypes;
  if (types.length === 0) return { sql: '0', params: [], key: 'never' };
  return {
    sql: `type IN (${types.map(() => '?').join(',')})`,
    params: [...types],
    key: `type${types.length}`,
  };
}
