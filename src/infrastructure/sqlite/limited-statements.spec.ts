import Database from 'better-sqlite3';
import { LimitedStatements } from './limited-statements';

describe('LimitedStatements', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
  for (let n = 1; n <= 10; n++) insert.run(n);
  const newestFirst = new LimitedStatements(db, 'SELECT n FROM t WHERE n <= ? ORDER BY n DESC');
  afterAll(() => db.close());

  it('returns at most the limit, in the query order, with the other parameters still bound', () => {
    expect(newestFirst.limit(3).all(8)).toEqual([{ n: 8 }, { n: 7 }, { n: 6 }]);
    expect(newestFirst.limit(3).all(2)).toEqual([{ n: 2 }, { n: 1 }]);
    expect(newestFirst.limit(0).all(8)).toEqual([]);
  });

  it('returns every row for a negative limit', () => {
    expect(newestFirst.limit(-1).all(10)).toHaveLength(10);
  });

  it('prepares once per limit', () => {
    expect(newestFirst.limit(4)).toBe(newestFirst.limit(4));
    expect(newestFirst.limit(4)).not.toBe(newestFirst.limit(5));
  });

  it('keeps working past its cache bound', () => {
    for (let limit = 1; limit <= 300; limit++) {
      expect(newestFirst.limit(limit).all(10)).toHaveLength(Math.min(limit, 10));
    }
  });

  it('returns raw rows when asked', () => {
    const raw = new LimitedStatements(db, 'SELECT n FROM t ORDER BY n', true);
    expect(raw.limit(2).all()).toEqual([[1], [2]]);
  });

  it('refuses a limit that is not an integer, so nothing but digits reaches the SQL', () => {
    expect(() => newestFirst.limit(1.5)).toThrow(RangeError);
    expect(() => newestFirst.limit(Number.NaN)).toThrow(RangeError);
  });
});
