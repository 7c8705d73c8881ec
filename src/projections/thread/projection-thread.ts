import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqlite-event-store';
import { Checkpoints } from '../engine/checkpoints';
import type { ProjectionStatus } from '../engine/engine-types';
import { type EngineLog, FailureLog } from '../engine/failure-log';
import { ProjectionRunner } from '../engine/projection-runner';
import { EngineStoppedError, Waiters } from '../engine/waiters';
import type { ReadModelDb } from '../read-model-db';
import type {
  FromProjectionThread,
  ProjectionThreadData,
  ToProjectionThread,
} from './thread-messages';

const WORKER_FILE = join(__dirname, 'projection-thread.worker.js');

export interface ProjectionThreadOptions {
  /** Wait before starting a thread again after it died, and the engine's own retry delay (1 s). */
  retryDelayMs?: number;
  /** Its own restarts, and what the engine on the thread logs. */
  log?: EngineLog;
}

/**
 * Runs the projection engine on a thread of its own, so that folding and reading back the events
 * of live traffic takes nothing from the thread that serves requests. Needs the embedded store on
 * a file and compiled code (a worker runs JavaScript): see `canRunProjectionThread`.
 *
 * The thread is told after every commit of the store; it answers with its state after each change,
 * mirrored here for /health and for the waits of read-your-writes. A write is answered after its
 * commit was announced, so a read that follows it waits for a position the thread will reach.
 */
export class ProjectionThread implements ProjectionRunner {
  readonly names: string[];
  engineError: string | null = null;
  private statuses: ProjectionStatus[];
  private verified = false;
  private readonly waiters = new Waiters();
  private worker: Worker | undefined;
  private stopped: Promise<void> | undefined;
  private restart: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  /** A thread that dies again and again is logged as a run of failures, not at every restart. */
  private readonly deaths: FailureLog;

  constructor(
    private readonly store: SqliteEventStore,
    private readonly readModels: ReadModelDb,
    names: readonly string[],
    private readonly options: ProjectionThreadOptions = {},
  ) {
    this.names = [...names];
    this.deaths = new FailureLog(options.log, {
      subject: 'Projection thread',
      retrying: 'starting it again',
    });
    const stored = new Checkpoints(readModels.db).load();
    this.statuses = this.names.map((name) => {
      const checkpoint = stored.get(name);
      return {
        name,
        status: checkpoint?.error ? 'stopped' : 'running',
        checkpoint: checkpoint?.position ?? -1,
        error: checkpoint?.error ?? null,
      };
    });
  }

  start(): void {
    if (this.worker || this.stopped) return;
    this.unlisten ??= this.store.onCommit(() => this.tell({ kind: 'appended' }));
    const data: ProjectionThreadData = {
      eventsPath: this.store.path,
      readModelsPath: this.readModels.path,
      retryDelayMs: this.options.retryDelayMs,
    };
    const worker = new Worker(WORKER_FILE, { workerData: data });
    this.worker = worker;
    worker.on('message', (message: FromProjectionThread) => this.receive(message));
    worker.on('error', (error) => this.died(worker, error.message));
    worker.on('exit', (code) => this.died(worker, `exited with code ${code}`));
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  status(): ProjectionStatus[] {
    return this.statuses;
  }

  get ready(): boolean {
    return this.verified;
  }

  /** Asks the thread to commit `names` now when what they have stored is short of `position`. */
  waitFor(names: readonly string[], position: number, timeoutMs = Infinity): Promise<void> {
    if (this.statuses.some((s) => names.includes(s.name) && s.checkpoint < position))
      this.tell({ kind: 'hurry', position, names });
    return this.waiters.forProjections(names, position, timeoutMs, () => ({
      ready: this.verified,
      statuses: this.statuses,
      engineError: this.engineError,
    }));
  }

  private receive(message: FromProjectionThread): void {
    if (message.kind === 'state') {
      this.verified = message.ready;
      if (message.ready) this.deaths.succeeded();
      this.statuses = message.statuses;
      this.engineError = message.engineError;
      this.waiters.settle();
    } else if (message.kind === 'log') {
      this.options.log?.[message.level](message.message);
    }
  }

  private tell(message: ToProjectionThread): void {
    this.worker?.postMessage(message);
  }

  /** A thread that died is started again (its engine resumes from the stored checkpoints). */
  private died(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.stopped) return;
    this.verified = false;
    this.engineError = `The projection thread ${reason}`;
    this.deaths.failed(reason);
    this.restart = setTimeout(() => {
      this.restart = undefined;
      if (!this.stopped) this.start();
    }, this.options.retryDelayMs ?? 1000);
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.restart);
    this.unlisten?.();
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'stop' } satisfies ToProjectionThread);
      await exited;
    }
    this.waiters.rejectAll(new EngineStoppedError());
  }
}

/** The thread runs compiled code on a store in a file; otherwise the engine runs in-process. */
export function canRunProjectionThread(
  store: unknown,
  readModels: ReadModelDb,
): store is SqliteEventStore {
  return (
    store instanceof SqliteEventStore &&
    store.path !== ':memory:' &&
    readModels.path !== ':memory:' &&
    existsSync(WORKER_FILE)
  );
}
