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

/** Applies the migrations a database has not seen yet, each in its own transaction. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  table = 'schema_migrations',
): number {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const applied = new Set(db.prepare(`SELECT version FROM ${table}`).pluck().all() as number[]);
  const record = db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`);
  let count = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    count++;
  }
  return count;
}
