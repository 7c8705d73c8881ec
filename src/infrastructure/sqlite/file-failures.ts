import type { ProblemMapper } from '../../shared/http/http-error.filter';
import { isDamage, sqliteFileFailure, sqliteFileProblem } from './open-database';

/** How long a passing failure (a full disk, an I/O error) keeps the service degraded after the last one. */
export const PASSING_FAILURE_HOLD_MS = 60_000;

export interface FileFailure {
  /** SQLite's code, such as SQLITE_CORRUPT or SQLITE_FULL. */
  code: string;
  /** When a request last met it (ISO 8601). */
  at: string;
}

/**
 * The database file failures that requests met, for /health. A read of a damaged page answers 503
 * but leaves every other read working, so without this a load balancer would keep sending traffic
 * to a replica whose file is damaged or whose disk is full.
 */
export class SqliteFileFailures {
  private damage: FileFailure | null = null;
  private passing: (FileFailure & { atMs: number }) | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly holdMs = PASSING_FAILURE_HOLD_MS,
  ) {}

  note(code: string): void {
    const atMs = this.now();
    const at = new Date(atMs).toISOString();
    // Damage stays while the service runs (a restart sets a damaged read-model file aside).
    if (isDamage(code)) this.damage = { code, at };
    else this.passing = { code, at, atMs };
  }

  /** Damage first (it lasts); else a passing failure met within the hold; else null. */
  current(): FileFailure | null {
    if (this.damage) return this.damage;
    if (this.passing && this.now() - this.passing.atMs < this.holdMs)
      return { code: this.passing.code, at: this.passing.at };
    return null;
  }

  /**
   * The error filter's mapper for SQLite file failures, which also notes each one here: those of
   * reads, and those of writes, which reach the filter wrapped (EventStoreUnavailableError, whose
   * answer tells the client to retry with its key) with SQLite's error as their cause.
   */
  problems(): ProblemMapper {
    return (error) => {
      const cause = (error as { cause?: unknown } | null)?.cause;
      const code = sqliteFileFailure(error) ?? sqliteFileFailure(cause);
      if (code !== undefined) this.note(code);
      return sqliteFileProblem(error);
    };
  }
}
