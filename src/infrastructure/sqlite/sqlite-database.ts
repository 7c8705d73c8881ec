import Database from 'better-sqlite3';
import { makePrivateFile } from '../private-files';
import { openDatabase, openNamingTheFile, SERVICE_FILE_HINT } from './open-database';
import { EVENT_STORE_MIGRATIONS, hasTable, migrate, pendingMigrations } from './migrations';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

/** Opens the events database: WAL, the requested durability, the schema migrated. */
export function openEventsDatabase(
  path: string,
  synchronous: SqliteSynchronous,
): Database.Database {
  if (path !== ':memory:') makePrivateFile(path);
  const db = openNamingTheFile(path, SERVICE_FILE_HINT, () =>
    openDatabase(path, {}, (opened) => {
      opened.pragma('journal_mode = WAL'); // the first statement: a file that is no database fails here
      return opened;
    }),
  );
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  // 16 MiB holds the indexes' inner pages. A larger cache costs the writer more than it saves:
  // a commit that split a B-tree page walks every cached page (SQLite's pcache1Truncate, after
  // balance_nonroot renumbers a page through the lock-byte page), 17% of its CPU at 64 MiB.
  db.pragma('cache_size = -16384');
  migrate(db, EVENT_STORE_MIGRATIONS);
  return db;
}

/**
 * Opens the events database only to read it (the ledger CLI): the file must exist with the
 * current schema, and nothing is written to it, not even a migration.
 */
export function openEventsDatabaseReadOnly(path: string): Database.Database {
  return openDatabase(path, { readonly: true, fileMustExist: true }, (db) => {
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -16384');
    // An emptied file (truncated by hand or by a failing disk) is no store of an older schema.
    if (!hasTable(db, 'events'))
      throw new Error(
        `The event store at ${path} holds no events table: it was emptied, or is not an event store. Restore the events from a backup (docs/operations.md)`,
      );
    if (pendingMigrations(db, EVENT_STORE_MIGRATIONS).length > 0) {
      throw new Error(
        `The event store at ${path} has an older schema: start the service once to migrate it`,
      );
    }
    return db;
  });
}
