import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { buildIndexes } from './index-build';
import { CheckpointsMovedError, WriteSet, WriteSetExecutor } from './write-set';
import { codeOf, messageOf } from '../../shared/application/error-message';

/** The writer thread: executes the engine's write sets on its own connection to read-models.db. */
export type WorkerRequest =
  | { id: number; set: WriteSet }
  | { id: number; synchronous: 'NORMAL' | 'OFF' }
  | { id: number; indexes: string[] };
export type WorkerReply =
  | { id: number; ok: true }
  | { id: number; ok: false; message: string; code: string | undefined; moved: boolean };

const { path } = workerData as { path: string };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -131072');
const executor = new WriteSetExecutor(db);

/** A rebuild: no fsync (it is run again if it crashes), and a larger page cache. */
function bulk(on: boolean): void {
  db.pragma(`synchronous = ${on ? 'OFF' : 'NORMAL'}`);
  db.pragma(`cache_size = ${on ? -524288 : -131072}`);
}

parentPort?.on('message', (request: WorkerRequest | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  let reply: WorkerReply;
  try {
    if ('set' in request) executor.execute(request.set);
    else if ('indexes' in request) buildIndexes(db, request.indexes);
    else bulk(request.synchronous === 'OFF');
    reply = { id: request.id, ok: true };
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      message: messageOf(error),
      code: codeOf(error), // SQLite's: SQLITE_FULL is no bug
      moved: error instanceof CheckpointsMovedError,
    };
  }
  parentPort?.postMessage(reply);
});
