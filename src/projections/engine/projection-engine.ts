import type {
  EventFilter,
  EventStore,
  LeanEvent,
  Subscription,
} from '../../event-store/event-store.port';
import type { ReadModelDb } from '../read-model-db';
import { Checkpoints } from './checkpoints';
import { decode } from './decode';
import { CommitPart, hasUnstored, planCommit } from './commit-plan';
import type { EngineOptions, Entry, ProjectionStatus } from './engine-types';
import type { ProjectedEvent, ProjectionFactory } from './projection';
import type { ProjectionRunner } from './projection-runner';
import {
  originUnknown,
  readModelsMatch,
  recordFirstEvent,
  refusalFor,
  storeEnds,
} from './store-identity';
import { FailureLog } from './failure-log';
import { EngineStoppedError, Waiters } from './waiters';
import { CheckpointsMovedError } from './write-set';
import { InlineWriteSink, WriteSink } from './write-sink';
import { codeOf, messageOf } from '../../shared/application/error-message';

export type { EngineOptions, ProjectionStatus } from './engine-types';

const YIELD_EVERY = 2000;
const CATCH_UP_PAGE = 2000;

/** Whether a projection reads this event of a category it reads (Projection.onlyTypes). */
function reads(entry: Entry, event: ProjectedEvent): boolean {
  const only = entry.onlyTypes.get(event.category);
  return only === undefined || only.has(event.type);
}
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs projections from one checkpointed subscription to $all. Each event is decoded once and
 * folded in memory by every projection whose checkpoint is below it; a commit then writes each
 * projection's changed rows and its checkpoint in one transaction. Every projection commits when the
 * subscription has nothing more buffered (live: every few events); while catching up, one commits
 * alone once it holds `maxPendingRows` changed rows, so that a row many events touch is written
 * once per commit, not once per event. A projection that throws forgets what it had not committed,
 * folds again up to the event it threw on, and stops just short of it, recording the position and
 * the error; the others go on.
 */
export class ProjectionEngine implements ProjectionRunner {
  private readonly entries: Entry[];
  private readonly checkpoints: Checkpoints;
  private readonly waiters = new Waiters();
  private readonly failures: FailureLog;
  private readonly maxPendingRows: number;
  private readonly sink: WriteSink;
  /** Streams of the categories that some projection reads: only their events' bodies are decoded. */
  private readonly bodies: EventFilter;
  /** No event past this one is read (EngineOptions.readUpTo and upTo). */
  private readonly readLimit: number;
  private inFlight: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private running = false;
  private pumping: Promise<void> | undefined;
  private restartRequested = false;
  private wake: (() => void) | undefined;
  private uncommitted = 0;
  private lastSeen = -1;
  private idleCheckArmed = false;
  /** Live pacing: when the last idle commit of every projection started, and its timer. */
  private lastLiveCommit = 0;
  private paceTimer: NodeJS.Timeout | undefined;
  /** False until the stored read models are known to come from this store: no wait ends before. */
  private verified = false;
  /** The read models record no origin yet: the next event read is the store's first. */
  private originPending = false;
  private yielding = false;
  /** Events folded since start, and of those the ones stored. */
  eventsRead = 0;
  eventsCommitted = 0;
  /** The last subscription or database failure, cleared by the next commit. */
  engineError: string | null = null;
  /** Its code, such as SQLite's: a rebuild tells a full disk from damage or a bug by it. */
  engineErrorCode: string | undefined = undefined;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelDb,
    factories: readonly ProjectionFactory[],
    private readonly options: EngineOptions = {},
  ) {
    this.maxPendingRows = options.maxPendingRows ?? 20_000;
    this.failures = new FailureLog(options.log);
    this.sink = options.sink ?? new InlineWriteSink(readModels.db);
    this.checkpoints = new Checkpoints(readModels.db);
    const upTo = options.upTo;
    this.readLimit = options.readUpTo ?? (upTo ? Math.max(-1, ...upTo.values()) : Infinity);
    this.entries = factories.map((factory) => {
      const projection = factory(readModels.db);
      return {
        projection,
        categories: new Set(projection.categories),
        onlyTypes: new Map(
          Object.entries(projection.onlyTypes ?? {}).map(([category, types]) => [
            category,
            new Set(types),
          ]),
        ),
        applied: -1,
        committed: -1,
        error: null,
        errorUnsaved: false,
        stopAt: null,
        wantedTo: -1,
        upTo: upTo?.get(projection.name) ?? this.readLimit,
      };
    });
    // The category itself as the prefix: it also matches a stream named just that category.
    const categories = new Set(this.entries.flatMap((e) => [...e.categories]));
    this.bodies = { streamNamePrefixes: [...categories] };
    this.reload();
  }

  get names(): string[] {
    return this.entries.map((e) => e.projection.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pumping = this.pump();
  }

  async stop(): Promise<void> {
    if (this.running) await this.commitNow('all'); // what is folded and not yet written
    while (this.inFlight) await this.inFlight;
    this.running = false;
    clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    this.wake?.();
    await this.subscription?.unsubscribe();
    await this.pumping;
    this.pumping = undefined;
    await this.inFlight;
    await this.sink.close();
    this.waiters.rejectAll(new EngineStoppedError());
  }

  status(): ProjectionStatus[] {
    return this.entries.map((e) => ({
      name: e.projection.name,
      status: e.error ? 'stopped' : 'running',
      checkpoint: e.committed,
      error: e.error,
    }));
  }

  /** Whether the stored read models are known to come from this store (no wait ends before). */
  get ready(): boolean {
    return this.verified;
  }

  waitFor(names: readonly string[], position: number, timeoutMs = Infinity): Promise<void> {
    this.hurry(position, names);
    return this.waiters.forProjections(names, position, timeoutMs, () => ({
      ready: this.verified,
      statuses: this.status(),
      engineError: this.engineError,
    }));
  }

  private async pump(): Promise<void> {
    let checkedStore = false;
    while (this.running) {
      try {
        if (!checkedStore) checkedStore = await this.checkStoreIdentity();
        const from = this.startPosition();
        if (from === null)
          await this.pause(Infinity); // every projection stopped: nothing to read for
        else await this.follow(from);
        if (this.running && from !== null && !this.restartRequested)
          throw new Error('The subscription to $all ended');
        if (this.running && this.engineError) await this.pause(this.options.retryDelayMs ?? 1000);
      } catch (error) {
        this.engineFailed(error);
        await this.pause(this.options.retryDelayMs ?? 1000);
      }
      while (this.inFlight) await this.inFlight;
      this.restartRequested = false;
      this.reload();
    }
  }

  /** Catch-up, then live: pages of $all up to its end, then a subscription from the last one read. */
  private async follow(from: number): Promise<void> {
    const last = await this.catchUp(from);
    if (!this.running || this.restartRequested) return;
    if (this.engineError !== null) {
      this.engineRecovered(); // the store answered and everything read is committed
      this.options.onChange?.();
    }
    if (last >= this.readLimit) return this.pause(Infinity); // until stopped, or a restart
    const subscription = this.store.subscribeToAll({
      fromPosition: last < 0 ? 'start' : BigInt(last),
      bodies: this.bodies,
    });
    this.subscription = subscription;
    let sinceYield = 0;
    try {
      for await (const recorded of subscription) {
        if (!this.running || this.restartRequested) break;
        this.noteOrigin(recorded.id);
        this.fold(decode(recorded, Number(recorded.position)));
        // Every projection, as at an idle turn: live commits keep them at one position.
        if (this.overfull(this.maxPendingRows)) await this.commitNow('all');
        this.armIdleCheck();
        if (++sinceYield >= YIELD_EVERY) {
          // A burst of live events arrives without a macrotask in between: let HTTP in.
          sinceYield = 0;
          this.yielding = true;
          await nextTurn();
          this.yielding = false;
          this.armIdleCheck();
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.unsubscribe();
    }
  }

  /**
   * Reads $all a page at a time (one await per page, not per event) until a page comes back
   * short.
   */
  private async catchUp(from: number): Promise<number> {
    let last = from;
    const head = Number(await this.store.headPosition());
    while (this.running && !this.restartRequested) {
      const { events, full } = await this.readPage(last);
      for (const event of events) this.fold(decode(event, event.position));
      if (events.length > 0) last = events[events.length - 1].position;
      if (!full || last >= this.readLimit) break;
      // Near the head, smaller commits: the last one is written while nothing else is left to fold.
      const near = head - last < this.maxPendingRows * 4;
      const limit = near ? this.maxPendingRows / 8 : this.maxPendingRows;
      // Keep the writer busy: once it is free, hand it what is folded (from an eighth of the limit,
      // so that keyed rows are not rewritten too often); while it stores a commit, fold on, up to 4x
      // the limit, instead of waiting for it.
      if (this.inFlight ? this.overfull(limit * 4) : this.overfull(limit / 8))
        await this.commitNow('full');
      this.options.onProgress?.({ position: this.lastSeen, events: this.eventsRead });
      await nextTurn(); // let HTTP requests in between pages
    }
    await this.commitNow('all');
    return last;
  }

  /**
   * The events after `last`, and whether the page came back full (more may follow). Lean where the
   * store can read so, except while the origin is pending: that needs the first event's id.
   */
  private async readPage(last: number): Promise<{ events: LeanEvent[]; full: boolean }> {
    if (this.store.readAllLean && !this.originPending) {
      const events = await this.store.readAllLean(last, CATCH_UP_PAGE, this.bodies);
      return { events, full: events.length === CATCH_UP_PAGE };
    }
    // Each page starts at the last position read, inclusive, so that it names a position the
    // store has (EventStoreDB positions are not dense); that event is skipped.
    const page = await this.store.readAll({
      fromPosition: last < 0 ? 'start' : BigInt(last),
      maxCount: CATCH_UP_PAGE,
      bodies: this.bodies,
    });
    const events: LeanEvent[] = [];
    for (const recorded of page) {
      const position = Number(recorded.position);
      if (position <= last) continue;
      this.noteOrigin(recorded.id);
      const { stream, type, data, metadata, unreadable } = recorded;
      const event: LeanEvent = { position, stream, type, data, metadata };
      if (unreadable !== undefined) event.unreadable = unreadable;
      events.push(event);
    }
    return { events, full: page.length === CATCH_UP_PAGE };
  }

  /**
   * Readers wait for `position` in `names`: every projection commits at the next idle turn, not at
   * the live pace, until those have stored it.
   */
  hurry(position: number, names: readonly string[]): void {
    if (!this.running) return;
    let hurried = false;
    for (const entry of this.entries) {
      if (position > entry.wantedTo && names.includes(entry.projection.name)) {
        entry.wantedTo = position;
        hurried = true;
      }
    }
    if (hurried) this.armIdleCheck();
  }

  /** A macrotask runs only when the subscription waits for I/O (or yields): then nothing is buffered. */
  private armIdleCheck(): void {
    if (this.idleCheckArmed) return;
    this.idleCheckArmed = true;
    setImmediate(() => {
      this.idleCheckArmed = false;
      if (!this.yielding) this.commitWhenDue();
    });
  }

  /**
   * At an idle turn: commit every projection if the pace allows or a reader waits for one. Always
   * every projection, so that they stand at one position in each commit: an answer that reads
   * several in one snapshot (the analytics summary: wallets, analytics and redemption counts) never
   * sees one ahead of another.
   */
  private commitWhenDue(): void {
    const every = this.options.liveCommitEveryMs ?? 0;
    const wait = this.lastLiveCommit + every - Date.now();
    if (wait <= 0 || this.entries.some((e) => hasUnstored(e) && waitedFor(e))) {
      this.lastLiveCommit = Date.now();
      void this.commitNow('all');
      return;
    }
    if (!this.paceTimer) {
      this.paceTimer = setTimeout(() => {
        this.paceTimer = undefined;
        this.armIdleCheck();
      }, wait);
    }
  }

  private fold(event: ProjectedEvent): void {
    for (const entry of this.entries) {
      if (entry.error || event.position <= entry.applied || event.position > entry.upTo) continue;
      if (entry.stopAt) {
        if (this.restartRequested) continue; // nothing until the replay it waits for
        if (event.position >= entry.stopAt.position) {
          // Met again the event it failed on: it stops there, keeping what it folded before.
          this.stopped(entry, entry.stopAt);
          entry.stopAt = null;
          continue;
        }
      }
      if (entry.categories.has(event.category) && reads(entry, event)) {
        try {
          if (event.invalid) throw new Error(event.invalid);
          entry.projection.apply(event);
        } catch (error) {
          // The read models' database failed (a damaged page, a full disk), not the event: the
          // engine fails and reads again from the checkpoints, as on a failed commit.
          if (isDatabaseError(error)) throw error;
          this.stopProjection(entry, event, error);
          continue;
        }
      }
      entry.applied = event.position;
    }
    this.lastSeen = event.position;
    this.uncommitted++;
    this.eventsRead++;
  }

  /**
   * Hands what is folded to the sink once the commit in flight is stored (one at a time, so that a
   * row read back from the database is never older than one still on its way to it), and returns
   * without waiting for this one: the next events are folded while the writer stores it.
   */
  private overfull(limit: number): boolean {
    return this.entries.some((e) => !e.error && e.projection.pending() >= limit);
  }

  /**
   * Commits the projections that have something new and are in `scope`: all of them, or while
   * catching up those holding many changed rows ('full').
   */
  private async commitNow(scope: 'all' | 'full'): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (!this.running || this.restartRequested) return;
    const all = scope === 'all';
    const minPending = this.maxPendingRows / 8;
    const inScope: Record<typeof scope, (entry: Entry) => boolean> = {
      all: () => true,
      full: (e) => e.projection.pending() >= minPending,
    };
    const { set, parts } = planCommit(this.entries, inScope[scope]);
    if (parts.length === 0 && (!all || this.uncommitted === 0)) return;
    const events = all ? this.uncommitted : 0;
    if (all) this.uncommitted = 0;
    const commit: Promise<void> = this.sink
      .commit(set)
      .then(
        () => this.committed(parts, events),
        (error: unknown) => this.failed(error),
      )
      .finally(() => {
        if (this.inFlight === commit) this.inFlight = undefined;
      });
    this.inFlight = commit;
  }

  /** A part with `stop` recorded the projection's stop, with the rows folded before it. */
  private committed(parts: CommitPart[], events: number): void {
    for (const { entry, position, stop } of parts) {
      if (stop) entry.errorUnsaved = false;
      entry.committed = position;
      entry.projection.trim();
    }
    this.engineRecovered();
    this.eventsCommitted += events;
    // What has been read by now, as the read loop reports it: the commit's own position lags it.
    this.options.onProgress?.({ position: this.lastSeen, events: this.eventsRead });
    this.changed();
    if (this.startPosition() === null) {
      this.restart(); // every projection stopped: stop reading
    }
  }

  private failed(error: unknown): void {
    if (error instanceof CheckpointsMovedError)
      this.options.log?.warn(
        'Read-model checkpoints were changed by another process; resubscribing',
      );
    else this.engineFailed(error);
    this.restart(); // reload() forgets every cached row and rereads the checkpoints
  }

  /** A read or a commit failed: /health reports it and the log says so; the pump retries. */
  private engineFailed(error: unknown): void {
    this.engineError = messageOf(error);
    this.engineErrorCode = codeOf(error);
    this.failures.failed(this.engineError);
    this.options.onChange?.();
  }

  private engineRecovered(): void {
    this.engineError = null;
    this.engineErrorCode = undefined;
    this.failures.succeeded();
  }

  /** Ends the waits this change satisfies, and tells the owner (a thread mirroring the state). */
  private changed(): void {
    this.waiters.settle();
    this.options.onChange?.();
  }

  /**
   * Drops what the projection folded since its last commit: the failed event may have changed some
   * of it. Had it folded events before this one, they are read and folded again up to this event
   * (a replay from the checkpoints), so that its checkpoint stops just short of the event; else the
   * stop is stored with the next commit.
   */
  private stopProjection(entry: Entry, event: ProjectedEvent, error: unknown): void {
    entry.projection.reset(false);
    const folded = entry.applied > entry.committed;
    entry.applied = entry.committed;
    const stop = { position: event.position, message: `${event.type}: ${messageOf(error)}` };
    if (folded) {
      entry.stopAt = stop;
      this.restart(); // reload(), then read again from the checkpoints
      return;
    }
    this.stopped(entry, stop);
  }

  /** Ends the reading under way; the pump then reloads from the checkpoints and reads again. */
  private restart(): void {
    this.restartRequested = true;
    void this.subscription?.unsubscribe();
    this.wake?.(); // a pause at the read limit, or at the retry delay
  }

  /** The projection stops at `stop`, which the next commit stores. */
  private stopped(entry: Entry, stop: NonNullable<Entry['error']>): void {
    entry.error = stop;
    entry.errorUnsaved = true;
    this.options.log?.error(
      `Projection ${entry.projection.name} stopped at position ${stop.position}: ${stop.message}`,
    );
    this.changed();
  }

  /** Where the subscription starts: the lowest checkpoint of a running projection (null: none runs). */
  private startPosition(): number | null {
    const running = this.entries.filter((e) => !e.error);
    return running.length === 0 ? null : Math.min(...running.map((e) => e.committed));
  }

  /** Back to what is committed. A projection stopped in an earlier run is tried again at start. */
  private reload(): void {
    const stored = this.checkpoints.load();
    for (const entry of this.entries) {
      entry.committed = entry.applied = stored.get(entry.projection.name)?.position ?? -1;
      entry.projection.reset(entry.committed === -1);
      // A stop not stored yet loses the rows folded before it with the rest: replay up to it again.
      if (entry.errorUnsaved && entry.error) {
        entry.stopAt = entry.error;
        entry.error = null;
        entry.errorUnsaved = false;
      }
      // Another process may have stored more of it meanwhile (a rebuild): its stop is its own then.
      if (entry.stopAt && entry.committed >= entry.stopAt.position) entry.stopAt = null;
    }
    this.eventsRead = this.eventsCommitted;
    this.uncommitted = 0;
  }

  /** Read models built from another store would be silently wrong: drop them. */
  private async checkStoreIdentity(): Promise<boolean> {
    const furthest = Math.max(-1, ...this.entries.map((e) => e.committed));
    // Kept as they are, and checked again at each retry.
    const ends = await storeEnds(this.store);
    const refusal = refusalFor(ends, this.readModels, furthest);
    if (refusal) throw new Error(refusal);
    if (!readModelsMatch(ends, this.readModels, furthest)) {
      this.options.log?.warn('Read models were built from another event store; rebuilding them');
      this.readModels.dropAndRecreate();
      this.reload();
      readModelsMatch(ends, this.readModels, -1);
    }
    // Started on an empty store: every projection reads from the start, so the first event the
    // engine meets is the store's first, which the read models then record as their origin.
    this.originPending = originUnknown(this.readModels);
    this.verified = true;
    this.changed();
    return true;
  }

  private noteOrigin(eventId: string): void {
    if (!this.originPending) return;
    this.originPending = false;
    recordFirstEvent(this.readModels, eventId);
  }

  /** Waits `ms` or until stop; set up synchronously after the check, so a stop cannot slip in between. */
  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** A reader waits for a position this projection has not stored. */
function waitedFor(entry: Entry): boolean {
  return entry.wantedTo > entry.committed;
}

/**
 * An error of SQLite's (better-sqlite3 gives each a SQLITE_ code). Told by its code, not by
 * `instanceof`: the class may come from another realm (error-message.ts).
 */
function isDatabaseError(error: unknown): boolean {
  return codeOf(error)?.startsWith('SQLITE_') === true;
}
