import type { EngineLog } from './failure-log';
import type { Projection } from './projection';
import type { WriteSink } from './write-sink';

export interface ProjectionStatus {
  name: string;
  status: 'running' | 'stopped';
  /** Position of the last event committed (applied or passed over), -1 before the first. */
  checkpoint: number;
  error: { position: number; message: string } | null;
}

export interface EngineOptions {
  /**
   * A projection holding this many changed rows commits even while more events are buffered
   * (default 20,000). Otherwise all commit when the subscription has nothing more buffered.
   */
  maxPendingRows?: number;
  /**
   * Live, commit at most this often (default 0: at every idle turn). When a reader waits for a
   * projection (`waitFor`, `hurry`), every projection commits at once. Fewer, larger commits write
   * each hot page once.
   */
  liveCommitEveryMs?: number;
  /** Called every few thousand events and after every commit: the position read, events read. */
  onProgress?: (progress: { position: number; events: number }) => void;
  /** Wait before resubscribing after a subscription or database failure (default 1 s). */
  retryDelayMs?: number;
  /** Where commits are executed (default: inline, on the read models' own connection). */
  sink?: WriteSink;
  /** Called whenever a checkpoint, a stop or readiness changes (what waits and /health see). */
  onChange?: () => void;
  /** Failures, recoveries and checkpoints moved by another process (failure-log.ts). */
  log?: EngineLog;
  /**
   * The last position each named projection folds (-1: none); the engine reads no further than
   * the highest, which is also where the projections not named stop. `ledger verify` stops its
   * replay where a running service's read models stand.
   */
  upTo?: ReadonlyMap<string, number>;
  /**
   * The last position the engine reads, whatever `upTo` says (default: the highest of `upTo`, or
   * no end). A rebuild reads to the head it found at its start, also while a service writes on.
   */
  readUpTo?: number;
}

/** The engine's bookkeeping of one projection. */
export interface Entry {
  projection: Projection;
  categories: ReadonlySet<string>;
  /** Projection.onlyTypes, by category. */
  onlyTypes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Last position folded in memory, and last position stored with its rows. */
  applied: number;
  committed: number;
  error: ProjectionStatus['error'];
  /** A stop not yet recorded in rm_checkpoints (with the rows folded before it, if any). */
  errorUnsaved: boolean;
  /**
   * An event this projection failed on after folding others it had not stored: the engine reads
   * again from its checkpoint, folds up to that event and stops there, so that what comes before it
   * is kept (null: none).
   */
  stopAt: ProjectionStatus['error'];
  /** The furthest position a reader waits for in this projection (-1: none). */
  wantedTo: number;
  /** The last position it folds (EngineOptions.upTo; Infinity: no end). */
  upTo: number;
}
