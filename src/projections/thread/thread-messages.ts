import type { ProjectionStatus } from '../engine/engine-types';

/** What the projection thread is started with. */
export interface ProjectionThreadData {
  eventsPath: string;
  readModelsPath: string;
  retryDelayMs?: number;
}

/**
 * To the thread: events were appended (read now); a reader waits for a position in the named
 * projections (commit those at once until it is stored, not at the live pace); or stop (commit
 * what is folded, then exit).
 */
export type ToProjectionThread =
  | { kind: 'appended' }
  | { kind: 'hurry'; position: number; names: readonly string[] }
  | { kind: 'stop' };

/** From the thread: the engine's state after every change, and its log lines. */
export type FromProjectionThread =
  | { kind: 'state'; ready: boolean; statuses: ProjectionStatus[]; engineError: string | null }
  | { kind: 'log'; level: 'error' | 'warn'; message: string };
