import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndexes } from './index-build';

describe('buildIndexes', () => {
  let dir: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'index-build-'));
    db = new Database(join(dir, 'read-models.db'));
    db.pragma('cache_size = -65536');
    db.exec('CREATE TABLE ledger (position INTEGER PRIMARY KEY, tenant TEXT, member TEXT)');
    const insert = db.prepare('INSERT INTO ledger (tenant, member) VALUES (?, ?)');
    // About 4 MiB of keys in random order: more than one sorted run, so the runs are merged.
    db.transaction(() => {
      for (let i = 0; i < 80_000; i++) {
        insert.run(i % 3 === 0 ? 'live.acme' : 'sandbox.acme', `member-${(i * 7919) % 80_000}`);
      }
    })();
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a complete, ordered index and puts the connection settings back', () => {
    buildIndexes(db, ['CREATE INDEX ledger_by_member ON ledger (tenant, member)']);

    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const keys = (sql: string) =>
      (db.prepare(sql).raw().all() as string[][]).map(([tenant, member]) => `${tenant}|${member}`);
    const viaIndex = keys(
      'SELECT tenant, member FROM ledger INDEXED BY ledger_by_member ORDER BY tenant, member',
    );
    const scanned = keys('SELECT tenant, member FROM ledger NOT INDEXED');
    expect(viaIndex).toHaveLength(80_000);
    expect(viaIndex).toEqual([...scanned].sort());
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.pragma('threads', { simple: true })).toBe(0);
  });

  it('puts the settings back when a statement fails, having built the ones before it', () => {
    expect(() =>
      buildIndexes(db, [
        'CREATE INDEX ledger_by_member ON ledger (tenant, member)',
        'CREATE INDEX broken ON no_such_table (x)',
      ]),
    ).toThrow(/no_such_table/);
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'")
      .pluck()
      .all();
    expect(names).toEqual(['ledger_by_member']);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.pragma('threads', { simple: true })).toBe(0);
  });
});
