import Database from 'better-sqlite3';
import { Appends } from './appends';
import { WriteSetBuilder, WriteSetExecutor } from './write-set';

const UPSERT = `INSERT INTO totals (tenant, id, amount) VALUES (?, ?, ?)
  ON CONFLICT (tenant, id) DO UPDATE SET amount = excluded.amount`;
const APPEND = 'INSERT INTO log (position, note) VALUES (?, ?)';
const UPDATE = 'UPDATE log SET note = ? WHERE position = ?';

function database(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE rm_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL,
      error_position INTEGER, error TEXT) WITHOUT ROWID;
    CREATE TABLE totals (tenant TEXT, id TEXT, amount INTEGER, PRIMARY KEY (tenant, id)) WITHOUT ROWID;
    CREATE TABLE log (position INTEGER PRIMARY KEY, note TEXT);`);
  return db;
}

describe('WriteSetExecutor', () => {
  it.each([1, 7, 8, 9, 64, 65, 200])(
    'writes %i rows, many per call, as row-by-row statements would',
    (count) => {
      const db = database();
      const out = new WriteSetBuilder();
      const upserts = out.values(UPSERT, 3, 2);
      const appends = out.values(APPEND, 2);
      for (let i = 0; i < count; i++) {
        // Keys repeat (the later row of a key wins) and arrive out of key order.
        upserts.push('acme', `member-${(i * 7) % 5}`, i);
        appends.push(i, `note ${i}`);
      }
      const updates = out.values(UPDATE, 2);
      for (let i = 0; i < count; i += 2) updates.push(`changed ${i}`, i);
      new WriteSetExecutor(db).execute(
        out.build([{ name: 'p', expected: null, position: count, error: null }]),
      );

      const expected = new Map<string, number>();
      for (let i = 0; i < count; i++) expected.set(`member-${(i * 7) % 5}`, i);
      const totals = db.prepare('SELECT id, amount FROM totals ORDER BY id').all();
      expect(totals).toEqual(
        [...expected]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, amount]) => ({ id, amount })),
      );
      const log = db.prepare('SELECT position, note FROM log ORDER BY position').all();
      expect(log).toEqual(
        Array.from({ length: count }, (_, i) => ({
          position: i,
          note: i % 2 === 0 ? `changed ${i}` : `note ${i}`,
        })),
      );
      db.close();
    },
  );

  it('stores the rows only with their checkpoint: a checkpoint that fails rolls the rows back', () => {
    const db = database();
    const executor = new WriteSetExecutor(db);
    const commit = (position: number, expected: number | null) => {
      const out = new WriteSetBuilder();
      out.values(APPEND, 2).push(position, `note ${position}`);
      out.values(UPSERT, 3, 2).push('acme', 'member-1', position);
      return out.build([{ name: 'p', expected, position, error: null }]);
    };
    const stored = () => ({
      log: db.prepare('SELECT position FROM log ORDER BY position').pluck().all(),
      totals: db.prepare('SELECT amount FROM totals').pluck().all(),
      checkpoints: db.prepare('SELECT name, position FROM rm_checkpoints').all(),
    });
    executor.execute(commit(1, null));

    // The fault is SQLite's own: the checkpoint's upsert is aborted as a full disk would abort it.
    db.exec(`
      CREATE TRIGGER refuse_insert BEFORE INSERT ON rm_checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoint refused'); END;
      CREATE TRIGGER refuse_update BEFORE UPDATE ON rm_checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoint refused'); END;`);
    expect(() => executor.execute(commit(2, 1))).toThrow('checkpoint refused');
    expect(stored()).toEqual({ log: [1], totals: [1], checkpoints: [{ name: 'p', position: 1 }] });

    // So the commit can be made again from the checkpoint, without a row applied twice.
    db.exec('DROP TRIGGER refuse_insert; DROP TRIGGER refuse_update;');
    executor.execute(commit(2, 1));
    expect(stored()).toEqual({
      log: [1, 2],
      totals: [2],
      checkpoints: [{ name: 'p', position: 2 }],
    });
    db.close();
  });
});

describe('Appends handed to a write set', () => {
  const logOf = (db: Database.Database) =>
    db.prepare('SELECT position, note FROM log ORDER BY position').raw().all();
  const execute = (db: Database.Database, out: WriteSetBuilder) =>
    new WriteSetExecutor(db).execute(out.build([]));

  it('go in as they are; rows appended after the hand-over wait for the next commit', () => {
    const db = database();
    const appends = new Appends(APPEND, 2);
    appends.row.push(2, 'two', 3, 'three');
    const out = new WriteSetBuilder();
    appends.write(out);
    appends.row.push(4, 'four');
    execute(db, out);
    expect(logOf(db)).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(appends.pending).toBe(1);
    db.close();
  });

  it('follow the rows the write set already has for the statement', () => {
    const db = database();
    const appends = new Appends(APPEND, 2);
    appends.row.push(2, 'two');
    const out = new WriteSetBuilder();
    out.values(APPEND, 2).push(1, 'one');
    appends.write(out);
    execute(db, out);
    expect(logOf(db)).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    db.close();
  });
});
