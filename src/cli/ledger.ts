/**
 * The ledger CLI: `npm run ledger -- rebuild` (or `node dist/src/cli/ledger.js rebuild`).
 * Reads DATA_DIR (default ./data) and EVENTSTORE_CONNECTION_STRING as the service does.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EventStore } from '../event-store/event-store.port';
import { projectionNames } from '../projections/all-projections';
import { Checkpoints, lagBehind, StoredCheckpoint } from '../projections/engine/checkpoints';
import { ReadModelDb } from '../projections/read-model-db';
import { isHolder, lockReadModels, READ_MODELS_LOCK_FILE } from '../projections/read-models-lock';
import { rebuildReadModels } from '../projections/rebuild';
import { progressBar } from './progress-bar';
import { messageOf } from '../shared/application/error-message';
import {
  damageIn,
  openNamingTheFile,
  removeSideFiles,
} from '../infrastructure/sqlite/open-database';

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown; isTTY?: boolean };
}

const USAGE = `Usage: ledger <command>

Commands:
  rebuild   drop every read model (DATA_DIR/read-models.db) and replay them from the first event
  status    each projection's checkpoint against the head of $all, and any error
  check     SQLite's integrity check of events.db and read-models.db; exit 1 if one is damaged

Environment: DATA_DIR (default ./data), EVENTSTORE_CONNECTION_STRING (EventStoreDB instead of
DATA_DIR/events.db). See docs/read-models.md.
`;

async function openStore(env: NodeJS.ProcessEnv, dataDir: string): Promise<EventStore> {
  const connection = env.EVENTSTORE_CONNECTION_STRING || undefined;
  if (connection) {
    const { EventStoreDbEventStore } =
      await import('../infrastructure/eventstoredb/eventstoredb-event-store');
    return EventStoreDbEventStore.connect(connection);
  }
  const path = join(dataDir, 'events.db');
  if (!existsSync(path))
    throw new Error(`No event store at ${path} (set DATA_DIR or EVENTSTORE_CONNECTION_STRING)`);
  const { SqliteEventStore } = await import('../infrastructure/sqlite/sqlite-event-store');
  // Both commands only read the events: the CLI never writes or migrates the event store.
  return openExplained(path, () => SqliteEventStore.open({ path, readonly: true }));
}

/** Opens a database file for the CLI; when SQLite cannot, names the file and what to do. */
export function openExplained<T>(path: string, open: () => T): T {
  return openNamingTheFile(
    path,
    `The CLI must be able to read it and to write in ${dirname(path)}, where SQLite keeps ${basename(path)}-shm even for a read: run it as the user the service runs as.`,
    open,
  );
}

/**
 * A rebuild replaces every read model, so it starts from a new file: one damaged past what an
 * open checks (a corrupt page deep in a table) would otherwise stop it at the first drop.
 */
function discardReadModels(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) return; // not a file: the open names it
  rmSync(path, { force: true });
  removeSideFiles(path);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function rebuild(store: EventStore, readModels: ReadModelDb, io: CliIo): Promise<number> {
  io.err.write(`Rebuilding the read models in ${readModels.path}\n`);
  const bar = progressBar(io.err);
  const result = await rebuildReadModels(store, readModels, {
    onProgress: (p) => bar.update(p),
    deferIndexes: true,
  });
  bar.done();
  const rate = result.seconds > 0 ? result.events / result.seconds : 0;
  io.out.write(
    `Replayed ${fmt(result.events)} events in ${result.seconds.toFixed(2)} s (${fmt(rate)} events/s)\n`,
  );
  for (const table of readModels.readModelTables()) {
    const rows = readModels.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    io.out.write(`  ${table.padEnd(24)} ${fmt(rows).padStart(12)} rows\n`);
  }
  return report(result.projections, result.head, io);
}

function report(projections: ReturnType<typeof statusOf>, head: number, io: CliIo): number {
  let stopped = 0;
  for (const p of projections) {
    const state = p.error ? `STOPPED at ${p.error.position}: ${p.error.message}` : 'ok';
    io.out.write(
      `  ${p.name.padEnd(14)} checkpoint ${String(p.checkpoint).padStart(12)}  lag ${String(lagBehind(head, p.checkpoint)).padStart(10)}  ${state}\n`,
    );
    if (p.error) stopped++;
  }
  return stopped === 0 ? 0 : 1;
}

/** The names of every projection the code has, from an empty in-memory schema. */
function allProjectionNames(): string[] {
  const empty = ReadModelDb.open({ path: ':memory:' });
  try {
    return projectionNames(empty.db);
  } finally {
    empty.close();
  }
}

/**
 * Every projection, also one that has not stored a checkpoint yet (-1: nothing applied), or
 * whose read models do not exist yet (`readModels` undefined).
 */
function statusOf(readModels: ReadModelDb | undefined) {
  const stored = readModels
    ? new Checkpoints(readModels.db).load()
    : new Map<string, StoredCheckpoint>();
  return allProjectionNames()
    .sort()
    .map((name) => ({
      name,
      checkpoint: stored.get(name)?.position ?? -1,
      error: stored.get(name)?.error ?? null,
    }));
}

/**
 * SQLite's quick check of the service's files, read-only (safe beside the service): damage deep in
 * a file shows otherwise only when a request or a projection reads the page.
 */
function check(env: NodeJS.ProcessEnv, dataDir: string, io: CliIo): number {
  const files = ['read-models.db'];
  if (env.EVENTSTORE_CONNECTION_STRING) io.out.write('  events are on EventStoreDB: not checked\n');
  else files.unshift('events.db');
  let damaged = 0;
  for (const name of files) {
    const path = join(dataDir, name);
    if (!existsSync(path)) {
      io.out.write(`  ${name.padEnd(16)} none\n`);
      continue;
    }
    const damage = openExplained(path, () => damageIn(path));
    io.out.write(`  ${name.padEnd(16)} ${damage.length === 0 ? 'ok' : 'DAMAGED'}\n`);
    for (const line of damage) io.out.write(`    ${line}\n`);
    if (damage.length > 0) damaged++;
  }
  if (damaged > 0)
    io.out.write(
      'A damaged read-models.db is rebuilt by `ledger rebuild` (stop the service first); a damaged events.db must be restored from a backup.\n',
    );
  return damaged === 0 ? 0 : 1;
}

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const command = argv[0];
  if (command !== 'rebuild' && command !== 'status' && command !== 'check') {
    (command ? io.err : io.out).write(USAGE);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
  const dataDir = resolve(env.DATA_DIR ?? './data');
  if (command === 'check') return check(env, dataDir, io);
  const store = await openStore(env, dataDir);
  const path = join(dataDir, 'read-models.db');
  try {
    if (command === 'rebuild') {
      const lock = lockReadModels(dataDir, 'rebuild');
      if (isHolder(lock)) {
        io.err.write(
          `ledger: a ${lock.role} (pid ${lock.pid}) writes the read models in ${dataDir}; stop it first: a rebuild drops the tables it uses. (A process of another pid namespace, such as a container, that no longer runs? Delete ${join(dataDir, READ_MODELS_LOCK_FILE)}.)\n`,
        );
        return 1;
      }
      // Ctrl-C or a SIGTERM: give the lock up, then end by the signal as before.
      const interrupted = (signal: NodeJS.Signals) => {
        lock.release();
        process.kill(process.pid, signal);
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      let readModels: ReadModelDb | undefined;
      try {
        discardReadModels(path);
        readModels = openExplained(path, () => ReadModelDb.open({ path }));
        return await rebuild(store, readModels, io);
      } finally {
        readModels?.close();
        lock.release(); // also when the file could not be opened
        // Only now: a signal while the file closes must still give the lock up.
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
      }
    }
    // status only looks: it opens no file that is not there, and migrates or writes nothing.
    const readModels = existsSync(path)
      ? openExplained(path, () => ReadModelDb.open({ path, readonly: true }))
      : undefined;
    try {
      const head = Number(await store.headPosition());
      io.out.write(`Head of $all: ${head}\n`);
      return report(statusOf(readModels), head, io);
    } finally {
      readModels?.close();
    }
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, { out: process.stdout, err: process.stderr }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`ledger: ${messageOf(error)}\n`);
      process.exit(1);
    },
  );
}
