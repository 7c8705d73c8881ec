import type Database from 'better-sqlite3';

/** Distinct limits kept per query before the cache starts over; callers use a handful. */
const MAX_LIMITS = 128;

/**
 * One query ending in `ORDER BY … LIMIT n`, prepared once per distinct n with n written into the
 * SQL. SQLite plans such a query with the limit's value, so binding `LIMIT ?` expires the
 * statement and every run would pay a full re-prepare.
 */
export class LimitedStatements {
  private readonly byLimit = new Map<number, Database.Statement>();

  /** `sql` has no LIMIT clause; `raw` statements return rows as arrays. */
  constructor(
    private readonly db: Database.Database,
    private readonly sql: string,
    private readonly raw = false,
  ) {}

  /** The statement returning at most `limit` rows; a negative limit means all of them. */
  limit(limit: number): Database.Statement {
    let statement = this.byLimit.get(limit);
    if (statement) return statement;
    if (!Number.isSafeInteger(limit))
      throw new RangeError(`A row limit must be an integer: ${limit}`);
    if (this.byLimit.size >= MAX_LIMITS) this.byLimit.clear();
    statement = this.db.prepare(limit < 0 ? this.sql : `${this.sql} LIMIT ${limit}`);
    if (this.raw) statement.raw();
    this.byLimit.set(limit, statement);
    return statement;
  }
}
