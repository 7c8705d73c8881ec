import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  WrongExpectedVersionError,
} from '../../event-store';
import { KeyedMutex } from './keyed-mutex';
import { LruCache } from './lru-cache';
import { sha256Hex } from './sha256';
import { nextRevision, StateCache } from './state-cache';

/** One append a decision needs; `onApplied` lets the decider's loader update its cache. */
export interface PlannedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: EventData[];
  onApplied?: (result: AppendResult) => void;
  /**
   * An append that follows the decision, after all the others, and that its answer does not
   * depend on (the release of stock a wallet's cancel frees). Where appends go one by one, the
   * others have landed when it conflicts: deciding again would apply them twice (a credit, a
   * reversal), so the decision stands and the follow-up is left to its repair (the sweeper gives
   * a canceled redemption's stock back: rm_stock_left).
   */
  followUp?: boolean;
}

/** The answer a command gives, kept verbatim so that a retry gets exactly the same one. */
export interface Outcome {
  status: number;
  body: JsonValue;
}

export interface Decision {
  appends: PlannedAppend[];
  outcome: Outcome;
}

export interface IdempotencyScope {
  /** Keys are unique within a tenant (an organization in one environment). */
  tenantKey: string;
  key: string;
  /** Digest of what the request asked for: the same key with another fingerprint is a reuse. */
  fingerprint: string;
  context: JsonObject;
}

export interface ExecutionResult {
  outcome: Outcome;
  replayed: boolean;
  /** Position of the last event written, when the command wrote any (read-your-writes). */
  position: bigint | null;
}

export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor() {
    super('This Idempotency-Key was used with a different request');
  }
}

/**
 * Thrown by a decision that must write a stream it does not hold the lock of (an offer that got a
 * total stock after the locks were chosen): it runs again holding `locks`, so that such requests
 * queue instead of racing each other to a conflict.
 */
export class LocksNeeded extends Error {
  override readonly name = 'LocksNeeded';
  constructor(readonly locks: readonly string[]) {
    super(`The decision needs the locks of ${locks.join(', ')}`);
  }
}

/** What a decision is made with: the locks it runs under, and the time it is made. */
export interface Attempt {
  held: readonly string[];
  /**
   * Read for each attempt under its locks, so that the events of one stream are stamped in the
   * order they are written: a time taken when the request arrived would run backwards whenever a
   * later request for the same stream got its lock first.
   */
  now: string;
}

export type Decide = (attempt: Attempt) => Promise<Decision>;

/** The time as events record it. */
export type Clock = () => string;
const wallClock: Clock = () => new Date().toISOString();

/** Conflicts kept coming back: another writer is busy on the same streams. Retryable. */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
}

const DECISION_EVENT = 'IdempotentCommandDecided';

/** The revision the key's record stream is expected at by the next write of a decision. */
interface RecordProgress {
  revision: ExpectedRevision;
}

interface DecisionRecord {
  fingerprint: string;
  /** True when written in one transaction with its appends: they are then certainly there. */
  atomic: boolean;
  /** The appends, kept only when written before them, so that a retry can finish the job. */
  appends: Array<{
    stream: string;
    expectedRevision: string;
    events: EventData[];
    followUp?: boolean;
  }>;
  outcome: Outcome;
}

export function idempotencyStream(tenantKey: string, key: string): string {
  const digest = sha256Hex(key).slice(0, 40);
  return `idempotency-${tenantKey}.${digest}`;
}

const revisionToJson = (r: ExpectedRevision) => (typeof r === 'bigint' ? r.toString() : r);
const revisionFromJson = (r: string): ExpectedRevision =>
  r === 'any' || r === 'no_stream' || r === 'stream_exists' ? r : BigInt(r);

/**
 * Runs a command: decide on current state, append with expected revisions, decide again on a
 * conflict. With an idempotency key, the decision (its appends and its answer) is first recorded in
 * the key's own stream; whoever records first wins, and every retry, replica or restart replays
 * that record: re-appending its events is a no-op in the store when they are already written, so
 * points move once whatever crashed where.
 */
export class CommandExecutor {
  private readonly mutex = new KeyedMutex();
  private readonly settled = new LruCache<string, { fingerprint: string; outcome: Outcome }>(
    50_000,
  );
  private readonly inFlight = new Map<
    string,
    { fingerprint: string; result: Promise<ExecutionResult> }
  >();

  constructor(
    private readonly store: EventStore,
    private readonly cache: StateCache,
    private readonly maxAttempts = 8,
    private readonly clock: Clock = wallClock,
  ) {}

  /** Whether a decision's appends go to the store in one transaction (SQLite), or one by one. */
  get appendsAtomically(): boolean {
    return this.store.appendAtomically !== undefined;
  }

  /** `locks` name the streams the decision will write, so that local requests queue, not conflict. */
  async run(
    locks: readonly string[],
    decide: Decide,
    idempotency?: IdempotencyScope,
  ): Promise<ExecutionResult> {
    if (!idempotency) return this.underLocks(locks, (held) => this.decideAndApply(held, decide));
    const stream = idempotencyStream(idempotency.tenantKey, idempotency.key);
    const settled = this.settled.get(stream);
    if (settled) return this.replay(settled, idempotency.fingerprint);
    const running = this.inFlight.get(stream);
    if (running) {
      if (running.fingerprint !== idempotency.fingerprint) throw new IdempotencyKeyReusedError();
      return { ...(await running.result), replayed: true };
    }
    // Where the key's record stands, kept across a run again under more locks (LocksNeeded): on
    // the record-first path an earlier attempt may have written one already.
    const progress: RecordProgress = { revision: 'no_stream' };
    const result = this.underLocks(locks, (held) =>
      this.runOnce(held, stream, decide, idempotency, progress),
    );
    this.inFlight.set(stream, { fingerprint: idempotency.fingerprint, result });
    try {
      return await result;
    } finally {
      this.inFlight.delete(stream);
    }
  }

  private replay(
    settled: { fingerprint: string; outcome: Outcome },
    fingerprint: string,
  ): ExecutionResult {
    if (settled.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    return { outcome: settled.outcome, replayed: true, position: null };
  }

  /** Runs `work` holding `locks`, and again holding more when its decision asks for them. */
  private async underLocks(
    locks: readonly string[],
    work: (held: readonly string[]) => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> {
    let held = locks;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      try {
        return await this.mutex.run(held, () => work(held));
      } catch (error) {
        if (!(error instanceof LocksNeeded)) throw error;
        held = [...new Set([...held, ...error.locks])];
      }
    }
    throw new ContentionError('The command kept needing other locks; retry it');
  }

  private async decideAndApply(held: readonly string[], decide: Decide): Promise<ExecutionResult> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const decision = await decide({ held, now: this.clock() });
      if (decision.appends.length === 0 && (await this.movedOn(held))) continue;
      const position = await this.apply(decision.appends);
      if (position !== undefined) return { outcome: decision.outcome, replayed: false, position };
    }
    throw new ContentionError('The command kept conflicting with concurrent writes; retry it');
  }

  private async runOnce(
    held: readonly string[],
    stream: string,
    decide: Decide,
    scope: IdempotencyScope,
    progress: RecordProgress,
  ): Promise<ExecutionResult> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const ours = await decide({ held, now: this.clock() });
      if (ours.appends.length === 0 && (await this.movedOn(held))) continue;
      const atomic = this.atomic(ours.appends);
      const record: DecisionRecord = {
        fingerprint: scope.fingerprint,
        atomic,
        appends: atomic
          ? []
          : ours.appends.map(({ stream, events, expectedRevision, followUp }) => ({
              stream,
              events,
              expectedRevision: revisionToJson(expectedRevision),
              ...(followUp ? { followUp } : {}),
            })),
        outcome: ours.outcome,
      };
      const recordAppend = {
        stream,
        events: [
          { id: randomUUID(), type: DECISION_EVENT, data: toJson(record), metadata: scope.context },
        ],
        expectedRevision: progress.revision,
      };
      try {
        const { position, recorded } = await this.recordAndApply(recordAppend, ours.appends);
        if (recorded !== undefined) progress.revision = recorded;
        if (position === undefined) continue;
        this.settled.set(stream, { fingerprint: record.fingerprint, outcome: record.outcome });
        return { outcome: record.outcome, replayed: false, position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || error.stream !== stream) throw error;
      }
      // Someone recorded a decision for this key first: follow it.
      const latest = await this.latestRecord(stream);
      if (!latest) throw new ContentionError('The idempotency record vanished; retry');
      progress.revision = latest.revision;
      if (latest.record.fingerprint !== scope.fingerprint) throw new IdempotencyKeyReusedError();
      const position = latest.record.atomic
        ? null
        : await this.apply(
            latest.record.appends.map((a) => ({
              ...a,
              expectedRevision: revisionFromJson(a.expectedRevision),
            })),
          );
      if (position !== undefined) {
        this.settled.set(stream, {
          fingerprint: latest.record.fingerprint,
          outcome: latest.record.outcome,
        });
        return { outcome: latest.record.outcome, replayed: true, position };
      }
    }
    throw new ContentionError('The command kept conflicting with concurrent writes; retry it');
  }

  /**
   * Whether a stream the decision holds the lock of has events past the revision of its cached
   * state: another replica wrote it. An expected revision catches that for a decision that
   * writes; one that writes nothing (a refusal) would stand on the stale state, and, under a key,
   * be recorded and replayed for good. Marks such streams stale, to be read again.
   */
  private async movedOn(held: readonly string[]): Promise<boolean> {
    let moved = false;
    for (const stream of held) {
      const cached = this.cache.get(stream);
      // Not cached, or marked stale and not read again: the decision did not read it.
      if (!cached || cached.stale) continue;
      const fromRevision = nextRevision(cached.revision);
      const [next] = await this.store.readStream(stream, { fromRevision, maxCount: 1 });
      if (next === undefined) continue;
      this.cache.markStale(stream);
      moved = true;
    }
    return moved;
  }

  /**
   * Writes the decision record and then its appends. Where the store has multi-stream
   * transactions both go in one, so a decision is never recorded without its events or the other
   * way round. Undefined: a domain stream conflicted (with the record written only on the
   * sequential path); a conflict on the record itself is thrown.
   */
  private async recordAndApply(
    recordAppend: { stream: string; events: EventData[]; expectedRevision: ExpectedRevision },
    appends: readonly PlannedAppend[],
  ): Promise<{ position: bigint | null | undefined; recorded?: bigint }> {
    if (this.atomic(appends)) {
      try {
        const [record, ...results] = await this.store.appendAtomically!([recordAppend, ...appends]);
        return { position: this.applied(appends, results), recorded: record.nextExpectedRevision };
      } catch (error) {
        // A conflict on the record is another decision's for this key: runOnce follows it.
        if (error instanceof WrongExpectedVersionError && error.stream === recordAppend.stream)
          throw error;
        return { position: this.conflicted(error) };
      }
    }
    const { stream, events, expectedRevision } = recordAppend;
    const record = await this.store.append(stream, events, expectedRevision);
    return { position: await this.apply(appends), recorded: record.nextExpectedRevision };
  }

  /** Whether a decision and its appends go to the store in one transaction. */
  private atomic(appends: readonly PlannedAppend[]): boolean {
    return this.appendsAtomically && appends.length > 0;
  }

  private async latestRecord(
    stream: string,
  ): Promise<{ record: DecisionRecord; revision: bigint } | undefined> {
    const [last] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    return last && { record: last.data as unknown as DecisionRecord, revision: last.revision };
  }

  /**
   * Applies appends (atomically where the store can); undefined when one conflicted, except a
   * follow-up after appends that landed, which is left to its repair (PlannedAppend.followUp).
   */
  private async apply(appends: readonly PlannedAppend[]): Promise<bigint | null | undefined> {
    if (this.store.appendAtomically && appends.length > 1) {
      try {
        return this.applied(appends, await this.store.appendAtomically(appends));
      } catch (error) {
        return this.conflicted(error);
      }
    }
    let position: bigint | null = null;
    let landed = false;
    for (const planned of appends) {
      const { stream, events, expectedRevision } = planned;
      try {
        position = this.applied(
          [planned],
          [await this.store.append(stream, events, expectedRevision)],
        );
        landed = true;
      } catch (error) {
        this.conflicted(error);
        if (!planned.followUp || !landed) return undefined;
      }
    }
    return position;
  }

  /** Rethrows what is not an expected-revision conflict; marks the conflicting stream stale. */
  private conflicted(error: unknown): undefined {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    this.cache.markStale(error.stream);
    return undefined;
  }

  /** Lets each append's loader fold what was written; returns the last position written. */
  private applied(
    appends: readonly PlannedAppend[],
    results: readonly AppendResult[],
  ): bigint | null {
    appends.forEach((planned, i) => {
      if (planned.onApplied) planned.onApplied(results[i]);
      else this.cache.markStale(planned.stream);
    });
    return results.at(-1)?.position ?? null;
  }
}

function toJson(record: DecisionRecord): JsonValue {
  return record as unknown as JsonValue;
}
