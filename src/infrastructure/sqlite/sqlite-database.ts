import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_STORE_MIGRATIONS, migrate } from './migrations';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

/** Opens the events database: WAL, the requested durability, the schema migrated. */
export function openEventsDatabase(
  path: string,
  synchronous: SqliteSynchronous,
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  migrate(db, EVENT_STORE_MIGRATIONS);
  return db;
}
