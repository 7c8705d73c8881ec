import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DATA_DIR_LOCK } from '../config/data-dir-lock';
import type { ReadModelsLock } from '../projections/read-models-lock';
import { EVENT_STORE, EventStore } from './event-store.port';
import { eventsPathIn } from '../config/data-dir-files';
import { openOrRefuseStart, StartRefused } from '../config/start-refused';
import { eventLogGaps } from '../infrastructure/sqlite/event-log-gaps';

/** Where events live, for health and logs. */
export interface EventStoreInfo {
  kind: 'sqlite' | 'eventstoredb';
  location: string;
}
export const EVENT_STORE_INFO = Symbol('EVENT_STORE_INFO');

async function openEventStore(config: AppConfig, lock: ReadModelsLock): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    const { EventStoreDbEventStore } =
      await import('../infrastructure/eventstoredb/eventstoredb-event-store');
    return EventStoreDbEventStore.connect(config.eventStoreConnectionString);
  }
  const { SqliteEventStore } = await import('../infrastructure/sqlite/sqlite-event-store');
  const path = eventsPathIn(config.dataDir);
  try {
    const store = openOrRefuseStart(path, () =>
      SqliteEventStore.open({
        path,
        synchronous: config.sqliteSynchronous,
        // Never into a store that a restore may be replacing, should this process lose its lock.
        writeAllowed: () => lock.surelyHeld(),
      }),
    );
    // An event deleted from the file: decisions and read models would go on past the loss (a
    // debit without its credit). 0.13-0.28 s per 1,000,000 events (more streams, more time).
    const gaps = eventLogGaps(path);
    if (gaps.length === 0) return store;
    await store.close();
    throw new StartRefused(
      `Events are missing from ${path} (${gaps.join('; ')}): restore the events from a backup (docs/operations.md)`,
    );
  } catch (error) {
    lock.release(); // a refused start makes no app to give it up at its close
    throw error;
  }
}

function describeStore(config: AppConfig): EventStoreInfo {
  if (config.eventStoreConnectionString) {
    const url = config.eventStoreConnectionString.replace(/\/\/[^@/]*@/, '//***@');
    return { kind: 'eventstoredb', location: url };
  }
  return { kind: 'sqlite', location: eventsPathIn(config.dataDir) };
}

@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      // DATA_DIR's lock first: a start that it refuses opens no store.
      inject: [APP_CONFIG, DATA_DIR_LOCK],
      useFactory: async (config: AppConfig, lock: ReadModelsLock) => {
        const store = await openEventStore(config, lock);
        const info = describeStore(config);
        // The embedded store's durability setting too: OFF (tests only) must not go unnoticed.
        const synchronous =
          info.kind === 'sqlite' ? ` (synchronous=${config.sqliteSynchronous})` : '';
        new Logger('EventStore').log(
          `Events are stored in ${info.kind} at ${info.location}${synchronous}`,
        );
        return store;
      },
    },
    { provide: EVENT_STORE_INFO, inject: [APP_CONFIG], useFactory: describeStore },
  ],
  exports: [EVENT_STORE, EVENT_STORE_INFO],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
