/** Where the engine logs: the service's logger, or the projection thread's messages to it. */
export interface EngineLog {
  error(message: string): void;
  warn(message: string): void;
}

/**
 * Logs the engine's failures without flooding the log while one lasts: the engine retries every
 * second, so a store that stays down for an hour would otherwise log 3,600 lines. A run of
 * failures in a row is logged at its first failure, whenever its message changes, and at the
 * 10th, 100th, 1,000th… failure; the first success after it says how long it lasted. /health
 * reports the failure all the while.
 */
export class FailureLog {
  private failures = 0;
  private lastMessage: string | null = null;
  private since = 0;

  constructor(
    private readonly log: EngineLog | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The engine failed with `message` and will retry. */
  failed(message: string): void {
    this.failures++;
    if (this.failures === 1) this.since = this.now();
    const repeated = message === this.lastMessage;
    this.lastMessage = message;
    if (repeated && !isPowerOfTen(this.failures)) return;
    const count = repeated ? ` (${this.failures.toLocaleString('en-US')} failures in a row)` : '';
    this.log?.error(`Projection engine: ${message}${count}; retrying`);
  }

  /** The engine read or committed again: ends a run of failures, saying so once. */
  succeeded(): void {
    if (this.failures === 0) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    const times = this.failures === 1 ? 'once' : `${this.failures.toLocaleString('en-US')} times`;
    this.log?.warn(`Projection engine: recovered after failing ${times} in ${seconds} s`);
    this.failures = 0;
    this.lastMessage = null;
  }
}

const isPowerOfTen = (n: number) => /^10*$/.test(String(n));
