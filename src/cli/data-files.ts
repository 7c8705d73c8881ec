import { rmSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { codeOf, messageOf } from '../shared/application/error-message';
import {
  namingTheFile,
  openNamingTheFile,
  removeSideFiles,
  sqliteDamage,
} from '../infrastructure/sqlite/open-database';

const hintFor = (path: string) =>
  `The CLI must be able to read it and to write in ${dirname(path)}, where SQLite keeps ${basename(path)}-shm even for a read: run it as the user the service runs as.`;

/**
 * Whether `path` is there. Only its absence is a no: where the file cannot be looked at (a
 * DATA_DIR this user may not read), the error names it and what to do, instead of reading as a
 * store that does not exist.
 */
export function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return false;
    throw new Error(`Cannot look at ${path}: ${code ?? messageOf(error)}. ${hintFor(path)}`);
  }
}

/** Opens a database file for the CLI; when SQLite cannot, names the file and what to do. */
export function openExplained<T>(path: string, open: () => T): T {
  return openNamingTheFile(path, hintFor(path), open);
}

/** `error` as openExplained words it, for a file that an asynchronous call could not open. */
export function explained(path: string, error: unknown): unknown {
  return namingTheFile(path, hintFor(path), error);
}

/**
 * `error` naming `path` when SQLite found that file damaged, which its message does not say; as it
 * is where there is no file to name (EventStoreDB).
 */
export const namingDamage = (path: string | undefined, error: unknown) =>
  path === undefined || sqliteDamage(error) === undefined ? error : explained(path, error);

/** Whether something other than a file (a directory) is at `path`: the CLI never deletes one. */
export const isNotAFile = (path: string) => fileExists(path) && !statSync(path).isFile();

/**
 * A rebuild replaces every read model, so it starts from a new file: one damaged past what an
 * open checks (a corrupt page deep in a table) would otherwise stop it at the first drop.
 */
export function discardReadModels(path: string): void {
  if (!fileExists(path) || !statSync(path).isFile()) return; // not a file: the open names it
  rmSync(path, { force: true });
  removeSideFiles(path);
}
