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
