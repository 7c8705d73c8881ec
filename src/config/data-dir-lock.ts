import type { Provider } from '@nestjs/common';
import {
  isHolder,
  lockReadModels,
  ReadModelsLock,
  staleLockHint,
} from '../projections/read-models-lock';
import { APP_CONFIG, AppConfig } from './app-config';
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
    const lock = lockReadModels(config.dataDir, 'service');
    if (isHolder(lock))
      throw new StartRefused(
        lock.role === 'rebuild'
          ? `A rebuild (pid ${lock.pid}) is writing the read models in ${config.dataDir}: start the service when it has finished`
          : lock.role === 'restore'
            ? `A restore (pid ${lock.pid}) is replacing the events in ${config.dataDir}: start the service when it has finished`
            : `Another service (pid ${lock.pid}) runs on ${config.dataDir}: two services cannot share a DATA_DIR (give each its own, or point them at one EventStoreDB). ${staleLockHint(config.dataDir)}`,
      );
    return lock;
  },
};
