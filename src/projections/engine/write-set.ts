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

  build(checkpoints: CheckpointWrite[]): WriteSet {
    return { statements: [...this.bySql.values()].filter((s) => s.values.length > 0), checkpoints };
  }
}

function rowsOf({ width, sortKey, values }: StatementRows): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < values.length; i += width) rows.push(values.slice(i, i + width));
  if (sortKey > 0) rows.sort((a, b) => compareKeys(a, b, sortKey));
  return rows;
}

function compareKeys(a: unknown[], b: unknown[], n: number): number {
  for (let i = 0; i < n; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
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
  private readonly statements = new Map<string, Database.Statement>();
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
        for (const rows of set.statements) {
          const statement = this.prepared(rows.sql);
          for (const params of rowsOf(rows)) statement.run(params);
        }
        for (const c of set.checkpoints) this.checkpoints.save(c.name, c.position, c.error);
      })
      .immediate();
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}
