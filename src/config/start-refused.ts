import {
  namingTheFile,
  SERVICE_FILE_HINT,
  sqliteFileFailure,
} from '../infrastructure/sqlite/open-database';
import { codeOf, messageOf } from '../shared/application/error-message';

/**
 * A start refused for a reason the operator acts on (another process holds DATA_DIR). Nest logs a
 * provider's failure with its stack, where framework frames say nothing: the stack is the message.
 */
export class StartRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefused';
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Runs `open` on the data file at `path` for the start: a file the service cannot use (not
 * writable, a directory, no database) refuses the start in one line that names it. Any other
 * error is a bug, and keeps its stack.
 */
export function openOrRefuseStart<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (sqliteFileFailure(error) !== undefined)
      throw new StartRefused(messageOf(namingTheFile(path, SERVICE_FILE_HINT, error)));
    if (isSystemError(error)) throw new StartRefused(messageOf(error)); // it names its file
    throw error;
  }
}

/** An error of the file system (EACCES, ENOTDIR, …), as opposed to SQLite's or a bug. */
const isSystemError = (error: unknown) => /^E[A-Z]+$/.test(codeOf(error) ?? '');
