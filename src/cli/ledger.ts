/**
 * The ledger CLI: `npm run ledger -- rebuild` (or `node dist/src/cli/ledger.js rebuild`).
 * Reads DATA_DIR (default ./data) and EVENTSTORE_CONNECTION_STRING as the service does.
 */
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirFrom } from '../config/app-config';
import type { EventStore } from '../event-store/event-store.port';
import { projectionNames } from '../projections/all-projections';
import { Checkpoints, lagBehind, StoredCheckpoint } from '../projections/engine/checkpoints';
import { ReadModelDb } from '../projections/read-model-db';
import {
  fromThisStore,
  refusalFor,
  storeEnds,
  type StoreEnds,
} from '../projections/engine/store-identity';
import {
  isHolder,
  liveHolder,
  ReadModelsLock,
  LockRole,
  lockReadModels,
  staleLockHint,
} from '../projections/read-models-lock';
import { backupEvents, restoreEvents, restoreSource } from './events-backup';
import { isNoRoom } from '../infrastructure/sqlite/backup';
import { rebuildReadModels } from '../projections/rebuild';
import { progressBar } from './progress-bar';
import { messageOf } from '../shared/application/error-message';
import { damageIn, readDatabaseFile } from '../infrastructure/sqlite/open-database';
import { hasTable } from '../infrastructure/sqlite/migrations';
import {
  discardReadModels,
  fileExists,
  isNotAFile,
  namingDamage,
  openExplained,
} from './data-files';
import { duplicateEventIds, eventLogGaps } from '../infrastructure/sqlite/event-log-gaps';
import { NOT_COMPARED, verifyReadModels } from './verify-read-models';
import { auditEvents } from './audit-events';
import { checkSeal, sealEvents } from './seal-events';
import { exportArguments, exportEvents } from './export-events';
import { balanceArguments, walletBalance } from './wallet-balance';
import {
  EVENTS_FILE,
  eventsPathIn,
  READ_MODELS_FILE,
  readModelsPathIn,
  WEBHOOKS_FILE,
} from '../config/data-dir-files';

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown; isTTY?: boolean };
}

/** What a command that only reads the events (audit, export, balance) is given. */
export interface EventsReading {
  store: EventStore;
  /** The embedded store's events.db, named when a read finds it damaged (none on EventStoreDB). */
  eventsPath: string | undefined;
  io: CliIo;
}

/** Each command, with how many arguments it takes after its name. */
const COMMANDS: Readonly<Record<string, number>> = {
  rebuild: 0,
  status: 0,
  check: 0,
  verify: 0,
  audit: 0,
  export: 0,
  balance: 0,
  backup: 1,
  restore: 1,
  seal: 1,
  'check-seal': 1,
};

const USAGE = `Usage: ledger <command>

Commands:
  rebuild   drop every read model (DATA_DIR/read-models.db) and replay them from the first event
  status    each projection's checkpoint against the head of $all, and any error
  check     SQLite's integrity check of events.db, read-models.db and webhooks.db; exit 1 if one
            is damaged, or if there is no events.db (on the embedded store)
  verify    replay every event into a scratch copy (in TMPDIR) and compare the read models with
            it, row for row; safe beside the service. Exit 0 equal, 1 different (or a projection
            stopped, or no read models), 3 not compared: the read models never stood where the
            replay did (run again), or it failed (no event store, TMPDIR full)
  audit     replay every event through the domain's own folds and print each one that breaks a
            rule of the ledger (a negative balance, a debit apart from its redemption, a refund
            that does not match, an illegal status move, stock past maxTotal, ...); safe beside
            the service. Exit 0 none, 1 some, 3 not audited (no event store, one it cannot read)
  export [--tenant <environment>.<orgId>] [--after <position>]
            write the events of $all as JSON lines on stdout, in $all order (docs/audit.md):
            only one organization's with --tenant (environment sandbox or live), only those after
            <position> with --after; safe beside the service. Exit 0, 1 when an event is
            unreadable (exported, marked), 3 not exported (no event store, one it cannot read)
  balance --tenant <environment>.<orgId> --member <externalUserID> [--at <instant> | --position <position>]
            a member's wallet as it stood at an ISO instant with a zone (the events whose
            metadata.occurredAt is at or before it), at a position of $all, or now: one JSON object
            on stdout (docs/audit.md), folded from the member's own stream; safe beside the
            service. Exit 0, 1 when an event of that stream cannot be folded (named), 2 a bad
            argument or a --position past the head, 3 not read (no event store, one it cannot read)
  seal <file>
            hash-chain each stream's events up to the head of $all and write each stream's last
            link, and one root over them all, to <file>, a new file (docs/audit.md, Seals); keep
            the root it prints out of the operators' reach. Safe beside the service. Exit 0, 1 no
            seal written, 3 not sealed (no event store, one it cannot read)
  check-seal <file>
            whether the events the seal <file> holds are still those it sealed: print each stream
            changed (an event edited, removed or inserted), shortened, or given events before the
            seal's head. Safe beside the service. Exit 0 all as sealed, 1 some not, 3 not checked
            (the seal file unreadable or changed, no event store)
  backup <file>
            copy events.db to <file>, a new file, while the service runs (the read models are
            not copied: they are rebuilt from the events)
  restore <file>
            with the service stopped, make the backup <file> the event store; the events.db it
            replaces is kept beside it, and the read models are dropped, to be rebuilt

Any command exits 3 when its output cannot be written (stdout on a full disk), saying so.

Environment: DATA_DIR (default ./data, also when empty), EVENTSTORE_CONNECTION_STRING
(EventStoreDB instead of DATA_DIR/events.db). See docs/read-models.md.
`;

async function openStore(env: NodeJS.ProcessEnv, dataDir: string): Promise<EventStore> {
  const connection = env.EVENTSTORE_CONNECTION_STRING || undefined;
  if (connection) {
    const { EventStoreDbEventStore } =
      await import('../infrastructure/eventstoredb/eventstoredb-event-store');
    return EventStoreDbEventStore.connect(connection);
  }
  const path = eventsPathIn(dataDir);
  if (!fileExists(path))
    throw new Error(`No event store at ${path} (set DATA_DIR or EVENTSTORE_CONNECTION_STRING)`);
  const { SqliteEventStore } = await import('../infrastructure/sqlite/sqlite-event-store');
  // The commands only read the events: they never write or migrate the event store.
  return openExplained(path, () => SqliteEventStore.open({ path, readonly: true }));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function rebuild(
  store: EventStore,
  readModels: ReadModelDb,
  destination: string,
  io: CliIo,
): Promise<number> {
  io.err.write(`Rebuilding the read models in ${destination}\n`);
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

/**
 * What the service would find wrong with the read models at its start, if anything: the store
 * lacks events they were built from (it refuses to start), or their schema is older than this
 * release's or they come from another store (it drops and replays them). Either way a
 * checkpoint's lag means nothing until then.
 */
function originProblem(ends: StoreEnds, readModels: ReadModelDb): string | null {
  const refusal = refusalFor(ends, readModels, undefined, 'look');
  if (refusal) return `REFUSED: ${refusal}`;
  if (readModels.schemaBehind())
    return "The read models' schema is older than this release's: the service drops and replays them when it starts";
  if (fromThisStore(ends, readModels)) return null;
  return 'The read models were built from another event store: the service drops and replays them when it starts';
}

/**
 * Events missing from the embedded store's log (event-log-gaps.ts), as one line: the service
 * refuses to start on such a store, and a rebuild to replay it. Null when none are, and on
 * EventStoreDB, whose log no file of ours holds.
 */
function missingEvents(env: NodeJS.ProcessEnv, dataDir: string): string | null {
  if (env.EVENTSTORE_CONNECTION_STRING) return null;
  const events = eventsPathIn(dataDir);
  const gaps = openExplained(events, () => eventLogGaps(events));
  return gaps.length === 0 ? null : `events are missing from ${events} (${gaps.join('; ')})`;
}

const RESTORE_ADVICE = 'Restore the events from a backup (docs/operations.md)';

/** The names of every projection the code has, from an empty in-memory schema. */
function allProjectionNames(): string[] {
  const empty = ReadModelDb.open({ path: ':memory:' });
  try {
    return projectionNames(empty.db);
  } finally {
    empty.close();
  }
}

/** The embedded store's events.db, or undefined where the events are on EventStoreDB. */
const embeddedEventsPath = (env: NodeJS.ProcessEnv, dataDir: string) =>
  env.EVENTSTORE_CONNECTION_STRING ? undefined : eventsPathIn(dataDir);

/** A read-models.db with the read models' tables: an emptied one (truncated) holds none yet. */
function holdsReadModels(path: string): boolean {
  return (
    fileExists(path) &&
    openExplained(path, () => readDatabaseFile(path, (db) => hasTable(db, 'rm_checkpoints')))
  );
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
 * a file shows otherwise only when a request or a projection reads the page. On the embedded store
 * a missing events.db fails the check too: a mistyped DATA_DIR must not pass a monitoring check.
 * A missing read-models.db does not: it is derived, and the service rebuilds it.
 */
function check(env: NodeJS.ProcessEnv, dataDir: string, io: CliIo): number {
  const files = [READ_MODELS_FILE, WEBHOOKS_FILE];
  if (env.EVENTSTORE_CONNECTION_STRING) io.out.write('  events are on EventStoreDB: not checked\n');
  else files.unshift(EVENTS_FILE);
  let damaged = 0;
  let missing = false;
  for (const name of files) {
    const path = join(dataDir, name);
    if (!fileExists(path)) {
      io.out.write(`  ${name.padEnd(16)} none\n`);
      missing ||= name === EVENTS_FILE;
      continue;
    }
    const damage = openExplained(path, () => damageIn(path));
    if (damage.length === 0 && name === EVENTS_FILE)
      damage.push(...eventLogGaps(path), ...duplicateEventIds(path));
    io.out.write(`  ${name.padEnd(16)} ${damage.length === 0 ? 'ok' : 'DAMAGED'}\n`);
    for (const line of damage) io.out.write(`    ${line}\n`);
    if (damage.length > 0) damaged++;
  }
  if (damaged > 0)
    io.out.write(
      'A damaged read-models.db is rebuilt by `ledger rebuild` (stop the service first); a damaged webhooks.db is moved aside with the service stopped (its webhooks are then sent every event since their registration again); a damaged events.db must be restored from a backup.\n',
    );
  if (missing)
    io.err.write(
      `ledger: no event store at ${eventsPathIn(dataDir)}: nothing to check (set DATA_DIR, or EVENTSTORE_CONNECTION_STRING for EventStoreDB)\n`,
    );
  return damaged === 0 && !missing ? 0 : 1;
}

/**
 * `ledger verify`: read models that SQLite finds whole (`check`) may still differ from the events
 * (a page replaced by an older copy of itself, a row changed by hand). Read models that would not
 * be served as they are (from another store, an older schema, missing events) are reported as
 * `status` reports them, without a replay.
 */
async function verify(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  store: EventStore,
  io: CliIo,
): Promise<number> {
  const path = readModelsPathIn(dataDir);
  if (!holdsReadModels(path)) {
    io.err.write(
      `ledger: no read models at ${path}: nothing to verify (the service builds them when it starts)\n`,
    );
    return 1;
  }
  const missing = missingEvents(env, dataDir);
  if (missing) {
    io.out.write(`Not compared: REFUSED: ${missing}. ${RESTORE_ADVICE}\n`);
    return 1;
  }
  const readModels = openExplained(path, () => ReadModelDb.open({ path, readonly: true }));
  try {
    const ends = await storeEnds(store);
    // The open reads nothing: the origin's checks are the first read of the file.
    const origin = openExplained(path, () => originProblem(ends, readModels));
    if (origin) {
      io.out.write(`Not compared: ${origin}\n`);
      return 1;
    }
  } finally {
    readModels.close();
  }
  return verifyReadModels({
    store,
    livePath: path,
    eventsPath: embeddedEventsPath(env, dataDir),
    scratchParent: env.TMPDIR || tmpdir(),
    positionsCountEvents: !env.EVENTSTORE_CONNECTION_STRING,
    holder: () => liveHolder(dataDir),
    io,
  });
}

/**
 * Runs `work` holding the read-models lock of `dataDir` as `role`, so that no service starts on
 * it meanwhile; 1, saying `why` it must be stopped, when a live process holds the lock. The lock
 * is given up when `work` ends, and on Ctrl-C or SIGTERM, which then end the process as before.
 */
async function whileLocked(
  dataDir: string,
  role: LockRole,
  why: string,
  io: CliIo,
  work: (lock: ReadModelsLock) => Promise<number>,
): Promise<number> {
  const lock = lockReadModels(dataDir, role);
  if (isHolder(lock)) {
    io.err.write(
      `ledger: a ${lock.role} (pid ${lock.pid}) writes the read models in ${dataDir}; stop it first: ${why}. ${staleLockHint(dataDir)}\n`,
    );
    return 1;
  }
  const interrupted = (signal: NodeJS.Signals) => {
    lock.release();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await work(lock);
  } finally {
    lock.release(); // also when work failed
    // Only now: a signal while the work winds up must still give the lock up.
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const command = argv[0];
  if (command === undefined || !Object.hasOwn(COMMANDS, command)) {
    // Asked for (or nothing asked): the usage is the answer. An unknown command is an error.
    const asked = command === undefined || ['help', '--help', '-h'].includes(command);
    (asked ? io.out : io.err).write(USAGE);
    return asked ? 0 : 2;
  }
  if (command === 'export') return exportCommand(env, argv.slice(1), io);
  if (command === 'balance') return balanceCommand(env, argv.slice(1), io);
  // No other command has options: `rebuild --force` or `backup a b` must not run as if the rest
  // were not there.
  const extra = argv.slice(1).find((arg, i) => i >= COMMANDS[command] || arg.startsWith('-'));
  if (extra !== undefined) {
    io.err.write(`ledger: ${command} does not take '${extra}'\n\n${USAGE}`);
    return 2;
  }
  const dataDir = dataDirFrom(env);
  if (command === 'check') return check(env, dataDir, io);
  if (command === 'backup') return backupEvents(env, dataDir, argv[1], io);
  if (command === 'restore') {
    const source = restoreSource(env, argv[1], io);
    if (typeof source === 'number') return source;
    return whileLocked(dataDir, 'restore', 'a restore replaces the events it reads', io, (lock) =>
      restoreEvents(dataDir, source, io, () => lock.stillHeld()),
    );
  }
  if (command === 'verify') {
    // Exit 1 says the read models differ, which a monitor answers with a rebuild: a verify that
    // failed (no event store, a full TMPDIR) compared nothing, and says so.
    try {
      return await withStore(env, dataDir, (store) => verify(env, dataDir, store, io));
    } catch (error) {
      io.err.write(`ledger: verify could not compare: ${messageOf(error)}\n`);
      return NOT_COMPARED;
    }
  }
  if (command === 'seal' || command === 'check-seal') {
    const file = argv[1];
    if (!file) {
      io.err.write(`ledger: ${command} needs a <file>\n\n${USAGE}`);
      return 2;
    }
    return readingEvents(command, env, io, (store, eventsPath) =>
      (command === 'seal' ? sealEvents : checkSeal)({ store, eventsPath, io, file }),
    );
  }
  if (command === 'audit') {
    return readingEvents('audit', env, io, (store, eventsPath) =>
      auditEvents({
        store,
        eventsPath,
        positionsCountEvents: !env.EVENTSTORE_CONNECTION_STRING,
        io,
      }),
    );
  }
  return withStore(env, dataDir, (store) =>
    command === 'rebuild'
      ? rebuildCommand(env, store, dataDir, io)
      : statusCommand(env, store, dataDir, io),
  );
}

/** Exit code of a command that only reads the events (audit, export, balance) and could not. */
const COULD_NOT_READ = 3;

/**
 * Runs a command that only reads the events. Its exit 1 says what it found in them (a broken
 * rule, an unreadable event), which a monitor answers otherwise: one that could not read them at
 * all (no event store, a damaged file) says so with its own code.
 */
async function readingEvents(
  name: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  run: (store: EventStore, eventsPath: string | undefined) => Promise<number>,
): Promise<number> {
  const dataDir = dataDirFrom(env);
  try {
    return await withStore(env, dataDir, (store) => run(store, embeddedEventsPath(env, dataDir)));
  } catch (error) {
    io.err.write(`ledger: ${name} could not run: ${messageOf(error)}\n`);
    return COULD_NOT_READ;
  }
}

/** A command's own arguments, parsed: a string says what is wrong (exit 2, with the usage). */
function withArguments<A>(
  parsed: A | string,
  io: CliIo,
  run: (args: A) => Promise<number>,
): Promise<number> {
  if (typeof parsed !== 'string') return run(parsed);
  io.err.write(`ledger: ${parsed}\n\n${USAGE}`);
  return Promise.resolve(2);
}

function exportCommand(env: NodeJS.ProcessEnv, args: readonly string[], io: CliIo) {
  return withArguments(exportArguments(args), io, (parsed) =>
    readingEvents('export', env, io, (store, eventsPath) =>
      exportEvents({ ...parsed, store, eventsPath, io }),
    ),
  );
}

function balanceCommand(env: NodeJS.ProcessEnv, args: readonly string[], io: CliIo) {
  return withArguments(balanceArguments(args), io, (parsed) =>
    readingEvents('balance', env, io, (store, eventsPath) =>
      walletBalance({ ...parsed, store, eventsPath, io }),
    ),
  );
}

/** Runs `use` on the event store and closes the store after. */
async function withStore<T>(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  use: (store: EventStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(env, dataDir);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function rebuildCommand(
  env: NodeJS.ProcessEnv,
  store: EventStore,
  dataDir: string,
  io: CliIo,
): Promise<number> {
  const why = 'a rebuild replaces the read models it uses';
  return whileLocked(dataDir, 'rebuild', why, io, async () => {
    // A store that cannot be read (EventStoreDB down) must not cost the read models.
    await store.headPosition();
    const missing = missingEvents(env, dataDir);
    const events = embeddedEventsPath(env, dataDir);
    if (!missing) return rebuildBeside(store, events, readModelsPathIn(dataDir), io);
    // Read models replayed past a lost event would hide the loss from every later check.
    io.err.write(`ledger: ${missing}: nothing was rebuilt. ${RESTORE_ADVICE}\n`);
    return 1;
  });
}

/**
 * Builds the read models in a file of their own and moves it over `path` only once whole: a
 * rebuild that stops (a damaged events.db, a full disk, Ctrl-C) leaves the read models as they were.
 */
async function rebuildBeside(
  store: EventStore,
  eventsPath: string | undefined,
  path: string,
  io: CliIo,
): Promise<number> {
  if (isNotAFile(path))
    throw new Error(
      `${path} is not a file: move it away, and the rebuild puts the read models there`,
    );
  const building = `${path}.rebuilding`;
  discardReadModels(building); // left by a rebuild that was killed
  const readModels = openExplained(building, () => ReadModelDb.open({ path: building }));
  let code: number;
  try {
    code = await rebuild(store, readModels, path, io);
    readModels.db.pragma('journal_mode = DELETE'); // its WAL written in: one file to move
  } catch (error) {
    readModels.close();
    discardReadModels(building);
    // The rebuild reads the events and writes a new file: damage it meets is the events'.
    if (!isNoRoom(error)) throw namingDamage(eventsPath, error);
    // SQLite's message names no file: the events are only read, so the full disk is this one's.
    io.err.write(
      `ledger: no room to write the read models at ${building} (${messageOf(error)}): nothing was rebuilt, and ${path} is as it was. Free space on its disk and run it again\n`,
    );
    return 1;
  }
  readModels.close();
  discardReadModels(path);
  renameSync(building, path);
  return code;
}

/** status only looks: it opens no file that is not there, and migrates or writes nothing. */
async function statusCommand(
  env: NodeJS.ProcessEnv,
  store: EventStore,
  dataDir: string,
  io: CliIo,
): Promise<number> {
  const path = readModelsPathIn(dataDir);
  const readModels = holdsReadModels(path)
    ? openExplained(path, () => ReadModelDb.open({ path, readonly: true }))
    : undefined;
  try {
    const ends = await storeEnds(store);
    const { head } = ends;
    io.out.write(`Head of $all: ${head}\n`);
    // The open reads nothing: the checkpoints are the first read of the file, and name it too.
    const code = report(
      openExplained(path, () => statusOf(readModels)),
      head,
      io,
    );
    const missing = missingEvents(env, dataDir);
    const refusal = missing
      ? `REFUSED: ${missing}. ${RESTORE_ADVICE}`
      : readModels && originProblem(ends, readModels);
    if (!refusal) return code;
    io.out.write(`${refusal}\n`);
    return 1;
  } finally {
    readModels?.close();
  }
}

/** The exit code of a command whose output could not be written (a full disk): its answer is lost. */
const OUTPUT_LOST = 3;

if (require.main === module) {
  // A reader that stops early (`ledger status | head -1`) closes the pipe: the command still runs
  // to its end and exits with its own code, without a stack trace for the lines nobody reads.
  // Any other failure to write (ENOSPC on a file) loses the answer: the exit code must say so.
  let lost: Error | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') lost ??= error;
  });
  // stdout reports a failed write in a callback: the exit waits for it.
  const exit = (code: number) =>
    setImmediate(() => {
      if (lost === undefined) return process.exit(code);
      process.stderr.write(`ledger: the output could not be written: ${messageOf(lost)}\n`);
      process.exit(OUTPUT_LOST);
    });
  main(process.argv.slice(2), process.env, { out: process.stdout, err: process.stderr }).then(
    exit,
    (error: unknown) => {
      process.stderr.write(`ledger: ${messageOf(error)}\n`);
      exit(1);
    },
  );
}
