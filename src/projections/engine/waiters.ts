import type { ProjectionStatus } from './engine-types';

/** A read asked for projections that cannot catch up: one of them stopped on an event. */
export class ProjectionStoppedError extends Error {
  override readonly name = 'ProjectionStoppedError';
  constructor(
    readonly projection: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Projection ${projection} stopped at position ${position}: ${reason}`);
  }
}

/** The engine was stopped (the service shuts down) while a reader waited for it. */
export class EngineStoppedError extends Error {
  override readonly name = 'EngineStoppedError';
  constructor() {
    super('The projection engine stopped');
  }
}

/** The projections did not reach the position within the wait. */
export class ProjectionLagError extends Error {
  override readonly name = 'ProjectionLagError';
  constructor(
    readonly projections: readonly string[],
    readonly position: number,
    readonly waitedMs: number,
  ) {
    super(`Read models did not reach position ${position} within ${waitedMs} ms`);
  }
}

/**
 * The projections did not reach the position within the wait, and the engine was failing then (it
 * could not read the store or write the read models): a lag that says why.
 */
export class ProjectionsFailingError extends Error {
  override readonly name = 'ProjectionsFailingError';
  constructor(
    readonly projections: readonly string[],
    readonly position: number,
    readonly engineError: string,
  ) {
    super(`Read models did not reach position ${position}: ${engineError}`);
  }
}

/**
 * What a wait for projections looks at: whether the read models are known good, each one's state,
 * and the engine's last failure, if the commit since has not cleared it.
 */
export interface ProjectionView {
  ready: boolean;
  statuses: readonly ProjectionStatus[];
  engineError: string | null;
}

/** Answers whether a wait is over: true (reached), false (not yet), or the error that ends it. */
export type WaitCheck = () => boolean | Error;

interface Waiter {
  check: WaitCheck;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Reads waiting for projections to reach a position. The engine calls `settle` after every
 * committed batch, so a wait ends on the commit that satisfies it: no polling.
 */
export class Waiters {
  private readonly waiting = new Set<Waiter>();

  wait(check: WaitCheck, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    const first = check();
    if (first === true) return Promise.resolve();
    if (first instanceof Error) return Promise.reject(first);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { check, resolve, reject, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.waiting.delete(waiter);
          reject(onTimeout());
        }, timeoutMs);
      }
      this.waiting.add(waiter);
    });
  }

  /**
   * Until every named projection has committed `position`: ends early, with an error, when one of
   * them stops, or when `timeoutMs` runs out (a lag, or the engine's failure if it is failing).
   */
  forProjections(
    names: readonly string[],
    position: number,
    timeoutMs: number,
    view: () => ProjectionView,
  ): Promise<void> {
    const known = view().statuses.map((s) => s.name);
    for (const name of names)
      if (!known.includes(name)) throw new Error(`Unknown projection ${name}`);
    const check = () => {
      const { ready, statuses } = view();
      const tracked = statuses.filter((s) => names.includes(s.name));
      const stopped = tracked.find((s) => s.error);
      if (stopped?.error)
        return new ProjectionStoppedError(
          stopped.name,
          stopped.error.position,
          stopped.error.message,
        );
      return ready && tracked.every((s) => s.checkpoint >= position);
    };
    const timedOut = () => {
      const { engineError } = view();
      return engineError === null
        ? new ProjectionLagError(names, position, timeoutMs)
        : new ProjectionsFailingError(names, position, engineError);
    };
    return this.wait(check, timeoutMs, timedOut);
  }

  settle(): void {
    for (const waiter of this.waiting) {
      const outcome = waiter.check();
      if (outcome === false) continue;
      this.waiting.delete(waiter);
      if (waiter.timer) clearTimeout(waiter.timer);
      if (outcome === true) waiter.resolve();
      else waiter.reject(outcome);
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of this.waiting) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
