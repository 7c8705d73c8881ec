/** Where the engine logs: the service's logger, or the projection thread's messages to it. */
export interface EngineLog {
  error(message: string): void;
  warn(message: string): void;
}

export interface FailureLogOptions {
  /** What failed, at the start of each line. */
  subject?: string;
  /** What is done about it, at the end of each failure's line. */
  retrying?: string;
  now?: () => number;
}

/**
 * Logs the failures of something that retries every second (the engine, or the projection thread
 * that is started again) without flooding the log while one lasts: a store that stays down for an
 * hour would otherwise log 3,600 lines. A run of failures in a row is logged at its first failure,
 * whenever its message changes, and at the 10th, 100th, 1,000th… failure; the first success after
 * it says how long it lasted. /health reports the failure all the while.
 */
export class FailureLog {
  private failures = 0;
  private lastMessage: string | null = null;
  private since = 0;
  private readonly subject: string;
  private readonly retrying: string;
  private readonly now: () => number;

  constructor(
    private readonly log: EngineLog | undefined,
    options: FailureLogOptions = {},
  ) {
    this.subject = options.subject ?? 'Projection engine';
    this.retrying = options.retrying ?? 'retrying';
    this.now = options.now ?? Date.now;
  }

  /** It failed with `message` and will be tried again. */
  failed(message: string): void {
    this.failures++;
    if (this.failures === 1) this.since = this.now();
    const repeated = message === this.lastMessage;
    this.lastMessage = message;
    if (repeated && !isPowerOfTen(this.failures)) return;
    const count = repeated ? ` (${this.failures.toLocaleString('en-US')} failures in a row)` : '';
    this.log?.error(`${this.subject}: ${message}${count}; ${this.retrying}`);
  }

  /** It worked again (the engine read or committed): ends a run of failures, saying so once. */
  succeeded(): void {
    if (this.failures === 0) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    const times = this.failures === 1 ? 'once' : `${this.failures.toLocaleString('en-US')} times`;
    this.log?.warn(`${this.subject}: recovered after failing ${times} in ${seconds} s`);
    this.failures = 0;
    this.lastMessage = null;
  }
}

const isPowerOfTen = (n: number) => /^10*$/.test(String(n));
