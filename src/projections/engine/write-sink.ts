import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildIndexes } from './index-build';
import { CheckpointsMovedError, WriteSet, WriteSetExecutor } from './write-set';
import type { WorkerReply, WorkerRequest } from './write-worker';

/** Where commits go: executed on the reading connection, or posted to a writer thread. */
export interface WriteSink {
  commit(set: WriteSet): Promise<void>;
  setSynchronous(mode: 'NORMAL' | 'OFF'): Promise<void>;
  /** Builds a rebuild's deferred indexes on the writing connection (see index-build.ts). */
  buildIndexes(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class InlineWriteSink implements WriteSink {
  private readonly executor: WriteSetExecutor;

  constructor(private readonly db: Database.Database) {
    this.executor = new WriteSetExecutor(db);
  }

  async commit(set: WriteSet): Promise<void> {
    this.executor.execute(set);
  }

  async setSynchronous(mode: 'NORMAL' | 'OFF'): Promise<void> {
    this.db.pragma(`synchronous = ${mode}`);
  }

  async buildIndexes(statements: readonly string[]): Promise<void> {
    buildIndexes(this.db, statements);
  }

  async close(): Promise<void> {}
}

/**
 * A writer thread with its own connection: SQLite's row writes run on the second core while this
 * thread reads and folds the next events. One write set is in flight at a time (the engine waits).
 */
export class WorkerWriteSink implements WriteSink {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(path: string) {
    this.worker = new Worker(WORKER_FILE, { workerData: { path } });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if (reply.ok) waiting.resolve();
      else
        waiting.reject(
          reply.moved
            ? new CheckpointsMovedError(reply.message)
            : Object.assign(new Error(reply.message), { code: reply.code }),
        );
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) =>
      this.fail(new Error(`The read-model writer thread exited (${code})`)),
    );
  }

  commit(set: WriteSet): Promise<void> {
    return this.request((id) => ({ id, set }));
  }

  setSynchronous(synchronous: 'NORMAL' | 'OFF'): Promise<void> {
    return this.request((id) => ({ id, synchronous }));
  }

  buildIndexes(statements: readonly string[]): Promise<void> {
    return this.request((id) => ({ id, indexes: [...statements] }));
  }

  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    await exited;
  }

  private request(make: (id: number) => WorkerRequest): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

const WORKER_FILE = join(__dirname, 'write-worker.js');

/** A worker needs compiled JavaScript; under ts-jest (or for ':memory:') writes stay inline. */
export function openWriteSink(
  db: Database.Database,
  path: string,
  mode: 'auto' | 'inline' | 'worker' = 'auto',
): WriteSink {
  const canUseWorker = path !== ':memory:' && existsSync(WORKER_FILE);
  if (mode === 'worker' && !canUseWorker)
    throw new Error('The read-model writer thread needs compiled code and a file');
  return mode !== 'inline' && canUseWorker ? new WorkerWriteSink(path) : new InlineWriteSink(db);
}
