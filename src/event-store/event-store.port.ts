/**
 * The event-store port: the only way any code reads or writes events.
 * Semantics follow EventStoreDB so that both adapters pass one contract suite
 * (see docs/event-store.md).
 */

/** JSON that an event's data or metadata may hold. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Revision of the last event in a stream (0-based), or one of EventStoreDB's named states. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export const ANY: ExpectedRevision = 'any';
export const NO_STREAM: ExpectedRevision = 'no_stream';
export const STREAM_EXISTS: ExpectedRevision = 'stream_exists';

/** An event to append. The id makes re-appends idempotent. */
export interface EventData {
  id: string;
  type: string;
  data: JsonValue;
  metadata?: JsonObject;
}

/** An event as stored: its envelope. */
export interface RecordedEvent {
  id: string;
  type: string;
  data: JsonValue;
  metadata: JsonObject;
  stream: string;
  /** 0-based index of the event in its stream. */
  revision: bigint;
  /** Global position in `$all`; strictly increasing in commit order. */
  position: bigint;
  created: Date;
  /**
   * Why the event is unusable, on an event read from `$all` whose stored data or metadata is not
   * JSON (or the metadata not an object): only a damaged store or a write that bypassed it causes
   * that. Its data and metadata then read as `{}`. Reads of `$all` hand it out, so that its
   * consumers stop at its position and say why; a stream read throws instead.
   */
  unreadable?: string;
}

/**
 * An event as a fold of the whole log needs it: the envelope without its id, revision and created
 * time, and the position as a number. Those three fields, their BigInts and the Date cost a rebuild
 * about 0.6 s a million events (docs/performance.md).
 */
export interface LeanEvent {
  /** Global position in `$all` (below 2^53). */
  position: number;
  stream: string;
  type: string;
  data: JsonValue;
  metadata: JsonObject;
  /** As RecordedEvent.unreadable. */
  unreadable?: string;
}

export interface AppendResult {
  /** Revision of the last event of the stream after the append: the next expected revision. */
  nextExpectedRevision: bigint;
  /** Position of the last event the append wrote (or, for an idempotent re-append, found). */
  position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Default: 'start' forwards, 'end' backwards. */
  fromRevision?: bigint | 'start' | 'end';
  direction?: Direction;
  /** Default: all. */
  maxCount?: number;
}

/** Exactly one of the two: events whose stream name starts with a prefix, or whose type is listed. */
export type EventFilter =
  | { streamNamePrefixes: readonly string[]; eventTypes?: undefined }
  | { eventTypes: readonly string[]; streamNamePrefixes?: undefined };

export interface ReadAllOptions {
  /** Inclusive. Default: 'start' forwards, 'end' backwards. */
  fromPosition?: bigint | 'start' | 'end';
  direction?: Direction;
  /** Default: all. */
  maxCount?: number;
  /**
   * Inclusive: the far end of the read. Forwards, no event after this position is read; backwards,
   * none before it. A reader that must bound its work (the events feed) reads a window of `$all`
   * this way, filter and all, without the store looking past it.
   */
  toPosition?: bigint;
  filter?: EventFilter;
  /**
   * A hint for readers that use the bodies of some events only: events outside this filter may
   * come with empty `data` and `metadata` ({}), their position, stream, revision and type intact.
   * The embedded store then leaves them undecoded; EventStoreDB returns every body.
   */
  bodies?: EventFilter;
}

export interface SubscribeToAllOptions {
  /** Exclusive: the subscription delivers events after this position. Default: 'start'. */
  fromPosition?: bigint | 'start' | 'end';
  filter?: EventFilter;
  /** As for readAll. */
  bodies?: EventFilter;
}

/**
 * Every matching event after the start position exactly once, in global order: it catches up,
 * then goes live. Iterate it with `for await`; `unsubscribe()` ends the iteration.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  unsubscribe(): Promise<void>;
}

/** One stream's part of an atomic multi-stream append. */
export interface AtomicAppend {
  stream: string;
  events: readonly EventData[];
  expectedRevision: ExpectedRevision;
}

export interface EventStore {
  /**
   * Optional capability: every whole number from 1 to the head is an event's position (the
   * embedded store, which never deletes one). A reader may then name a position it computed (the
   * end of a window of `$all`); EventStoreDB's positions are offsets in its log, and a read from
   * one that is not an event's fails there.
   */
  readonly densePositions?: boolean;
  append(
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  /**
   * Optional capability: appends to several streams in one transaction, all or nothing (a
   * WrongExpectedVersionError on any names its stream, and nothing is written). EventStoreDB has no
   * multi-stream transactions, so its adapter leaves this undefined and callers append in order.
   */
  appendAtomically?(appends: readonly AtomicAppend[]): Promise<AppendResult[]>;
  /**
   * Optional capability: up to `maxCount` events of `$all` after `afterPosition` (-1: from the
   * first), forwards, as lean events; `bodies` as for readAll. The embedded store has it; where it
   * is undefined (EventStoreDB), callers use readAll.
   */
  readAllLean?(afterPosition: number, maxCount: number, bodies?: EventFilter): Promise<LeanEvent[]>;
  /** A stream that does not exist reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** Position of the last event in `$all`, or -1n if there is none. */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

/** DI token for the port. */
export const EVENT_STORE = Symbol('EVENT_STORE');
