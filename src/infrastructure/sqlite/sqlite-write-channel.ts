import type Database from 'better-sqlite3';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { packBatch } from './sqlite-batch-codec';
import { SqliteSynchronous } from './sqlite-database';
import { QueuedAppend, SqliteWriter, WriteOutcome } from './sqlite-writer';
import type { WriterReply, WriterRequest, WriterSettings } from './sqlite-writer.worker';
import { EventStoreUnavailableError } from '../../event-store/event-store.errors';
import { messageOf } from '../../shared/application/error-message';

/**
 * A batch whose whole transaction failed (a full disk, an I/O error): the client gets 503 and
 * retries with its Idempotency-Key, which is safe whether or not the batch was stored.
 */
const writeFailed = (reason: string, cause?: unknown) =>
  new EventStoreUnavailableError(`Event store write failed: ${reason}`, cause);

/** The writer thread's failure as an error with SQLite's code, as the inline writer's would be. */
function failureOf({ failure, code }: WriterReply): Error {
  return Object.assign(new Error(failure), code === undefined ? {} : { code });
}

/** Where batches of appends get written: in this thread, or in the writer thread. */
export interface WriteChannel {
  write(batch: QueuedAppend[][], created: number): Promise<WriteOutcome[]>;
  close(): Promise<void>;
}

/** A store opened read-only: every append is refused, and nothing is written. */
export class ReadOnlyChannel implements WriteChannel {
  constructor(private readonly path: string) {}

  write(): Promise<WriteOutcome[]> {
    return Promise.reject(new Error(`The event store at ${this.path} is open read-only`));
  }

  async close(): Promise<void> {}
}

export class InlineWriteChannel implements WriteChannel {
  private readonly writer: SqliteWriter;

  constructor(db: Database.Database) {
    this.writer = new SqliteWriter(db);
  }

  async write(batch: QueuedAppend[][], created: number): Promise<WriteOutcome[]> {
    try {
      return this.writer.writeBatch(batch, created);
    } catch (error) {
      throw writeFailed(messageOf(error), error);
    }
  }

  async close(): Promise<void> {}
}

export class WorkerWriteChannel implements WriteChannel {
  private worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (reply: WriterReply) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private closing = false;
  /** Why writes are refused at once: the writer thread died and was not started again. */
  private stopped: Error | undefined;

  constructor(
    private readonly workerFile: string,
    private readonly path: string,
    private readonly synchronous: SqliteSynchronous,
  ) {
    this.worker = this.startWriter();
  }

  /**
   * A writer thread. One that dies (out of memory, a fault in native code) fails the writes it
   * held, whose clients retry them with their Idempotency-Key, and is replaced, so that the next
   * writes do not wait forever on a thread that is gone. One that dies before it answered anything
   * (its file cannot be opened, or each try kills it) is not replaced: writes are refused with its
   * failure.
   */
  private startWriter(): Worker {
    let answered = false;
    const worker = new Worker(this.workerFile, {
      workerData: { path: this.path, synchronous: this.synchronous },
    });
    let failure: Error | undefined;
    worker.on('message', (reply: WriterReply) => {
      answered = true;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiting?.resolve(reply);
    });
    worker.on('error', (error) => {
      failure = writeFailed(error.message, error);
      this.failAll(failure);
    });
    worker.on('exit', (code) => {
      const died = failure ?? writeFailed(`the writer exited (${code})`);
      this.failAll(died);
      if (this.closing || worker !== this.worker) return;
      if (answered) this.worker = this.startWriter();
      else this.stopped = died;
    });
    return worker;
  }

  write(batch: QueuedAppend[][], created: number): Promise<WriteOutcome[]> {
    return this.ask<WriteOutcome[]>(
      (id) => {
        const packed = packBatch(batch);
        const transfer = [packed.lengths.buffer, packed.shape.buffer] as ArrayBuffer[];
        this.worker.postMessage({ id, packed, created }, transfer);
      },
      (reply) => reply.outcomes ?? writeFailed(reply.failure ?? 'unknown', failureOf(reply)),
    );
  }

  /**
   * The write connection's own settings. Durability (synchronous) is set per connection, and the
   * one that commits lives in the writer thread: this is the only way to see what it runs with.
   */
  settings(): Promise<WriterSettings> {
    return this.ask<WriterSettings>(
      (id) => this.worker.postMessage({ id, settings: true } satisfies WriterRequest),
      (reply) => reply.settings ?? new Error('The writer sent no settings'),
    );
  }

  /** Posts a request under a new id; `answer` turns its reply into the result, or an error. */
  private ask<T>(
    post: (id: number) => void,
    answer: (reply: WriterReply) => T | Error,
  ): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          const result = answer(reply);
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
        reject,
      });
      post(id);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.stopped) return;
    const exited = once(this.worker, 'exit');
    this.worker.postMessage({ close: true });
    await exited;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
