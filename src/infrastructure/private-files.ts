import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;

/**
 * The data directory and its files hold every tenant's members' data: what this process creates
 * there only its own user may read (0700 and 0600, whatever the umask). Existing ones are left as
 * they are. SQLite gives a database's -wal and -shm files the mode of the database file.
 */
export function makePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Creates `path` empty, readable by this user only, unless it exists (then it is left alone). */
export function makePrivateFile(path: string): void {
  makePrivateDirectory(dirname(path));
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
