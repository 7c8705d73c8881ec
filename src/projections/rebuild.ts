import type { EventStore } from '../event-store/event-store.port';
import { ALL_PROJECTIONS } from './all-projections';
import type { ProjectionFactory } from './engine/projection';
import { ProjectionEngine, ProjectionStatus } from './engine/projection-engine';
import { furthestCheckpoint, recordFirstEvent, storeEnds } from './engine/store-identity';
import { openWriteSink } from './engine/write-sink';
import { ProjectionStoppedError } from './engine/waiters';
import type { ReadModelDb } from './read-model-db';

export interface RebuildProgress {
  /** Events read from $all so far. */
  events: number;
  /** Position reached, and the range being replayed: [first, head]. */
  position: number;
  first: number;
  head: number;
  elapsedSeconds: number;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  head: number;
  projections: ProjectionStatus[];
}

export interface RebuildOptions {
  onProgress?: (progress: RebuildProgress) => void;
  projections?: readonly ProjectionFactory[];
  /** Changed rows a projection holds before it commits (default 100,000; see EngineOptions). */
  maxPendingRows?: number;
  /** 'auto' (default): rows are written by a writer thread when running compiled code. */
  writer?: 'auto' | 'inline' | 'worker';
  /** Drop the read-only indexes and build them at the end (default false). */
  deferIndexes?: boolean;
  /**
   * Keep the read models and go on from their checkpoints to the head (default false: drop them
   * and replay from the first event). `ledger verify` catches its scratch replay up this way.
   */
  resume?: boolean;
  /**
   * The last position each named projection replays (-1: none; the others: the highest), where it
   * is below the head: `ledger verify` replays up to where a running service's read models stand
   * (EngineOptions.upTo).
   */
  upTo?: ReadonlyMap<string, number>;
}

/**
 * Drops every read model and replays $all from its first event up to the head it finds at the
 * start. For speed the read-only indexes are dropped and built once at the end, rows are written
 * by a writer thread in commits of many events, and commits skip fsync (synchronous=OFF): a
 * rebuild that crashes is simply run again.
 */
export async function rebuildReadModels(
  store: EventStore,
  readModels: ReadModelDb,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  // The store is asked first: one that cannot be reached leaves the read models as they are,
  // with the origin and checkpoints that the start-up checks compare the store with.
  const { first: firstEvent, head: storeHead } = await storeEnds(store);
  // Never past the head found now: the events written meanwhile are for the next run (`ledger
  // verify` catches up with a running service in a run of its own). Read on, they were folded and
  // committed while the indexes were restored, whose transaction then failed (SQLITE_BUSY).
  const upTo =
    options.upTo &&
    new Map([...options.upTo].map(([name, position]) => [name, Math.min(position, storeHead)]));
  const head = upTo ? Math.max(-1, ...upTo.values()) : storeHead;
  const target = (name: string) => upTo?.get(name) ?? head;
  let first = firstEvent ? Number(firstEvent.position) : -1;
  if (options.resume) {
    first = Math.max(first, furthestCheckpoint(readModels));
  } else {
    readModels.dropAndRecreate();
    if (firstEvent) recordFirstEvent(readModels, firstEvent.id);
  }
  const indexes = options.deferIndexes ? readModels.dropReadIndexes() : [];
  const sink = openWriteSink(readModels.db, readModels.path, options.writer);
  await sink.setSynchronous('OFF');
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  // The engine retries a failed read or commit, as a service must; a rebuild stops and says why.
  let engineFailed: (error: Error) => void = () => undefined;
  const engineFailure = new Promise<never>((_, reject) => (engineFailed = reject));
  const engine: ProjectionEngine = new ProjectionEngine(
    store,
    readModels,
    options.projections ?? ALL_PROJECTIONS,
    {
      maxPendingRows: options.maxPendingRows ?? 100_000,
      sink,
      retryDelayMs: Infinity,
      upTo,
      readUpTo: head,
      onProgress: ({ position, events }) =>
        options.onProgress?.({ events, position, first, head, elapsedSeconds: elapsed() }),
      onChange: () => {
        const { engineError: message, engineErrorCode: code } = engine;
        if (message !== null) engineFailed(Object.assign(new Error(message), { code }));
      },
    },
  );
  // A projection that stops leaves the others to go on to the head.
  const runningToHead = async () => {
    for (;;) {
      const running = engine.status().filter((p) => p.status === 'running');
      if (running.length === 0) return;
      try {
        await Promise.all(running.map((p) => engine.waitFor([p.name], target(p.name))));
        return;
      } catch (error) {
        if (!(error instanceof ProjectionStoppedError)) throw error;
      }
    }
  };
  let failure: unknown;
  try {
    engine.start();
    await Promise.race([runningToHead(), engineFailure]);
  } catch (error) {
    failure = error;
  } finally {
    // Built by the writer, whose connection sorts through temporary files (index-build.ts). Should
    // that fail, restoreDroppedIndexes builds them here; either way it then forgets them.
    await sink.buildIndexes(indexes).catch(() => undefined);
    readModels.restoreDroppedIndexes();
    await sink.setSynchronous('NORMAL').catch(() => undefined);
    await engine.stop(); // closes the sink
  }
  const result = {
    events: engine.eventsCommitted,
    seconds: elapsed(),
    head,
    projections: engine.status(),
  };
  if (failure) throw failure;
  return result;
}
