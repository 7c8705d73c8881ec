import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append-only list: a released migration is never edited, only followed by a new one. */
export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events',
    sql: `
      CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        stream   TEXT    NOT NULL,
        revision INTEGER NOT NULL,
        id       TEXT    NOT NULL,
        type     TEXT    NOT NULL,
        data     TEXT    NOT NULL,
        metadata TEXT    NOT NULL,
        created  INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX events_by_stream ON events (stream, revision);
    `,
  },
];

/** Whether the database has a table of that name. */
export function hasTable(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  );
}

/** The migrations a database has not seen yet, in order (all of them when it has none). */
export function pendingMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  table = 'schema_migrations',
): Migration[] {
  const applied = new Set(
    hasTable(db, table)
      ? (db.prepare(`SELECT version FROM ${table}`).pluck().all() as number[])
      : [],
  );
  return [...migrations]
    .filter((m) => !applied.has(m.version))
    .sort((a, b) => a.version - b.version);
}

/** Applies the migrations a database has not seen yet, each in its own transaction. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  table = 'schema_migrations',
): number {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const record = db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`);
  const pending = pendingMigrations(db, migrations, table);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
  return pending.length;
}
