import { parentPort, workerData } from 'node:worker_threads';
import { openEventsDatabase, SqliteSynchronous } from './sqlite-database';
import { QueuedAppend, SqliteWriter } from './sqlite-writer';

/** The writer thread: owns the only write connection, so commits (and their fsync) never block HTTP. */
const { path, synchronous } = workerData as { path: string; synchronous: SqliteSynchronous };
const db = openEventsDatabase(path, synchronous);
const writer = new SqliteWriter(db);

export type WriterRequest =
  { id: number; batch: QueuedAppend[][]; created: number } | { close: true };
export type WriterReply = {
  id: number;
  outcomes?: ReturnType<SqliteWriter['writeBatch']>;
  failure?: string;
};

type WriteRequest = Extract<WriterRequest, { id: number }>;
let waiting: WriteRequest[] = [];

/** Batches that arrived while the last commit ran share the next transaction and its fsync. */
function commitWaiting(): void {
  const requests = waiting;
  waiting = [];
  try {
    const outcomes = writer.writeBatch(
      requests.flatMap((r) => r.batch),
      requests[requests.length - 1].created,
    );
    let offset = 0;
    for (const request of requests) {
      const mine = outcomes.slice(offset, offset + request.batch.length);
      offset += request.batch.length;
      parentPort!.postMessage({ id: request.id, outcomes: mine });
    }
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    for (const request of requests) parentPort!.postMessage({ id: request.id, failure });
  }
}

parentPort!.on('message', (message: WriterRequest) => {
  if ('close' in message) {
    if (waiting.length > 0) commitWaiting();
    db.close();
    parentPort!.close();
    return;
  }
  if (waiting.length === 0) setImmediate(commitWaiting);
  waiting.push(message);
});
