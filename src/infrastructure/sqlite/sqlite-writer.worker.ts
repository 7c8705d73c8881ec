import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { openEventsDatabase, SqliteSynchronous } from './sqlite-database';
import { PackedBatch, unpackBatch } from './sqlite-batch-codec';
import { SqliteWriter } from './sqlite-writer';
import { codeOf, messageOf } from '../../shared/application/error-message';

/** The writer thread: owns the only write connection, so commits (and their fsync) never block HTTP. */
const { path, synchronous } = workerData as { path: string; synchronous: SqliteSynchronous };
const db = openEventsDatabase(path, synchronous);
const writer = new SqliteWriter(db);

/** What the write connection runs with: pragmas are per connection, so only this thread can tell. */
export interface WriterSettings {
  /** PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL. */
  synchronous: number;
}

export type WriterRequest =
  | { id: number; packed: PackedBatch; created: number }
  | { id: number; settings: true }
  | { close: true };
export type WriterReply = {
  id: number;
  outcomes?: ReturnType<SqliteWriter['writeBatch']>;
  failure?: string;
  /** SQLite's code for the failure (SQLITE_FULL, …), which an Error loses crossing threads. */
  code?: string;
  settings?: WriterSettings;
};

type WriteRequest = Extract<WriterRequest, { packed: PackedBatch }>;
const port = parentPort!;

function answerSettings(id: number): void {
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  port.postMessage({ id, settings: { synchronous } });
}

/** Batches that arrived while the last commit ran share this transaction and its fsync. */
function commit(requests: WriteRequest[]): void {
  try {
    const batches = requests.map((r) => unpackBatch(r.packed));
    const outcomes = writer.writeBatch(batches.flat(), requests[requests.length - 1].created);
    let offset = 0;
    requests.forEach((request, i) => {
      const mine = outcomes.slice(offset, (offset += batches[i].length));
      port.postMessage({ id: request.id, outcomes: mine });
    });
  } catch (error) {
    const failure = messageOf(error);
    const code = codeOf(error);
    const reply = code === undefined ? { failure } : { failure, code };
    for (const request of requests) port.postMessage({ id: request.id, ...reply });
  }
}

function close(): void {
  db.close();
  port.close();
}

port.on('message', (first: WriterRequest) => {
  if ('close' in first) return close();
  if ('settings' in first) return answerSettings(first.id);
  const requests = [first];
  let closing = false;
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    const message = next.message as WriterRequest;
    if ('close' in message) closing = true;
    else if ('settings' in message) answerSettings(message.id);
    else requests.push(message);
  }
  commit(requests);
  if (closing) close();
});
