import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqlite-event-store';
import { ALL_PROJECTIONS } from '../all-projections';
import { ProjectionEngine } from '../engine/projection-engine';
import { InlineWriteSink } from '../engine/write-sink';
import { ReadModelDb } from '../read-model-db';
import type {
  FromProjectionThread,
  ProjectionThreadData,
  ToProjectionThread,
} from './thread-messages';

/**
 * The projection thread: an engine with its own connections to events.db (it only reads) and to
 * read-models.db. The service's thread tells it when appends commit; it answers with its state.
 */
const { eventsPath, readModelsPath, retryDelayMs } = workerData as ProjectionThreadData;
const port = parentPort!;

// Background work: on Linux this lowers this thread only (nice values are per thread there), so
// that under load the request thread and the event writer come first.
try {
  setPriority(10);
} catch {
  // not permitted here: run at normal priority
}
const post = (message: FromProjectionThread) => port.postMessage(message);
const LIVE_COMMIT_EVERY_MS = 250;

const store = SqliteEventStore.open({ path: eventsPath, writer: 'inline' });
// Live commits are frequent and small: a small page cache keeps each one cheap.
const readModels = ReadModelDb.open({ path: readModelsPath, cacheKiB: 16_384 });
let stateQueued = false;
const engine: ProjectionEngine = new ProjectionEngine(store, readModels, ALL_PROJECTIONS, {
  // Rows are written here, not by yet another thread: live commits are small, and on a busy
  // machine one more thread to wake costs the request path more than it saves (docs/api.md).
  sink: new InlineWriteSink(readModels.db),
  // Live rows commit at most every 250 ms, or at once when a read waits (the service asks then):
  // fewer, larger commits write each hot page once (docs/read-models.md).
  liveCommitEveryMs: LIVE_COMMIT_EVERY_MS,
  retryDelayMs,
  log: {
    error: (message) => post({ kind: 'log', level: 'error', message }),
    warn: (message) => post({ kind: 'log', level: 'warn', message }),
  },
  // Several changes in one turn (a commit, then a stop) make one message.
  onChange: () => {
    if (stateQueued) return;
    stateQueued = true;
    queueMicrotask(() => {
      stateQueued = false;
      post({
        kind: 'state',
        ready: engine.ready,
        statuses: engine.status(),
        engineError: engine.engineError,
      });
    });
  },
});

port.on('message', (message: ToProjectionThread) => {
  if (message.kind === 'appended') store.appendedElsewhere();
  else if (message.kind === 'hurry') engine.hurry(message.position, message.names);
  else void stop();
});

/** Commits what is folded and closes both connections; the thread then exits, which is the answer. */
async function stop(): Promise<void> {
  try {
    await engine.stop();
    readModels.close();
    await store.close();
  } finally {
    port.close();
  }
}

engine.start();
