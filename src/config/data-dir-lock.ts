import { Logger, Provider } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { messageOf } from '../shared/application/error-message';
import {
  isHolder,
  LockHolder,
  lockReadModels,
  ReadModelsLock,
  staleLockHint,
} from '../projections/read-models-lock';
import { APP_CONFIG, AppConfig } from './app-config';
import { eventsPathIn } from './data-dir-files';
import { StartRefused } from './start-refused';

/** This process's lock on DATA_DIR (read-models-lock.ts): taken before any store is opened. */
export const DATA_DIR_LOCK = Symbol('DATA_DIR_LOCK');

/**
 * Takes the lock for the service, or refuses the start. It comes first: a start refused because a
 * restore replaces events.db must not have opened it (its -wal would meet the restored file).
 */
export const dataDirLockProvider: Provider = {
  provide: DATA_DIR_LOCK,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): ReadModelsLock => {
    const lock = takeLock(config.dataDir, () => {
      // Paused past FOREIGN_STALE_MS, this process lost the lock to another (a rebuild, a restore):
      // it must not write files that one may be replacing. Whatever it acknowledged is stored.
      new Logger('DataDir').error(
        `Another process took the lock on ${config.dataDir} while this one was not running: stopping`,
      );
      process.exit(1);
    });
    if (isHolder(lock))
      throw new StartRefused(
        lock.role === 'rebuild'
          ? `A rebuild (pid ${lock.pid}) is writing the read models in ${config.dataDir}: start the service when it has finished`
          : lock.role === 'restore'
            ? `A restore (pid ${lock.pid}) is replacing the events in ${config.dataDir}: start the service when it has finished`
            : `Another service (pid ${lock.pid}) runs on ${config.dataDir}: two services cannot share a DATA_DIR (give each its own, or point them at one EventStoreDB). ${staleLockHint(config.dataDir)}`,
      );
    const orphan = config.eventStoreConnectionString ? undefined : orphanEventsLog(config.dataDir);
    if (orphan) {
      lock.release();
      throw new StartRefused(orphan);
    }
    return lock;
  },
};

/** The lock, or a start refused in one line where DATA_DIR cannot hold it (not Nest's stack). */
function takeLock(dataDir: string, onLost: () => void): ReadModelsLock | LockHolder {
  try {
    return lockReadModels(dataDir, 'service', onLost);
  } catch (error) {
    throw new StartRefused(messageOf(error));
  }
}

/**
 * An events.db-wal without its events.db (moved or deleted): opening a new, empty events.db beside
 * it, SQLite would take the log for the new file's and fold it away, losing the events it holds.
 */
function orphanEventsLog(dataDir: string): string | undefined {
  const path = eventsPathIn(dataDir);
  if (existsSync(path) || !existsSync(`${path}-wal`)) return undefined;
  return `${path}-wal is there without ${path}: it may hold committed events of an events.db that was moved or deleted. Put that events.db back (the two are read together), or move the -wal aside to start an empty store (docs/operations.md)`;
}
