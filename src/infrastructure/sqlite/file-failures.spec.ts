import { PASSING_FAILURE_HOLD_MS, SqliteFileFailures } from './file-failures';
import { sqliteFileProblem } from './open-database';

/** An error as better-sqlite3 raises it: a message and SQLite's extended code. */
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('SqliteFileFailures', () => {
  let nowMs: number;
  let failures: SqliteFileFailures;
  beforeEach(() => {
    nowMs = Date.parse('2026-12-03T10:00:00.000Z');
    failures = new SqliteFileFailures(() => nowMs);
  });

  it('has none until a request meets one', () => {
    expect(failures.current()).toBeNull();
  });

  it.each(['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_NOTADB'])(
    'keeps a damaged file (%s) for as long as the service runs',
    (code) => {
      failures.note(code);
      nowMs += 24 * 3600_000;
      expect(failures.current()).toEqual({ code, at: '2026-12-03T10:00:00.000Z' });
    },
  );

  it.each(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY'])(
    'keeps a passing failure (%s) for the hold after the last one, then forgets it',
    (code) => {
      failures.note(code);
      nowMs += 1_000;
      failures.note(code); // the hold counts from the last one
      nowMs += PASSING_FAILURE_HOLD_MS - 1;
      expect(failures.current()).toEqual({ code, at: '2026-12-03T10:00:01.000Z' });
      nowMs += 1;
      expect(failures.current()).toBeNull();
    },
  );

  it('reports damage before a later passing failure, which does not hide it', () => {
    failures.note('SQLITE_CORRUPT');
    nowMs += 5;
    failures.note('SQLITE_FULL');
    expect(failures.current()?.code).toBe('SQLITE_CORRUPT');
  });

  it('maps as sqliteFileProblem does, noting the file failures and nothing else', () => {
    const map = failures.problems();
    const bug = sqliteError('SQLITE_ERROR', 'no such column: x');
    expect(map(bug)).toBeUndefined();
    expect(map(new TypeError('bug'))).toBeUndefined();
    expect(failures.current()).toBeNull();

    const full = sqliteError('SQLITE_FULL', 'database or disk is full');
    expect(map(full)).toEqual(sqliteFileProblem(full));
    expect(map(full)?.status).toBe(503);
    expect(failures.current()).toEqual({ code: 'SQLITE_FULL', at: '2026-12-03T10:00:00.000Z' });
  });
});
