import type Database from 'better-sqlite3';
import type { WriteSetBuilder } from './write-set';

/** An event as projections see it: decoded once per batch, shared by every projection. */
export interface ProjectedEvent {
  /** Position in $all (positions stay below 2^53: a 9-petabyte log). */
  position: number;
  type: string;
  /** The stream's category: everything before its first '-'. */
  category: string;
  stream: string;
  data: unknown;
  /** `<environment>.<orgId>` from the metadata: every row is keyed by it. */
  tenant: string;
  /** Wallet events: the member, from the metadata. */
  externalUserID: string | null;
  /** When the command was decided (metadata.occurredAt), in ms since the epoch. */
  occurredAtMs: number;
  /** Set when the envelope is unusable: a projection that consumes the event stops on it. */
  invalid: string | null;
}

/**
 * A projection: folds events into its own tables in two steps. `apply` changes rows in memory
 * (reading a row it has not cached from the committed tables); `write` hands every row changed
 * since the last write to the commit, which stores them with the checkpoint in one transaction.
 * So a row touched by many events of one commit is written once. `trim` runs once a commit is
 * stored (only then may clean rows leave memory); `reset` drops everything held in memory (after
 * a failure, or when another process changed the tables), and says whether the tables are empty
 * (checkpoint -1): then a row it has not seen does not exist, and needs no lookup.
 */
export interface Projection {
  readonly name: string;
  /** Stream categories it reads; events of other categories only move its checkpoint. */
  readonly categories: readonly string[];
  /**
   * Of a category it reads only a few event types of, those types: its other events only move
   * the checkpoint, so that one this projection has no use for can never stop it.
   */
  readonly onlyTypes?: Readonly<Record<string, readonly string[]>>;
  apply(event: ProjectedEvent): void;
  write(out: WriteSetBuilder): void;
  /** How many changed rows it holds, not yet written. */
  pending(): number;
  trim(): void;
  reset(empty: boolean): void;
}

export type ProjectionFactory = (db: Database.Database) => Projection;

/** The event's data is not what its type promises: the projection cannot apply it. */
export class UnprocessableEventError extends Error {
  override readonly name = 'UnprocessableEventError';
}

/** Stops the projection on what is wrong with an event's data, if anything (null: nothing). */
export function refuseIf(problem: string | null): void {
  if (problem !== null) throw new UnprocessableEventError(problem);
}

export function unhandled(projection: string, event: ProjectedEvent): never {
  throw new UnprocessableEventError(
    `${projection} has no rule for ${event.type} events in ${event.category} streams`,
  );
}
