import type Database from 'better-sqlite3';
import { Checkpoints } from './checkpoints';

/** One projection's checkpoint in a write set. */
export interface CheckpointWrite {
  name: string;
  /** What the stored checkpoint must still be (null: do not check), else someone else wrote. */
  expected: number | null;
  position: number;
  error: { position: number; message: string } | null;
}

/**
 * The rows of one statement: `width` parameters each, flat in `values` (one array of primitives
 * is far cheaper to post to the writer thread than an array per row). With `sortKey` > 0 the
 * writer sorts the rows by their first `sortKey` parameters first: upserts into a keyed table in
 * key order touch each B-tree page once.
 */
export interface StatementRows {
  sql: string;
  width: number;
  sortKey: number;
  values: unknown[];
}

/** Everything one commit writes, and the checkpoints. Plain data: executed here or posted. */
export interface WriteSet {
  statements: StatementRows[];
  checkpoints: CheckpointWrite[];
}

/** What projections write into while a commit is being put together. */
export class WriteSetBuilder {
  private readonly bySql = new Map<string, StatementRows>();

  /** The flat array to push one row's `width` values onto. */
  values(sql: string, width: number, sortKey = 0): unknown[] {
    let rows = this.bySql.get(sql);
    if (!rows) this.bySql.set(sql, (rows = { sql, width, sortKey, values: [] }));
    return rows.values;
  }

  /** Rows already flat in one array: taken as they are (the array is the builder's from now on). */
  take(sql: string, width: number, sortKey: number, values: unknown[]): void {
    const rows = this.bySql.get(sql);
    if (!rows) this.bySql.set(sql, { sql, width, sortKey, values });
    else for (const value of values) rows.values.push(value);
  }

  build(checkpoints: CheckpointWrite[]): WriteSet {
    return { statements: [...this.bySql.values()].filter((s) => s.values.length > 0), checkpoints };
  }
}

/** Where each row starts in `values`, in key order (rows of one key keep their order); null: as they are. */
function keyOrder({ width, sortKey, values }: StatementRows): number[] | null {
  if (sortKey === 0) return null;
  const starts: number[] = [];
  for (let i = 0; i < values.length; i += width) starts.push(i);
  return starts.sort((a, b) => compareKeys(values, a, b, sortKey));
}

/** Rows per statement call: one call that inserts 64 rows costs about what one that inserts 1 does. */
const ROWS_PER_CALL = [64, 8, 1];
const PLACEHOLDERS = /VALUES\s*(\((?:\s*\?\s*,)*\s*\?\s*\))/;

/** `INSERT ... VALUES (?, ...)` for `count` rows at once; null for other statements. */
function multiRowSql(sql: string, count: number): string | null {
  const match = PLACEHOLDERS.exec(sql);
  if (!match || !/^\s*INSERT\b/i.test(sql)) return null;
  const group = match[1];
  return sql.replace(group, Array.from({ length: count }, () => group).join(', '));
}

function compareKeys(values: unknown[], a: number, b: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const x = values[a + i] as string | number;
    const y = values[b + i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The stored checkpoints are not the ones this engine wrote: another process wrote the tables. */
export class CheckpointsMovedError extends Error {
  override readonly name = 'CheckpointsMovedError';
}

/** Executes write sets on one connection, in one IMMEDIATE transaction each. */
export class WriteSetExecutor {
  private readonly statements = new Map<string, Database.Statement | undefined>();
  private readonly checkpoints: Checkpoints;

  constructor(private readonly db: Database.Database) {
    this.checkpoints = new Checkpoints(db);
  }

  execute(set: WriteSet): void {
    this.db
      .transaction(() => {
        const stored = this.checkpoints.load();
        for (const c of set.checkpoints) {
          if (c.expected !== null && (stored.get(c.name)?.position ?? -1) !== c.expected) {
            throw new CheckpointsMovedError(
              `The checkpoint of ${c.name} was changed by another process`,
            );
          }
        }
        for (const rows of set.statements) this.run(rows);
        for (const c of set.checkpoints) this.checkpoints.save(c.name, c.position, c.error);
      })
      .immediate();
  }

  /**
   * Inserts go in as many rows per call as fit (SQLite applies them one after the other, so an
   * upsert of a key already in the same call sees the row before it); other statements row by row.
   */
  private run(rows: StatementRows): void {
    const { sql, width, values } = rows;
    const order = keyOrder(rows);
    const count = values.length / width;
    let done = 0;
    for (const size of ROWS_PER_CALL) {
      if (count - done < size) continue;
      const statement = this.prepared(sql, size);
      if (!statement) continue;
      for (; done + size <= count; done += size) {
        if (!order) {
          statement.run(values.slice(done * width, (done + size) * width));
          continue;
        }
        const params = new Array<unknown>(size * width);
        for (let r = 0; r < size; r++) {
          const start = order[done + r];
          for (let c = 0; c < width; c++) params[r * width + c] = values[start + c];
        }
        statement.run(params);
      }
    }
  }

  /** The statement for `size` rows per call (undefined: this statement takes one row at a time). */
  private prepared(sql: string, size: number): Database.Statement | undefined {
    const key = `${size}|${sql}`;
    if (this.statements.has(key)) return this.statements.get(key);
    const text = size === 1 ? sql : multiRowSql(sql, size);
    const statement = text === null ? undefined : this.db.prepare(text);
    this.statements.set(key, statement);
    return statement;
  }
}
