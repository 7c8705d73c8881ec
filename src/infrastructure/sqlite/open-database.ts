import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { WEBHOOKS_FILE } from '../../config/data-dir-files';
import { codeOf, messageOf } from '../../shared/application/error-message';
import type { HttpProblem } from '../../shared/http/http-error.filter';

/**
 * SQLite's codes for a file it cannot open or use, as opposed to a bug or a bad statement; BUSY
 * and LOCKED once the busy timeout has passed: another process holds the file locked.
 */
const FILE_CODES = /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|IOERR|NOTADB|CORRUPT|FULL|BUSY|LOCKED)/;

/** SQLite's codes for a file another connection holds locked. */
const LOCK_CODES = /^SQLITE_(BUSY|LOCKED)/;

/** SQLite's codes for a file that is not a sound database: it stays so until it is replaced. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** True when SQLite's `code` says the file is damaged, as opposed to full, locked or unreadable. */
export function isDamage(code: string): boolean {
  return DAMAGE_CODES.test(code);
}

/** The SQLite code of `error` when it says a database file cannot be used (damaged, full, …). */
export function sqliteFileFailure(error: unknown): string | undefined {
  const code = codeOf(error);
  return code !== undefined && FILE_CODES.test(code) ? code : undefined;
}

/** The SQLite code of `error` when it says the file is damaged (not full, locked or unreadable). */
export function sqliteDamage(error: unknown): string | undefined {
  const code = sqliteFileFailure(error);
  return code !== undefined && isDamage(code) ? code : undefined;
}

/** A database file that cannot be used (damaged, a full disk) is the operator's to fix, not a bug. */
export function sqliteFileProblem(error: unknown): HttpProblem | undefined {
  const code = sqliteFileFailure(error);
  if (code === undefined) return undefined;
  return {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: `A database file of the service cannot be used (${code}); its operator is told in the log`,
    // SQLite's message names neither the code nor the file: `check` finds which one is damaged.
    log: `${messageOf(error)} (${code})${isDamage(code) ? '. `npm run ledger -- check` names the damaged file' : ''}`,
  };
}

/** What the service needs of a data file it opens: said where SQLite cannot open one. */
export const SERVICE_FILE_HINT =
  'The service must be able to read and write it, and write in its directory.';

/**
 * Opens a database file; when SQLite cannot, names the file, SQLite's code and `hint`, where
 * SQLite's own message ("unable to open database file") names neither file nor cure.
 */
export function openNamingTheFile<T>(path: string, hint: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw namingTheFile(path, hint, error);
  }
}

/** SQLite's failure on a file, the file named: it keeps SQLite's code, for those who act on it. */
export class NamedFileError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * `error` naming the file, SQLite's code and `hint` when it is a file failure not named yet; else
 * `error`.
 */
export function namingTheFile(path: string, hint: string, error: unknown): unknown {
  const code = sqliteFileFailure(error);
  if (code === undefined || error instanceof NamedFileError) return error;
  // `hint` is for a file that cannot be reached (permissions, a full disk); damage and a lock
  // each have a cure of their own.
  const damageCure = basename(path) === WEBHOOKS_FILE ? WEBHOOKS_DAMAGE_CURE : DAMAGE_CURE;
  const cure = isDamage(code) ? damageCure : LOCK_CODES.test(code) ? LOCK_CURE : hint;
  return new NamedFileError(`Cannot open ${path}: ${messageOf(error)} (${code}). ${cure}`, code);
}

const LOCK_CURE =
  'Another process holds the file locked (a tool that opened it in a transaction, or in exclusive locking mode): end that process, then try again.';

const DAMAGE_CURE =
  'The file is damaged, or is no database: `ledger rebuild` replaces a read-models.db, and an events.db is restored from a backup (docs/operations.md).';

/** webhooks.db is neither derived like the read models nor restored like the events. */
const WEBHOOKS_DAMAGE_CURE =
  'The file is damaged, or is no database: with the service stopped, move it aside; its webhooks are then sent every event since their registration again (docs/operations.md).';

/**
 * Opens a database and prepares it (its first statements, pragmas, checks, migrations): when the
 * preparation fails, the connection is closed before the error is thrown.
 */
export function openDatabase<T>(
  path: string,
  options: Database.Options,
  prepare: (db: Database.Database) => T,
): T {
  const db = new Database(path, options);
  try {
    return prepare(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens an existing database file read-only, runs `read` on it, and closes it whatever happens. */
export function readDatabaseFile<T>(path: string, read: (db: Database.Database) => T): T {
  return openDatabase(path, { readonly: true, fileMustExist: true }, (db) => {
    try {
      return read(db);
    } finally {
      db.close();
    }
  });
}

/** Removes the -wal and -shm files SQLite keeps beside `path` (a missing one is fine). */
export function removeSideFiles(path: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/**
 * SQLite's quick check of a database file, opened read-only: [] when it is sound, else what SQLite
 * found (at most `limit` lines), or the error that stopped it when the damage goes that deep.
 */
export function damageIn(path: string, limit = 10): string[] {
  try {
    return readDatabaseFile(path, (db) => {
      const found = db.prepare(`PRAGMA quick_check(${limit})`).pluck().all() as string[];
      // A row may hold several lines ("*** in database main ***" and the first problem).
      return found.length === 1 && found[0] === 'ok' ? [] : found.flatMap((r) => r.split('\n'));
    });
  } catch (error) {
    const code = sqliteDamage(error);
    if (code === undefined) throw error;
    return [`${messageOf(error)} (${code})`];
  }
}
