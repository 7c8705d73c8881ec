import { NamedFileError } from '../infrastructure/sqlite/open-database';
import { openOrRefuseStart, StartRefused } from './start-refused';

const failing = (error: Error, code?: string) => () => {
  throw Object.assign(error, code === undefined ? {} : { code });
};

describe('openOrRefuseStart', () => {
  it('answers what the open answers', () => {
    expect(openOrRefuseStart('/data/x.db', () => 42)).toBe(42);
  });

  it('refuses the start in one line, naming the file, where SQLite cannot open it', () => {
    const refusal = (() => {
      try {
        openOrRefuseStart(
          '/data/x.db',
          failing(new Error('unable to open database file'), 'SQLITE_CANTOPEN'),
        );
      } catch (error) {
        return error as Error;
      }
    })();
    expect(refusal).toBeInstanceOf(StartRefused);
    expect(refusal?.message).toMatch(
      /^Cannot open \/data\/x\.db: .*\(SQLITE_CANTOPEN\)\. The service must/,
    );
    expect(refusal?.stack).not.toMatch(/\n\s+at /);
  });

  it('names the file once where the open named it already', () => {
    const named = new NamedFileError(
      'Cannot open /data/x.db: unable to open (SQLITE_CANTOPEN). Fix it.',
      'SQLITE_CANTOPEN',
    );
    expect(() => openOrRefuseStart('/data/x.db', failing(named))).toThrow(
      new StartRefused(named.message),
    );
  });

  it('refuses it on an error of the file system, whose message names the file', () => {
    const denied = failing(
      new Error('Cannot write /data/x.db: this user (uid 65534) may not.'),
      'EACCES',
    );
    expect(() => openOrRefuseStart('/data/x.db', denied)).toThrow(
      new StartRefused('Cannot write /data/x.db: this user (uid 65534) may not.'),
    );
  });

  it('lets any other error through with its stack: that one is a bug', () => {
    const bug = new TypeError('x is not a function');
    expect(() => openOrRefuseStart('/data/x.db', failing(bug))).toThrow(bug);
    expect(() =>
      openOrRefuseStart('/data/x.db', failing(new Error('boom'), 'ERR_ASSERTION')),
    ).not.toThrow(StartRefused);
  });
});
