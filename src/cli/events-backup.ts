import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backupDatabase, isNoRoom, replaceDatabase } from '../infrastructure/sqlite/backup';
import { codeOf, messageOf } from '../shared/application/error-message';
import {
  EVENT_STORE_MIGRATIONS,
  hasTable,
  pendingMigrations,
} from '../infrastructure/sqlite/migrations';
import { damageIn, readDatabaseFile } from '../infrastructure/sqlite/open-database';
import { eventLogGaps } from '../infrastructure/sqlite/event-log-gaps';
import type { CliIo } from './ledger';
import { discardReadModels, explained, fileExists, isNotAFile, openExplained } from './data-files';
import { eventsPathIn, readModelsPathIn } from '../config/data-dir-files';

/** The last position in an events database, and whether it is one: null when it has no events table. */
function headOf(path: string): number | null {
  return openExplained(path, () =>
    readDatabaseFile(path, (db) => {
      // Ours only: a table of that name that our first migration did not make would stop the
      // service's start once restored (it would try to create it).
      const ours = pendingMigrations(db, EVENT_STORE_MIGRATIONS.slice(0, 1)).length === 0;
      if (!hasTable(db, 'events') || !ours) return null;
      return (db.prepare('SELECT max(position) FROM events').pluck().get() as number | null) ?? -1;
    }),
  );
}

/**
 * The absolute path of a command's file argument, or its exit code when it cannot run here: the
 * events are on EventStoreDB (1), or no file was named (2).
 */
function fileArgument(
  env: NodeJS.ProcessEnv,
  file: string | undefined,
  usage: string,
  io: CliIo,
): string | number {
  if (env.EVENTSTORE_CONNECTION_STRING) {
    io.err.write(
      'ledger: the events are on EventStoreDB (EVENTSTORE_CONNECTION_STRING): back them up and restore them with its own tools (docs/operations.md)\n',
    );
    return 1;
  }
  if (!file) {
    io.err.write(`Usage: ledger ${usage}\n`);
    return 2;
  }
  return resolve(file);
}

const NO_EVENTS_CURE =
  'It is no event store the service wrote: if its events were lost, restore the latest good backup (docs/operations.md)';

/** `ledger backup <file>`: a consistent copy of events.db, safe while the service writes it. */
export async function backupEvents(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  target: string | undefined,
  io: CliIo,
): Promise<number> {
  const destination = fileArgument(
    env,
    target,
    'backup <file> (a file that does not exist yet)',
    io,
  );
  if (typeof destination === 'number') return destination;
  const source = eventsPathIn(dataDir);
  if (!fileExists(source)) throw new Error(`No event store at ${source} (set DATA_DIR)`);
  // Read first: a file that holds no events (an empty one, another program's), or one locked
  // beyond reading, must fail the backup, not give a copy of nothing and exit 0.
  const sourceHead = headOf(source);
  if (sourceHead === null) {
    io.err.write(
      `ledger: ${source} holds no events table made by points-ledger, so no backup was made. ${NO_EVENTS_CURE}\n`,
    );
    return 1;
  }
  try {
    await backupDatabase(source, destination);
  } catch (error) {
    // backupDatabase links the copy in only where no file is: that check is free of races.
    if (codeOf(error) === 'EEXIST') {
      io.err.write(`ledger: ${destination} exists: a backup never replaces a file\n`);
      return 1;
    }
    const unwritable = destinationProblem(destination, error);
    if (unwritable) {
      io.err.write(`ledger: ${unwritable}\n`);
      return 1;
    }
    // The copy's disk, not the store's: the store is only read.
    if (isNoRoom(error)) {
      io.err.write(
        `ledger: no room to write the backup at ${destination} (${messageOf(error)}): nothing was kept there. Free space on its disk, or name a file on another\n`,
      );
      return 1;
    }
    throw explained(source, error);
  }
  const damage = damageIn(destination);
  if (damage.length > 0) {
    // SQLite copies pages as they are: the damage is the source's. A damaged file named as a
    // backup would only be found later, when it is needed.
    rmSync(destination, { force: true });
    io.err.write(
      `ledger: ${source} is damaged, so no backup was kept at ${destination}: ${damage.join('; ')}. ` +
        'Restore the latest good backup (docs/operations.md)\n',
    );
    return 1;
  }
  // The copy is one snapshot taken after the read above: it holds at least those events.
  const copiedHead = headOf(destination);
  if (copiedHead === null || copiedHead < sourceHead) {
    rmSync(destination, { force: true });
    io.err.write(
      `ledger: the copy of ${source} holds ${copiedHead === null ? 'no events table' : `events up to position ${copiedHead} only`}, where the store holds events up to position ${sourceHead}: no backup was kept at ${destination}. Run it again\n`,
    );
    return 1;
  }
  io.out.write(`Backed up ${source} to ${destination}: events up to position ${copiedHead}\n`);
  return 0;
}

/**
 * Why the directory of `destination` takes no backup, if that is what `error` says: named here,
 * where the error names the copy's hidden partial file. The store is read through SQLite only, so
 * an error of the file system is the destination's.
 */
function destinationProblem(destination: string, error: unknown): string | undefined {
  const dir = dirname(destination);
  const code = codeOf(error);
  const noBackup = `no backup can be written at ${destination}`;
  if (code === 'ENOTDIR') return `${dir} is not a directory: ${noBackup}`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return `this user (uid ${process.getuid?.() ?? '?'}) may not write in ${dir} (${code}): ${noBackup}. Name a file in a directory it may write in`;
  if (!fileExists(dir)) return `no directory ${dir} to write the backup in`;
  return undefined;
}

/**
 * The backup `ledger restore` names, as an absolute path, or its exit code when there is nothing
 * to restore here (restoreEvents): asked before the lock, so that a mistyped command is told its
 * usage, also beside a running service.
 */
export const restoreSource = (env: NodeJS.ProcessEnv, backup: string | undefined, io: CliIo) =>
  fileArgument(env, backup, 'restore <file> (a file written by ledger backup)', io);

/**
 * `ledger restore <file>`, with the service stopped (the caller holds the read-models lock): the
 * backup at `source` (restoreSource) becomes events.db. The events.db it replaces is moved aside
 * whole, never deleted, and the read models are dropped: they may hold events the backup has not,
 * and the service (or `ledger rebuild`) replays them from the restored events.
 */
export async function restoreEvents(
  dataDir: string,
  source: string,
  io: CliIo,
  stillLocked: () => boolean,
): Promise<number> {
  const readModels = readModelsPathIn(dataDir);
  // The read models are dropped with the events they were built from: a directory in their
  // place would be left, and never deleted.
  if (isNotAFile(readModels)) {
    io.err.write(
      `ledger: ${readModels} is not a file, and a restore drops the read models there: move it away and run the restore again. Nothing was restored\n`,
    );
    return 1;
  }
  const found = statSync(source, { throwIfNoEntry: false });
  if (!found) throw new Error(`No backup at ${source}`);
  if (!found.isFile()) {
    io.err.write(
      `ledger: ${source} is not a file: restore takes a file written by ledger backup\n`,
    );
    return 1;
  }
  const damage = damageIn(source);
  const head = damage.length === 0 ? headOf(source) : null;
  // A store with events missing would be refused at the service's next start.
  if (head !== null && head >= 0) damage.push(...eventLogGaps(source));
  // An empty store would replace the events with nothing: no backup worth restoring holds none.
  if (head === null || head < 0 || damage.length > 0) {
    const why =
      damage.length > 0
        ? `it is damaged: ${damage.join('; ')}`
        : head === null
          ? 'it holds no events table made by points-ledger'
          : 'it holds no events';
    io.err.write(`ledger: ${source} is not an event store to restore: ${why}\n`);
    return 1;
  }
  // Checking a large backup blocks for as long as it reads it: make sure no process in another
  // container took the lock for stale meanwhile, before replacing what it may be using.
  if (!stillLocked()) {
    io.err.write(
      `ledger: another process took the lock on ${dataDir} while the backup was checked: nothing was restored\n`,
    );
    return 1;
  }
  const path = eventsPathIn(dataDir);
  const aside = `${path}.replaced-${Date.now()}`;
  const hadReadModels = existsSync(readModels);
  try {
    // The read models go before the events they were built from: a restore killed between the two
    // must not leave them beside events that lack some of what they hold.
    await replaceDatabase(path, source, aside, () => discardReadModels(readModels));
  } catch (error) {
    if (!isNoRoom(error)) throw error;
    // The copy is made beside events.db before anything is moved, and removed when it fails.
    io.err.write(
      `ledger: no room in ${dataDir} for the restored copy (${messageOf(error)}): nothing was restored, and ${path} is as it was. Free space on its disk and run it again\n`,
    );
    return 1;
  }
  io.out.write(
    `Restored ${source} as ${path}: events up to position ${headOf(path)}.\n` +
      (existsSync(aside) ? `The event store it replaced is kept at ${aside}.\n` : '') +
      (hadReadModels ? 'The read models were dropped. ' : '') +
      'The service builds the read models from these events when it starts (or run `ledger rebuild`).\n',
  );
  return 0;
}
