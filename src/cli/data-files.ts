import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  namingTheFile,
  openNamingTheFile,
  removeSideFiles,
} from '../infrastructure/sqlite/open-database';

const hintFor = (path: string) =>
  `The CLI must be able to read it and to write in ${dirname(path)}, where SQLite keeps ${basename(path)}-shm even for a read: run it as the user the service runs as.`;

/** Opens a database file for the CLI; when SQLite cannot, names the file and what to do. */
export function openExplained<T>(path: string, open: () => T): T {
  return openNamingTheFile(path, hintFor(path), open);
}

/** `error` as openExplained words it, for a file that an asynchronous call could not open. */
export function explained(path: string, error: unknown): unknown {
  return namingTheFile(path, hintFor(path), error);
}

/**
 * A rebuild replaces every read model, so it starts from a new file: one damaged past what an
 * open checks (a corrupt page deep in a table) would otherwise stop it at the first drop.
 */
export function discardReadModels(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) return; // not a file: the open names it
  rmSync(path, { force: true });
  removeSideFiles(path);
}
