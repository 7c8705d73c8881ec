import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AppendResult,
  AtomicAppend,
  EventData,
  EventFilter,
  EventStore,
  EventStoreUnavailableError,
  ExpectedRevision,
  LeanEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  WrongExpectedVersionError,
} from '../../event-store';
import { LimitedStatements } from './limited-statements';
import {
  openEventsDatabase,
  openEventsDatabaseReadOnly,
  SqliteSynchronous,
} from './sqlite-database';
import {
  EVENT_COLUMNS,
  eventColumnsWithBodiesWhere,
  EventRow,
  filterClause,
  leanColumnsWithBodiesWhere,
  LeanRow,
  serializeEvent,
  pushRecordedEvents,
  toLeanEvents,
} from './sqlite-rows';
import { EventSelection, SqliteSubscription, SubscriptionSource } from './sqlite-subscription';
import {
  InlineWriteChannel,
  ReadOnlyChannel,
  WorkerWriteChannel,
  WriteChannel,
} from './sqlite-write-channel';
import { QueuedAppend, WriteOutcome } from './sqlite-writer';

export type { SqliteSynchronous } from './sqlite-database';

export interface SqliteEventStoreOptions {
  /** File path of the database; ':memory:' for tests that need no durability. */
  path: string;
  /** FULL (default) makes every acknowledged append durable across a power loss. */
  synchronous?: SqliteSynchronous;
  /** How often a live subscription also looks for appends made by other processes. */
  pollIntervalMs?: number;
  /**
   * 'worker' commits in a writer thread so that fsync never blocks this one; 'inline' commits here.
   * Default: 'worker' for a file when running compiled code (a worker needs a .js file), else 'inline'.
   */
  writer?: 'inline' | 'worker';
  /** Only to read (the ledger CLI): the file must exist and be migrated; appends are refused. */
  readonly?: boolean;
  /**
   * Asked before each batch of appends goes to the writer; false refuses the batch (503, retried
   * with its key). The service answers whether it still holds DATA_DIR's lock.
   */
  writeAllowed?: () => boolean;
}

/** One caller's appends: they commit together or not at all. */
interface PendingWrite {
  appends: QueuedAppend[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

const NO_LIMIT = -1;
const READ_PAGE = 4096;
const WORKER_FILE = join(__dirname, 'sqlite-writer.worker.js');

/**
 * What a request still running when the service stops meets (its client gone, so the shutdown did
 * not wait for it): a 503 to retry, nothing written, not a 500 from a closed SQLite handle.
 */
const closedStore = () =>
  new EventStoreUnavailableError('The event store is closed: the service is stopping');

/**
 * The embedded event store: one SQLite file in WAL mode. Appends are queued and group-committed:
 * appends made in one turn of the event loop go to the writer together, and the writer thread
 * merges whatever arrived while it was committing into its next transaction, sharing one fsync.
 */
export class SqliteEventStore implements EventStore, SubscriptionSource {
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  /** Batches handed to the writer and not yet answered; close() waits for them. */
  private readonly writing = new Set<Promise<void>>();
  private appendWaiters: Array<() => void> = [];
  private readonly commitListeners = new Set<() => void>();
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly filteredReads = new Map<string, LimitedStatements>();
  private closed = false;
  /** Positions count the events from 1 (eventLogGaps refuses a start on a file with a gap). */
  readonly densePositions = true;
  /** Appends acknowledged and transactions committed: their ratio is the group-commit batch size. */
  readonly stats = { appends: 0, commits: 0 };

  private constructor(
    /** The database file (or ':memory:'). */
    readonly path: string,
    private readonly db: Database.Database,
    private readonly channel: WriteChannel,
    private readonly pollIntervalMs: number,
    private readonly writeAllowed: () => boolean = () => true,
  ) {
    this.statements = prepareStatements(db);
  }

  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    if (options.readonly) {
      const db = openEventsDatabaseReadOnly(options.path);
      return new SqliteEventStore(
        options.path,
        db,
        new ReadOnlyChannel(options.path),
        pollIntervalMs,
      );
    }
    const synchronous = options.synchronous ?? 'FULL';
    const db = openEventsDatabase(options.path, synchronous);
    const canUseWorker = options.path !== ':memory:' && existsSync(WORKER_FILE);
    const useWorker = (options.writer ?? (canUseWorker ? 'worker' : 'inline')) === 'worker';
    if (useWorker && !canUseWorker)
      throw new Error('The writer thread needs a file database and compiled code');
    const channel = useWorker
      ? new WorkerWriteChannel(WORKER_FILE, options.path, synchronous)
      : new InlineWriteChannel(db);
    return new SqliteEventStore(options.path, db, channel, pollIntervalMs, options.writeAllowed);
  }

  async append(
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const [result] = await this.appendAtomically([{ stream, events, expectedRevision }]);
    return result;
  }

  /** Several streams in one transaction: a conflict on any of them writes none of them. */
  appendAtomically(appends: readonly AtomicAppend[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(closedStore());
    let queued: QueuedAppend[];
    try {
      if (appends.length === 0) throw new TypeError('Nothing to append');
      queued = appends.map(({ stream, events, expectedRevision }) => {
        if (typeof stream !== 'string' || stream.length === 0)
          throw new TypeError('Stream name must be non-empty');
        if (events.length === 0) throw new TypeError('An append needs at least one event');
        return { stream, events: events.map(serializeEvent), expected: expectedRevision };
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ appends: queued, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (!this.db.open) throw closedStore();
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const limit = options.maxCount ?? NO_LIMIT;
    const revision = from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : Number(from);
    const statements = backwards
      ? this.statements.readStreamBackwards
      : this.statements.readStreamForwards;
    const rows = statements.limit(limit).all(stream, revision);
    const events: RecordedEvent[] = [];
    pushRecordedEvents(rows as EventRow[], events, 'throw'); // a decision must not fold a damaged event
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (!this.db.open) throw closedStore();
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const position = from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : Number(from);
    const bound = backwards ? position : position - 1;
    const far = options.toPosition;
    // The far end as a bound on the primary key: SQLite reads no row past it.
    const end = far === undefined ? (backwards ? 0 : Number.MAX_SAFE_INTEGER) : Number(far);
    return this.readFiltered(
      backwards ? 'backwards' : 'forwards',
      bound,
      options,
      options.maxCount ?? NO_LIMIT,
      end,
    );
  }

  async readAllLean(
    afterPosition: number,
    maxCount: number,
    bodies?: EventFilter,
  ): Promise<LeanEvent[]> {
    if (!this.db.open) throw closedStore();
    const withBodies = filterClause(bodies);
    const statements = this.filteredRead(`lean|${withBodies.key}`, () => {
      const columns = leanColumnsWithBodiesWhere(withBodies.sql);
      return `SELECT ${columns} FROM events WHERE position > ? ORDER BY position ASC`;
    });
    // The condition's parameters once for data, once for metadata, then the position.
    const rows = statements
      .limit(maxCount)
      .all(...withBodies.params, ...withBodies.params, afterPosition) as LeanRow[];
    return toLeanEvents(rows);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const from = options.fromPosition ?? 'start';
    const start = from === 'start' ? 0n : from === 'end' ? this.head() : from;
    const { filter, bodies } = options;
    const subscription = new SqliteSubscription(this, start, { filter, bodies });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    if (!this.db.open) throw closedStore();
    return this.head();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await Promise.all(this.writing);
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    this.releaseWaiters();
    await this.channel.close();
    this.db.close();
  }

  // SubscriptionSource
  readAfter(position: bigint, selection: EventSelection, limit: number): RecordedEvent[] {
    if (this.closed) return [];
    return this.readFiltered(
      'forwards',
      Number(position),
      selection,
      limit,
      Number.MAX_SAFE_INTEGER,
    );
  }

  nextAppend(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.pollIntervalMs);
      timer.unref();
      this.appendWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Calls `listener` after every batch in which an append committed, before its callers are
   * answered: another connection to this file (a projection thread) then knows to read.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Another connection appended to this file: live subscriptions read now instead of at the next poll. */
  appendedElsewhere(): void {
    this.releaseWaiters();
  }

  release(subscription: SqliteSubscription): void {
    this.subscriptions.delete(subscription);
  }

  private head(): bigint {
    const max = this.statements.head.get() as number | null;
    return max === null ? -1n : BigInt(max);
  }

  /**
   * Forwards reads positions > bound and <= end, backwards reads positions <= bound and >= end.
   * Bodies outside
   * `selection.bodies` stay in the database: SQLite hands over NULL instead of the JSON text.
   */
  private readFiltered(
    direction: 'forwards' | 'backwards',
    bound: number,
    { filter, bodies }: EventSelection,
    limit: number,
    end: number,
  ): RecordedEvent[] {
    const clause = filterClause(filter);
    const withBodies = bodies === undefined ? undefined : filterClause(bodies);
    const key = `${direction}|${clause.key}|${withBodies?.key ?? 'all'}`;
    const statements = this.filteredRead(key, () => {
      const columns = withBodies ? eventColumnsWithBodiesWhere(withBodies.sql) : EVENT_COLUMNS;
      return direction === 'forwards'
        ? `SELECT ${columns} FROM events WHERE position > ? AND position <= ? AND ${clause.sql} ORDER BY position ASC`
        : `SELECT ${columns} FROM events WHERE position <= ? AND position >= ? AND ${clause.sql} ORDER BY position DESC`;
    });
    // The select list's parameters come first: the condition once for data, once for metadata.
    const columnParams = withBodies ? [...withBodies.params, ...withBodies.params] : [];
    // Pages keep each result set small: large reads then create far less long-lived garbage.
    const events: RecordedEvent[] = [];
    let remaining = limit === NO_LIMIT ? Number.MAX_SAFE_INTEGER : limit;
    let from = bound;
    while (remaining > 0) {
      const pageSize = Math.min(READ_PAGE, remaining);
      const rows = statements
        .limit(pageSize)
        .all(...columnParams, from, end, ...clause.params) as EventRow[];
      pushRecordedEvents(rows, events);
      if (rows.length < pageSize) break;
      remaining -= rows.length;
      const last = rows[rows.length - 1][0];
      from = direction === 'forwards' ? last : last - 1;
    }
    return events;
  }

  /** The statements of a filtered read, prepared once per distinct `key` (see LimitedStatements). */
  private filteredRead(key: string, sql: () => string): LimitedStatements {
    let statements = this.filteredReads.get(key);
    if (!statements) {
      statements = new LimitedStatements(this.db, sql(), true);
      this.filteredReads.set(key, statements);
    }
    return statements;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /**
   * Hands everything queued in this turn of the event loop to the writer as one batch, without
   * waiting for earlier batches: the writer commits in arrival order, merging batches that wait.
   */
  private flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return Promise.resolve();
    this.queue = [];
    if (!this.writeAllowed()) {
      const refused = new EventStoreUnavailableError(
        `Event store write refused: this process no longer holds the lock on ${dirname(this.path)}`,
      );
      batch.forEach((p) => p.reject(refused));
      return Promise.resolve();
    }
    const written = this.channel
      .write(
        batch.map((p) => p.appends),
        Date.now(),
      )
      .then(
        (outcomes) => this.settle(batch, outcomes),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
    this.writing.add(written);
    void written.finally(() => this.writing.delete(written));
    return written;
  }

  private settle(batch: PendingWrite[], outcomes: WriteOutcome[]): void {
    this.stats.commits++;
    this.stats.appends += batch.length;
    const committed = outcomes.some((o) => o.ok);
    if (committed) for (const listener of this.commitListeners) listener();
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.results);
      else {
        const { stream, expected, actual } = outcome.conflict;
        pending.reject(new WrongExpectedVersionError(stream, expected, actual));
      }
    });
    if (committed) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = [];
    for (const wake of waiters) wake();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    readStreamForwards: new LimitedStatements(
      db,
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC`,
      true,
    ),
    readStreamBackwards: new LimitedStatements(
      db,
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC`,
      true,
    ),
    head: db.prepare('SELECT max(position) FROM events').pluck(),
  };
}
