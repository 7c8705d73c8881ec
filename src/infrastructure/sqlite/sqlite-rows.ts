import { EventData, EventFilter, JsonObject, LeanEvent, RecordedEvent } from '../../event-store';

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
 * Appends the events of `rows` to `out`. The events of one append carry the same metadata, so a
 * metadata text equal to the one before is parsed once and its object shared: recorded events are
 * read-only.
 */
export function pushRecordedEvents(rows: readonly EventRow[], out: RecordedEvent[]): void {
  const metadataOf = metadataParser();
  for (const row of rows) {
    out.push({
      id: row[3],
      type: row[4],
      data: parseBody(row[5]),
      metadata: metadataOf(row[6]),
      stream: row[1],
      revision: BigInt(row[2]),
      position: BigInt(row[0]),
      created: new Date(row[7]),
    });
  }
}

/** The lean events of `rows`, sharing metadata objects as pushRecordedEvents does. */
export function toLeanEvents(rows: readonly LeanRow[]): LeanEvent[] {
  const metadataOf = metadataParser();
  const events = new Array<LeanEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    events[i] = {
      position: row[0],
      stream: row[1],
      type: row[2],
      data: parseBody(row[3]),
      metadata: metadataOf(row[4]),
    };
  }
  return events;
}

function parseBody(text: string | null): JsonObject {
  return text === null ? NO_BODY : JSON.parse(text);
}

/** Parses metadata texts; a text equal to the one before gives the same object. */
function metadataParser(): (text: string | null) => JsonObject {
  let last: string | null = null;
  let parsed = NO_BODY;
  return (text) => {
    if (text !== last) {
      last = text;
      parsed = parseBody(text);
    }
    return parsed;
  };
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
