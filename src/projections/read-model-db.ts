import Database from 'better-sqlite3';
import { renameSync } from 'node:fs';
import { makePrivateFile } from '../infrastructure/private-files';
import {
  openDatabase,
  removeSideFiles,
  sqliteDamage,
} from '../infrastructure/sqlite/open-database';
import { migrate, pendingMigrations } from '../infrastructure/sqlite/migrations';
import { BOOKKEEPING_TABLES, READ_MODEL_MIGRATIONS } from './read-model.migrations';
import { keptAcrossReset } from './engine/store-identity';

const MIGRATIONS_TABLE = 'rm_schema_migrations';

export interface ReadModelDbOptions {
  /** File path; ':memory:' in tests that need no file. */
  path: string;
  /**
   * Page cache in KiB (default 128 MiB, for queries). A connection that commits often wants a
   * small one: a commit that split a B-tree page walks every cached page (docs/api.md).
   */
  cacheKiB?: number;
  /** Only to look (`ledger status`): the file must exist, and nothing is migrated or written. */
  readonly?: boolean;
}

/** Where a dropped index's SQL waits for an interrupted rebuild to be finished. */
const DROPPED_INDEXES = 'dropped_indexes';

/**
 * The read models' own SQLite file (DATA_DIR/read-models.db), separate from the events: it is
 * derived data, so it runs with synchronous=NORMAL (a power cut may lose the last commits, which a
 * replay from the checkpoints restores) and it can be dropped and rebuilt at any time.
 */
export class ReadModelDb {
  private constructor(
    readonly db: Database.Database,
    readonly path: string,
    /** True when this open dropped the read models (a new schema version): projections replay. */
    readonly resetAtOpen: boolean,
    /** Where this open moved a corrupt file it found (it then started from an empty one). */
    readonly corruptFileMovedTo?: string,
  ) {}

  static open(options: ReadModelDbOptions): ReadModelDb {
    if (options.readonly) {
      const db = openDatabase(options.path, { readonly: true, fileMustExist: true }, (opened) => {
        opened.pragma('busy_timeout = 5000'); // the first statement: where a file SQLite cannot read fails
        return opened;
      });
      return new ReadModelDb(db, options.path, false);
    }
    if (options.path !== ':memory:') makePrivateFile(options.path);
    try {
      return ReadModelDb.openWritable(options);
    } catch (error) {
      // Derived data: a corrupt file is set aside, and the read models replay into a new one.
      if (sqliteDamage(error) === undefined) throw error;
      const movedTo = `${options.path}.corrupt-${Date.now()}`;
      renameSync(options.path, movedTo);
      removeSideFiles(options.path);
      makePrivateFile(options.path);
      const fresh = ReadModelDb.openWritable(options);
      return new ReadModelDb(fresh.db, fresh.path, true, movedTo);
    }
  }

  private static openWritable(options: ReadModelDbOptions): ReadModelDb {
    return openDatabase(options.path, {}, (db) => ReadModelDb.prepare(db, options));
  }

  private static prepare(db: Database.Database, options: ReadModelDbOptions): ReadModelDb {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = ${-(options.cacheKiB ?? 131_072)}`);
    db.pragma('temp_store = MEMORY');
    const tables = userTables(db);
    const reset = olderSchema(db, tables);
    const readModels = new ReadModelDb(db, options.path, reset);
    // rm_meta and rm_checkpoints are the first migration's: a file that lacks them has nothing to keep.
    const readable = tables.includes('rm_meta') && tables.includes('rm_checkpoints');
    const kept = reset && readable ? keptAcrossReset(readModels) : [];
    if (reset) dropAll(db);
    migrate(db, READ_MODEL_MIGRATIONS, MIGRATIONS_TABLE);
    for (const [key, value] of kept) readModels.setMeta(key, value);
    return readModels;
  }

  /**
   * Whether the file holds read models of an older schema than this release's: a writable open (a
   * start) drops them and the projections replay. Only a read-only open can still see that.
   */
  schemaBehind(): boolean {
    return olderSchema(this.db, userTables(this.db));
  }

  /** Drops every read model and its checkpoints, and recreates the empty schema, atomically. */
  dropAndRecreate(): void {
    this.db.transaction(() => {
      dropAll(this.db);
      migrate(this.db, READ_MODEL_MIGRATIONS, MIGRATIONS_TABLE);
    })();
  }

  /** The read-model tables (not the bookkeeping ones), by name. */
  readModelTables(): string[] {
    return userTables(this.db).filter(
      (t) => t !== MIGRATIONS_TABLE && !BOOKKEEPING_TABLES.includes(t),
    );
  }

  /**
   * Drops the read-only indexes (`_by_` in their name) and returns the SQL that recreates them
   * (IF NOT EXISTS: running it again after a partial run finishes the job).
   */
  dropReadIndexes(): string[] {
    const indexes = this.db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name LIKE 'rm\\_%\\_by\\_%' ESCAPE '\\'",
      )
      .all() as Array<{ name: string; sql: string }>;
    const sql = indexes.map((i) => i.sql.replace(/^CREATE (UNIQUE )?INDEX /, '$&IF NOT EXISTS '));
    // Kept in the file until built: the rebuild's last step reads them back (restoreDroppedIndexes).
    // `ledger rebuild` drops them in a file of its own, discarded if it stops; a start of the
    // service builds those that an interrupted in-place rebuild of an earlier version left.
    this.db.transaction(() => {
      this.setMeta(DROPPED_INDEXES, JSON.stringify(sql));
      for (const index of indexes) this.db.exec(`DROP INDEX ${index.name}`);
    })();
    return sql;
  }

  /** Builds the indexes an interrupted rebuild dropped, if any; true when there were some. */
  restoreDroppedIndexes(): boolean {
    const pending = this.meta(DROPPED_INDEXES);
    if (pending === undefined) return false;
    // IMMEDIATE: the write lock first (waited for), so that a commit of another connection to the
    // file (a rebuild's writer thread) cannot make this transaction's read snapshot stale.
    this.db
      .transaction(() => {
        for (const statement of JSON.parse(pending) as string[]) this.db.exec(statement);
        this.deleteMeta(DROPPED_INDEXES);
      })
      .immediate();
    return true;
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM rm_meta WHERE key = ?').pluck().get(key);
    return row as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO rm_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  deleteMeta(key: string): void {
    this.db.prepare('DELETE FROM rm_meta WHERE key = ?').run(key);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Tables made by a schema older than this release's: migrations are pending on a file that has some. */
function olderSchema(db: Database.Database, tables: readonly string[]): boolean {
  return (
    tables.length > 0 && pendingMigrations(db, READ_MODEL_MIGRATIONS, MIGRATIONS_TABLE).length > 0
  );
}

function userTables(db: Database.Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

function dropAll(db: Database.Database): void {
  for (const table of userTables(db)) db.exec(`DROP TABLE IF EXISTS "${table}"`);
}
