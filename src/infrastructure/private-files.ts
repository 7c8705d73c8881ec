import { accessSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { codeOf } from '../shared/application/error-message';

export const PRIVATE_FILE_MODE = 0o600;

/**
 * The data directory and its files hold every tenant's members' data: what this process creates
 * there only its own user may read (0700 and 0600, whatever the umask). Existing ones are left as
 * they are. SQLite gives a database's -wal and -shm files the mode of the database file.
 */
export function makePrivateDirectory(dir: string): void {
  // Not mkdirSync's `recursive`: under /proc it gets ENOENT for a directory whose parent exists
  // and tries again forever, at full CPU (Node 20).
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    makePrivateDirectory(parent);
    mkdirSync(dir, { mode: 0o700 }); // once more: a second ENOENT is the answer
  }
}

/**
 * Creates `path` empty, readable by this user only, unless it exists (then it is left alone). One
 * this user may not write is refused: SQLite would open it read-only without a word, and every
 * write would fail later.
 */
export function makePrivateFile(path: string): void {
  makePrivateDirectory(dirname(path));
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    // With the system's code (EACCES, EROFS): the service's start tells a file to fix from a bug.
    const { code } = error as NodeJS.ErrnoException;
    throw Object.assign(
      new Error(
        `Cannot write ${path}: this user (uid ${process.getuid?.() ?? '?'}) may not. Give it read and write access (chmod 600, as its owner), or run the service as a user that has them`,
      ),
      { code },
    );
  }
}
