import { namingTheFile, sqliteFileProblem } from './open-database';

/** An error as better-sqlite3 raises it: a message and SQLite's extended code. */
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('sqliteFileProblem', () => {
  it.each([
    ['SQLITE_CORRUPT', 'database disk image is malformed'],
    ['SQLITE_NOTADB', 'file is not a database'],
    ['SQLITE_IOERR_SHORT_READ', 'disk I/O error'],
    ['SQLITE_FULL', 'database or disk is full'],
    ['SQLITE_BUSY', 'database is locked'],
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

describe('namingTheFile', () => {
  const hint = 'The CLI must be able to read it.';

  it('names the file, the code and the cure of a file another process holds locked', () => {
    const named = namingTheFile(
      '/d/events.db',
      hint,
      sqliteError('SQLITE_BUSY', 'database is locked'),
    );
    expect((named as Error).message).toBe(
      'Cannot open /d/events.db: database is locked (SQLITE_BUSY). Another process holds the file locked (a tool that opened it in a transaction, or in exclusive locking mode): end that process, then try again.',
    );
  });

  it('gives damage its cure, and an unreachable file the hint', () => {
    const damaged = namingTheFile(
      '/d/x.db',
      hint,
      sqliteError('SQLITE_NOTADB', 'file is not a database'),
    );
    expect((damaged as Error).message).toMatch(
      /^Cannot open \/d\/x\.db: file is not a database \(SQLITE_NOTADB\)\. The file is damaged/,
    );
    const unreachable = namingTheFile(
      '/d/x.db',
      hint,
      sqliteError('SQLITE_CANTOPEN', 'unable to open database file'),
    );
    expect((unreachable as Error).message).toBe(
      `Cannot open /d/x.db: unable to open database file (SQLITE_CANTOPEN). ${hint}`,
    );
  });

  it('leaves a bug as it is', () => {
    const bug = new TypeError('bug');
    expect(namingTheFile('/d/x.db', hint, bug)).toBe(bug);
  });
});
