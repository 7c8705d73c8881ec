import Database from 'better-sqlite3';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { codeOf } from '../../shared/application/error-message';
import { PRIVATE_FILE_MODE } from '../private-files';
import { openDatabase } from './open-database';

/** What better-sqlite3 copies in one step when asked for everything: one snapshot, no restarts. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the database at `source` to `destination`, a file that must not exist yet (created
 * readable by this user only), with SQLite's online backup: the copy is one consistent snapshot
 * even while another process writes the source, and it is fsynced. The copy is then set to a
 * rollback journal, so that it is one file, with no -wal beside it to lose. It is made under
 * `<destination>.partial-<pid>` and linked to its name only once whole: a copy that fails, or a
 * process killed while it copies, never leaves a file under that name.
 */
export async function backupDatabase(source: string, destination: string): Promise<void> {
  // A backup never overwrites anything, least of all an earlier backup: checked now, and again,
  // free of races, when the copy is linked in.
  if (existsSync(destination)) throw alreadyThere(destination);
  const partial = partialOf(destination);
  removeWithSideFiles(partial); // left by a process killed under this same pid
  try {
    await copyDatabase(source, partial);
    linkInPlace(partial, destination);
    fsyncPath(dirname(destination)); // its name: a power cut must not take the whole file
  } finally {
    removeWithSideFiles(partial);
  }
}

/** The name a copy to `path` is written under until it is whole. */
const partialOf = (path: string) => `${path}.partial-${process.pid}`;

/**
 * Copies the database at `source` into `copy`, a new file readable by this user only, as
 * backupDatabase describes, fsynced; the caller names it and removes it should this fail.
 */
async function copyDatabase(source: string, copy: string): Promise<void> {
  closeSync(openSync(copy, 'wx', PRIVATE_FILE_MODE));
  const db = openDatabase(source, { readonly: true, fileMustExist: true }, (opened) => {
    opened.pragma('busy_timeout = 5000');
    return opened;
  });
  try {
    // Every page in one step: a source written between steps would restart the copy.
    await db.backup(copy, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  const written = new Database(copy, { fileMustExist: true });
  try {
    written.pragma('journal_mode = DELETE');
  } finally {
    written.close();
  }
  fsyncPath(copy);
}

const alreadyThere = (path: string) =>
  Object.assign(new Error(`${path} exists`), { code: 'EEXIST' }) as NodeJS.ErrnoException;

/**
 * Gives `partial` the name `destination`, failing with EEXIST if that name is taken. A hard link
 * does both at once; on a file system without hard links the name is checked, then renamed to.
 */
function linkInPlace(partial: string, destination: string): void {
  try {
    linkSync(partial, destination);
  } catch (error) {
    const code = codeOf(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    if (existsSync(destination)) throw alreadyThere(destination);
    renameSync(partial, destination);
  }
}

function removeWithSideFiles(path: string): void {
  for (const suffix of SIDE_FILES) rmSync(path + suffix, { force: true });
}

/** The side files SQLite may keep beside a database. */
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Makes a copy of `source` the database at `path`. The copy is made by SQLite (copyDatabase),
 * not by copying the file: a source in WAL mode may hold committed transactions in its -wal (a
 * store moved aside by an earlier restore, a store left by a crash), which a copy of the main file
 * alone would lose. It is written and fsynced next to `path` first, so that a failed copy changes
 * nothing; then the database at `path` is moved to `asidePath` whole, with its -wal, -shm and
 * -journal files, so that it can still be opened there; then the copy is renamed into place.
 * `beforeSwap` runs once the copy is made, before anything is moved: what was built from the old
 * database goes first (a restore's read models), so that a kill in between never leaves it beside
 * the new one.
 */
export async function replaceDatabase(
  path: string,
  source: string,
  asidePath: string,
  beforeSwap: () => void = () => undefined,
): Promise<void> {
  // Copies left by restores killed midway: the caller holds the lock, so none is in use.
  for (const name of readdirSync(dirname(path)))
    if (name.startsWith(`${basename(path)}.partial-`)) rmSync(join(dirname(path), name));
  // Copied under that name itself: backupDatabase would add a partial suffix of its own.
  const partial = partialOf(path);
  try {
    await copyDatabase(source, partial);
  } catch (error) {
    removeWithSideFiles(partial); // a failed copy changes nothing
    throw error;
  }
  beforeSwap();
  fsyncPath(dirname(path)); // what it removed stays removed, whatever a crash keeps of the rest
  for (const suffix of SIDE_FILES)
    if (existsSync(path + suffix)) renameSync(path + suffix, asidePath + suffix);
  renameSync(partial, path);
  fsyncPath(dirname(path)); // the renames themselves
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A write refused for want of room: SQLite's SQLITE_FULL, or the system's ENOSPC. */
export function isNoRoom(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}
