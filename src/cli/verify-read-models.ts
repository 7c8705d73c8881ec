import type Database from 'better-sqlite3';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../event-store/event-store.port';
import { Checkpoints, StoredCheckpoint } from '../projections/engine/checkpoints';
import { ReadModelDb } from '../projections/read-model-db';
import { LockHolder, ownProcessText, processGone } from '../projections/read-models-lock';
import { rebuildReadModels } from '../projections/rebuild';
import { namingDamage, openExplained } from './data-files';
import type { CliIo } from './ledger';
import { progressBar } from './progress-bar';
import { readModelsPathIn } from '../config/data-dir-files';
import { isNoRoom } from '../infrastructure/sqlite/backup';
import { messageOf } from '../shared/application/error-message';

/**
 * Exit code when the read models could not be compared: they never stood at the replay's position,
 * or the verify failed (no event store, a full TMPDIR, a file that could not be read).
 */
export const NOT_COMPARED = 3;

/** How often a running service's read models are looked at again before verify gives up. */
const ATTEMPTS = 5;
/** The pause before looking again at read models that a running service has not caught up yet. */
const CATCH_UP_WAIT_MS = 1_000;
/** Keys shown per kind of difference. */
const SHOWN_KEYS = 3;

export interface VerifyOptions {
  store: EventStore;
  /** The live DATA_DIR/read-models.db: opened read-only, never written or locked. */
  livePath: string;
  /** The embedded store's events.db, named when the replay finds it damaged (none on EventStoreDB). */
  eventsPath: string | undefined;
  /** Where the scratch directory goes (TMPDIR); it is removed afterwards. */
  scratchParent: string;
  /** Whether positions count events (the embedded store) or are byte offsets (EventStoreDB). */
  positionsCountEvents: boolean;
  /** The live process that holds the read models' lock, if any: looked at, never taken. */
  holder: () => LockHolder | undefined;
  io: CliIo;
}

/** Each projection's stored checkpoint, by name. */
type CheckpointsByName = Map<string, StoredCheckpoint>;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

const SCRATCH_PREFIX = 'ledger-verify-';
/** Names the verify that made a scratch directory: `ownProcessText()`. */
const SCRATCH_OWNER = 'owner';

/**
 * Removes the scratch directories of verifies that were killed (SIGKILL, a power cut) before they
 * could: each holds a replay as large as the read models. Only this user's, and only where the
 * owner has certainly exited: a verify in another pid namespace, or one too new to have named
 * itself yet, keeps its directory.
 */
function removeAbandonedScratch(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(SCRATCH_PREFIX));
  } catch {
    return; // mkdtemp says what is wrong with the parent
  }
  for (const name of names) {
    const dir = join(parent, name);
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || stat.uid !== process.getuid?.()) continue;
      if (processGone(readFileSync(join(dir, SCRATCH_OWNER), 'utf8')))
        rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, not named yet, or not ours to read: left as it is.
    }
  }
}

/**
 * `error` naming the scratch directory's parent when it says a disk is full: the replay is the only
 * file a verify writes, and SQLite's "database or disk is full" names none.
 */
function noRoomNamed(scratchParent: string, error: unknown): unknown {
  if (!isNoRoom(error)) return error;
  return new Error(
    `no room for the replay in ${scratchParent} (TMPDIR): ${messageOf(error)}. Free space there, or set TMPDIR to a directory with room for a copy of the read models`,
  );
}

/**
 * `ledger verify`: replays every event into a scratch read-models.db, then compares the live one
 * with it, table by table and row for row. Safe beside a running service: the live file is only
 * read, within one read transaction (a snapshot), and its lock is not taken. Where the service
 * has applied events written after the replay began, the replay goes on to exactly the live
 * checkpoints; where it has not yet applied all the replay has, the live file is looked at again, a
 * bounded number of times. Exit codes: 0 equal, 1 different (or a projection stopped),
 * NOT_COMPARED when the two never stood at one position.
 */
export async function verifyReadModels(options: VerifyOptions): Promise<number> {
  const { io } = options;
  removeAbandonedScratch(options.scratchParent);
  const scratchDir = mkdtempSync(join(options.scratchParent, SCRATCH_PREFIX));
  const removeScratch = () => rmSync(scratchDir, { recursive: true, force: true });
  try {
    writeFileSync(join(scratchDir, SCRATCH_OWNER), ownProcessText());
  } catch (error) {
    removeScratch(); // unnamed, no later verify could tell it is abandoned
    throw noRoomNamed(options.scratchParent, error);
  }
  const interrupted = (signal: NodeJS.Signals) => {
    removeScratch();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let replay: ReadModelDb | undefined;
  let live: Database.Database | undefined;
  try {
    const replayPath = readModelsPathIn(scratchDir);
    replay = ReadModelDb.open({ path: replayPath });
    io.err.write(`Replaying the events into ${replayPath}\n`);
    await replayInto(options, replay, false);
    const livePath = options.livePath;
    live = openExplained(livePath, () => ReadModelDb.open({ path: livePath, readonly: true })).db;
    live.prepare('ATTACH DATABASE ? AS replay').run(replayPath);
    for (let attempt = 1; ; attempt++) {
      // One read transaction: the live checkpoints and every live row compared come from one
      // snapshot, whatever the service commits meanwhile. The replay is read through this
      // connection only after any catch-up: SQLite starts an attached file's snapshot when the
      // transaction first reads it.
      live.exec('BEGIN');
      try {
        const at = new Checkpoints(live).load();
        let replayed = new Checkpoints(replay.db).load();
        const stopped = reportStopped(at, replayed, io);
        if (stopped !== null) return stopped;
        let { behind, before } = standing(at, replayed);
        if (behind.length === 0 && before.length > 0) {
          // The service applied events written after the replay began: replay exactly those.
          await replayInto(options, replay, true, positionsOf(at, replayed));
          replayed = new Checkpoints(replay.db).load();
          ({ behind, before } = standing(at, replayed));
        }
        if (behind.length === 0 && before.length === 0)
          return compareTables(live, replay.readModelTables(), positionOf(replayed), io);
        const holder = options.holder();
        if (attempt === ATTEMPTS || holder?.role !== 'service' || behind.length === 0)
          return notAtOnePosition(options, at, replayed, holder);
      } finally {
        live.exec('COMMIT');
      }
      // The service has not applied every event the replay has yet: look again once it has.
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_WAIT_MS));
    }
  } catch (error) {
    // Damage the replay met is named already, and the scratch file is new: what is left is the
    // live file's, which the comparison reads.
    throw noRoomNamed(options.scratchParent, namingDamage(options.livePath, error));
  } finally {
    live?.close();
    replay?.close();
    removeScratch(); // also when the replay or a comparison failed
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

/**
 * Replays the events into `replay`: all of them, or (resume) from its checkpoints on, to the head
 * or to `upTo`, the positions where the live read models stand.
 */
async function replayInto(
  options: VerifyOptions,
  replay: ReadModelDb,
  resume: boolean,
  upTo?: ReadonlyMap<string, number>,
) {
  const bar = options.io.err.isTTY ? progressBar(options.io.err) : undefined;
  const result = await rebuildReadModels(options.store, replay, {
    onProgress: bar && ((p) => bar.update(p)),
    deferIndexes: !resume,
    resume,
    upTo,
  }).catch((error: unknown) => {
    // The replay reads the events and writes a new file: damage it meets is the events'.
    throw namingDamage(options.eventsPath, error);
  });
  bar?.done();
  options.io.err.write(
    `Replayed ${fmt(result.events)} events in ${result.seconds.toFixed(2)} s${resume ? ' (catching up)' : ''}\n`,
  );
}

const positionIn = (map: CheckpointsByName, name: string) => map.get(name)?.position ?? -1;

/** The projections whose live checkpoint is behind the replay's, and those before it. */
function standing(at: CheckpointsByName, replayed: CheckpointsByName) {
  const names = [...new Set([...at.keys(), ...replayed.keys()])].sort();
  return {
    behind: names.filter((n) => positionIn(at, n) < positionIn(replayed, n)),
    before: names.filter((n) => positionIn(at, n) > positionIn(replayed, n)),
  };
}

/** Each projection's live position (-1 where it has applied nothing). */
function positionsOf(at: CheckpointsByName, replayed: CheckpointsByName) {
  const names = new Set([...at.keys(), ...replayed.keys()]);
  return new Map([...names].map((name) => [name, positionIn(at, name)]));
}

/** The replay's position: every projection that runs stands at the same one after a replay. */
const positionOf = (replayed: CheckpointsByName) =>
  Math.max(-1, ...[...replayed.values()].map((c) => c.position));

/**
 * A projection stopped in the live read models (or in the replay) is no difference to list: its
 * rows stay as of the event it stopped at, and `ledger status` says so too. Null when none is.
 */
function reportStopped(
  at: CheckpointsByName,
  replayed: CheckpointsByName,
  io: CliIo,
): number | null {
  let stopped = false;
  for (const [label, map] of [
    ['the read models', at],
    ['the replay', replayed],
  ] as const)
    for (const [name, c] of [...map].sort()) {
      if (c.error === null) continue;
      const { position, message } = c.error;
      io.out.write(`  ${name.padEnd(14)} STOPPED in ${label} at ${position}: ${message}\n`);
      stopped = true;
    }
  if (!stopped) return null;
  io.out.write(
    'A stopped projection keeps its read models as of the event it stopped at: not compared. See `ledger status` and docs/read-models.md.\n',
  );
  return 1;
}

function notAtOnePosition(
  options: VerifyOptions,
  at: CheckpointsByName,
  replayed: CheckpointsByName,
  holder: LockHolder | undefined,
): number {
  // A projection without a checkpoint row has applied nothing (-1).
  const live = [...new Set([...at.keys(), ...replayed.keys()])].map(
    (name) => at.get(name)?.position ?? -1,
  );
  const low = Math.min(...live);
  const high = Math.max(...live);
  const replay = positionOf(replayed);
  const where = low === high ? `position ${high}` : `positions ${low} to ${high}`;
  const count = (n: number) =>
    options.positionsCountEvents
      ? `${fmt(n)} event${n === 1 ? '' : 's'}`
      : `events up to position ${replay}`;
  let why: string;
  if (holder && holder.role !== 'service')
    why = `a ${holder.role} (pid ${holder.pid}) is writing them; run verify when it is done`;
  else if (high > replay)
    why = holder
      ? `the service wrote ${count(high - replay)} meanwhile; run again, or stop the service for an exact check`
      : 'they are further on than the events: see `ledger status`';
  else if (holder)
    why = `the service has not applied ${count(replay - low)} yet; run again, or stop the service for an exact check`;
  else
    why = `they lack ${count(replay - low)} and no service runs to apply them: start the service and run again, or run \`ledger rebuild\``;
  options.io.out.write(
    `Not compared: the read models stand at ${where}, the replay of the events at position ${replay}: ${why}.\n`,
  );
  return NOT_COMPARED;
}

interface TableDiff {
  rows: number;
  differ: { count: number; keys: string[] };
  missing: { count: number; keys: string[] };
  extra: { count: number; keys: string[] };
}

/**
 * Compares every read-model table of the live file (main) with the replay's, row for row by
 * primary key, every column by value and storage type. Left out, as bookkeeping that legitimately
 * differs (ReadModelDb.readModelTables): rm_checkpoints (compared above, before any row),
 * rm_meta (the store's first event id, an interrupted rebuild's pending indexes) and
 * rm_schema_migrations (when each migration ran).
 */
function compareTables(db: Database.Database, tables: string[], position: number, io: CliIo) {
  io.out.write(`Compared with a replay of the events up to position ${position}:\n`);
  const liveTables = new Set(
    db
      .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[],
  );
  let different = 0;
  for (const table of tables) {
    if (!liveTables.has(table)) {
      io.out.write(`  ${table.padEnd(24)} MISSING: no such table in the read models\n`);
      different++;
      continue;
    }
    const diff = compareTable(db, table);
    const { differ, missing, extra } = diff;
    const equal = differ.count + missing.count + extra.count === 0;
    const rows = `${fmt(diff.rows).padStart(12)} rows`;
    if (equal) {
      io.out.write(`  ${table.padEnd(24)} ${rows}  ok\n`);
      continue;
    }
    different++;
    io.out.write(
      `  ${table.padEnd(24)} ${rows}  DIFFERS: ${fmt(differ.count)} differ, ${fmt(missing.count)} missing, ${fmt(extra.count)} extra\n`,
    );
    for (const [kind, found] of [
      ['differ', differ],
      ['missing', missing],
      ['extra', extra],
    ] as const) {
      for (const key of found.keys) io.out.write(`    ${kind.padEnd(8)} ${key}\n`);
      if (found.count > found.keys.length)
        io.out.write(`    ${kind.padEnd(8)} ... ${fmt(found.count - found.keys.length)} more\n`);
    }
  }
  if (different === 0) {
    io.out.write('ok\n');
    return 0;
  }
  const verdict = different === 1 ? 'table differs' : 'tables differ';
  io.out.write(
    `${different} read-model ${verdict} from the events (missing: rows the replay has and the read models lack; extra: the other way round).\n` +
      'Run `ledger check` first: events missing from events.db are restored from a backup (a rebuild refuses them). ' +
      'Otherwise `ledger rebuild` replaces the read models (stop the service first). It makes them follow the events as they are now: ' +
      'an event changed by hand shows only against a backup.\n',
  );
  return 1;
}

function compareTable(db: Database.Database, table: string): TableDiff {
  const columns = db.pragma(`replay.table_info(${quoted(table)})`) as Array<{
    name: string;
    pk: number;
  }>;
  const keys = columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  // Every rm_ table has a primary key; one without is compared on all its columns.
  const keyColumns = keys.length > 0 ? keys : columns.map((c) => c.name);
  const values = columns.map((c) => c.name).filter((c) => !keyColumns.includes(c));
  const t = quoted(table);
  const on = (a: string, b: string) =>
    keyColumns.map((k) => `${a}.${quoted(k)} IS ${b}.${quoted(k)}`).join(' AND ');
  const keyList = (alias: string) => keyColumns.map((k) => `${alias}.${quoted(k)}`).join(', ');
  const only = (here: string, there: string) =>
    `SELECT ${keyList('a')} FROM ${here}.${t} a WHERE NOT EXISTS (SELECT 1 FROM ${there}.${t} b WHERE ${on('a', 'b')})`;
  const changed = values
    .map(
      (c) =>
        `a.${quoted(c)} IS NOT b.${quoted(c)} OR typeof(a.${quoted(c)}) <> typeof(b.${quoted(c)})`,
    )
    .join(' OR ');
  const found = (sql: string | null) => {
    if (sql === null) return { count: 0, keys: [] };
    const count = db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get() as number;
    const rows = db.prepare(`${sql} ORDER BY ${keyList('a')} LIMIT ${SHOWN_KEYS}`).all() as Array<
      Record<string, unknown>
    >;
    return {
      count,
      keys: rows.map((row) => keyColumns.map((k) => `${k}=${shown(row[k])}`).join(' ')),
    };
  };
  return {
    rows: db.prepare(`SELECT count(*) FROM main.${t}`).pluck().get() as number,
    differ: found(
      changed
        ? `SELECT ${keyList('a')} FROM main.${t} a JOIN replay.${t} b ON ${on('a', 'b')} WHERE ${changed}`
        : null,
    ),
    missing: found(only('replay', 'main')),
    extra: found(only('main', 'replay')),
  };
}

const shown = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);
