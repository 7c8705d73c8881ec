import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendResult,
  EventData,
  EventFilter,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  WrongExpectedVersionError,
} from '../../event-store';
import { EVENT_STORE_MIGRATIONS, migrate } from './migrations';
import {
  EVENT_COLUMNS,
  EventRow,
  SerializedEvent,
  filterClause,
  serializeEvent,
  toRecordedEvent,
} from './sqlite-rows';
import { SqliteSubscription, SubscriptionSource } from './sqlite-subscription';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

export interface SqliteEventStoreOptions {
  /** File path of the database; ':memory:' for tests that need no durability. */
  path: string;
  /** FULL (default) makes every acknowledged append durable across a power loss. */
  synchronous?: SqliteSynchronous;
  /** How often a live subscription also looks for appends made by other processes. */
  pollIntervalMs?: number;
}

interface PendingAppend {
  stream: string;
  events: SerializedEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

const NO_LIMIT = -1;
const MAX_CACHED_STREAMS = 200_000;

/**
 * The embedded event store: one SQLite file in WAL mode. Appends are queued and group-committed:
 * every append queued while the previous commit ran shares the next transaction and its fsync.
 */
export class SqliteEventStore implements EventStore, SubscriptionSource {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private appendWaiters: Array<() => void> = [];
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly filteredReads = new Map<string, Database.Statement>();
  private closed = false;
  /** Last revision per stream, valid while no other connection has written (see PRAGMA data_version). */
  private readonly lastRevisions = new Map<string, number>();
  private seenDataVersion = -1;
  /** Appends acknowledged and transactions committed: their ratio is the group-commit batch size. */
  readonly stats = { appends: 0, commits: 0 };

  private constructor(
    private readonly db: Database.Database,
    private readonly pollIntervalMs: number,
  ) {
    this.statements = prepareStatements(db);
  }

  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536');
    migrate(db, EVENT_STORE_MIGRATIONS);
    return new SqliteEventStore(db, options.pollIntervalMs ?? 500);
  }

  append(
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('Event store is closed'));
    let serialized: SerializedEvent[];
    try {
      if (typeof stream !== 'string' || stream.length === 0)
        throw new TypeError('Stream name must be non-empty');
      if (events.length === 0) throw new TypeError('An append needs at least one event');
      serialized = events.map(serializeEvent);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events: serialized, expected: expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const limit = options.maxCount ?? NO_LIMIT;
    const rows = backwards
      ? this.statements.readStreamBackwards.all(
          stream,
          from === 'end' ? Number.MAX_SAFE_INTEGER : from === 'start' ? 0 : Number(from),
          limit,
        )
      : this.statements.readStreamForwards.all(
          stream,
          from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : Number(from),
          limit,
        );
    return (rows as EventRow[]).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const position = from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : Number(from);
    const bound = backwards ? position : position - 1;
    return this.readFiltered(
      backwards ? 'backwards' : 'forwards',
      bound,
      options.filter,
      options.maxCount ?? NO_LIMIT,
    );
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const from = options.fromPosition ?? 'start';
    const start = from === 'start' ? 0n : from === 'end' ? this.head() : from;
    const subscription = new SqliteSubscription(this, start, options.filter);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    return this.head();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    this.releaseWaiters();
    this.db.close();
  }

  // SubscriptionSource
  readAfter(position: bigint, filter: EventFilter | undefined, limit: number): RecordedEvent[] {
    if (this.closed) return [];
    return this.readFiltered('forwards', Number(position), filter, limit);
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

  release(subscription: SqliteSubscription): void {
    this.subscriptions.delete(subscription);
  }

  private head(): bigint {
    const max = this.statements.head.get() as number | null;
    return max === null ? -1n : BigInt(max);
  }

  /** Forwards reads positions > bound, backwards reads positions <= bound. */
  private readFiltered(
    direction: 'forwards' | 'backwards',
    bound: number,
    filter: EventFilter | undefined,
    limit: number,
  ): RecordedEvent[] {
    const clause = filterClause(filter);
    const key = `${direction}|${clause.key}`;
    let statement = this.filteredReads.get(key);
    if (!statement) {
      const sql =
        direction === 'forwards'
          ? `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND ${clause.sql} ORDER BY position ASC LIMIT ?`
          : `SELECT ${EVENT_COLUMNS} FROM events WHERE position <= ? AND ${clause.sql} ORDER BY position DESC LIMIT ?`;
      statement = this.db.prepare(sql).raw();
      this.filteredReads.set(key, statement);
    }
    return (statement.all(bound, ...clause.params, limit) as EventRow[]).map(toRecordedEvent);
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const created = Date.now();
    try {
      this.db
        .transaction(() => {
          this.dropRevisionsIfOthersWrote();
          for (const pending of batch) {
            try {
              outcomes.push({ ok: true, result: this.appendInTransaction(pending, created) });
            } catch (error) {
              if (!(error instanceof WrongExpectedVersionError)) throw error;
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      this.lastRevisions.clear();
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.stats.commits++;
    this.stats.appends += batch.length;
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
    if (outcomes.some((o) => o.ok)) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Runs inside the write transaction, so no other writer can commit until it ends. */
  private dropRevisionsIfOthersWrote(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version !== this.seenDataVersion || this.lastRevisions.size > MAX_CACHED_STREAMS)
      this.lastRevisions.clear();
    this.seenDataVersion = version;
  }

  private lastRevisionOf(stream: string): number {
    let revision = this.lastRevisions.get(stream);
    if (revision === undefined) {
      revision = (this.statements.lastOfStream.get(stream) as number | undefined) ?? -1;
      this.lastRevisions.set(stream, revision);
    }
    return revision;
  }

  private appendInTransaction(pending: PendingAppend, created: number): AppendResult {
    const { stream, events, expected } = pending;
    const lastRevision = this.lastRevisionOf(stream);
    const conflict = () =>
      new WrongExpectedVersionError(
        stream,
        expected,
        lastRevision >= 0 ? BigInt(lastRevision) : 'no_stream',
      );

    if (expected === 'any' || expected === 'stream_exists') {
      if (expected === 'stream_exists' && lastRevision < 0) throw conflict();
      return (
        this.findRetried(stream, lastRevision - events.length + 1, events) ??
        this.insert(stream, lastRevision + 1, events, created)
      );
    }
    const expectedLast = expected === 'no_stream' ? -1 : Number(expected);
    if (lastRevision === expectedLast)
      return this.insert(stream, expectedLast + 1, events, created);
    if (lastRevision > expectedLast) {
      const retried = this.findRetried(stream, expectedLast + 1, events);
      if (retried) return retried;
    }
    throw conflict();
  }

  /** The result of an earlier append of these very events at this revision, if there was one. */
  private findRetried(
    stream: string,
    fromRevision: number,
    events: SerializedEvent[],
  ): AppendResult | undefined {
    if (fromRevision < 0) return undefined;
    const found = this.statements.idsFrom.all(stream, fromRevision, events.length) as Array<{
      id: string;
      revision: number;
      position: number;
    }>;
    if (found.length !== events.length || found.some((row, i) => row.id !== events[i].id))
      return undefined;
    const lastFound = found[found.length - 1];
    return {
      nextExpectedRevision: BigInt(lastFound.revision),
      position: BigInt(lastFound.position),
    };
  }

  private insert(
    stream: string,
    firstRevision: number,
    events: SerializedEvent[],
    created: number,
  ): AppendResult {
    let position = 0;
    events.forEach((e, i) => {
      const info = this.statements.insert.run(
        stream,
        firstRevision + i,
        e.id,
        e.type,
        e.data,
        e.metadata,
        created,
      );
      position = Number(info.lastInsertRowid);
    });
    this.lastRevisions.set(stream, firstRevision + events.length - 1);
    return {
      nextExpectedRevision: BigInt(firstRevision + events.length - 1),
      position: BigInt(position),
    };
  }
}

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      'INSERT INTO events (stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    lastOfStream: db
      .prepare('SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1')
      .pluck(),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    idsFrom: db.prepare(
      'SELECT id, revision, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
    ),
    readStreamForwards: db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      )
      .raw(),
    readStreamBackwards: db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      )
      .raw(),
    head: db.prepare('SELECT max(position) FROM events').pluck(),
  };
}
