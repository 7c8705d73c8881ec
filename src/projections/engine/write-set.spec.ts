import Database from 'better-sqlite3';
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
});
