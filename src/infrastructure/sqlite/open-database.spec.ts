import { sqliteFileProblem } from './open-database';

/** An error as better-sqlite3 raises it: a message and SQLite's extended code. */
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('sqliteFileProblem', () => {
  it.each([
    ['SQLITE_CORRUPT', 'database disk image is malformed'],
    ['SQLITE_NOTADB', 'file is not a database'],
    ['SQLITE_IOERR_SHORT_READ', 'disk I/O error'],
    ['SQLITE_FULL', 'database or disk is full'],
  ])('answers a database file SQLite cannot use (%s) 503, not a 500', (code, message) => {
    expect(sqliteFileProblem(sqliteError(code, message))).toEqual({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining(`(${code})`),
      log: expect.stringMatching(new RegExp(`^${message} \\(${code}\\)`)),
    });
  });

  it('tells the log where to find a damaged file', () => {
    expect(
      sqliteFileProblem(sqliteError('SQLITE_CORRUPT', 'database disk image is malformed')),
    ).toMatchObject({
      log: 'database disk image is malformed (SQLITE_CORRUPT). `npm run ledger -- check` names the damaged file',
    });
    expect(sqliteFileProblem(sqliteError('SQLITE_FULL', 'database or disk is full'))).toMatchObject(
      {
        log: 'database or disk is full (SQLITE_FULL)',
      },
    );
  });

  it('leaves a bad statement, which is a bug, to the 500 of the filter', () => {
    expect(sqliteFileProblem(sqliteError('SQLITE_ERROR', 'no such column: x'))).toBeUndefined();
    expect(sqliteFileProblem(new TypeError('bug'))).toBeUndefined();
  });
});
