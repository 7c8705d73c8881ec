import type { ProjectionStatus } from './engine-types';

/**
 * What the rest of the service needs of its projections: their state for /health, and a wait for
 * read-your-writes. ProjectionEngine runs them on this thread; ProjectionThread runs an engine on
 * a thread of its own and mirrors its state here. Also the DI token of whichever one runs.
 */
export abstract class ProjectionRunner {
  abstract readonly names: string[];
  /** The last subscription or database failure, cleared by the next commit. */
  abstract readonly engineError: string | null;
  /** Whether the stored read models are known to come from this store, with its events. */
  abstract readonly ready: boolean;
  abstract start(): void;
  abstract stop(): Promise<void>;
  abstract status(): ProjectionStatus[];
  /** Resolves once every named projection has committed `position`; rejects if one stops or time runs out. */
  abstract waitFor(names: readonly string[], position: number, timeoutMs?: number): Promise<void>;
}
