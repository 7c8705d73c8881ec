import {
  linkSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from '../infrastructure/private-files';
import { codeOf, messageOf } from '../shared/application/error-message';

/**
 * DATA_DIR/read-models.lock: which process writes the read models, as
 * `<role> <pid> <started> <pid namespace>`. Where the system tells them (Linux /proc), the start
 * time and the pid namespace make the pid name one process: a lock left by a crash is known for
 * stale even once its pid is reused, and a pid seen from another namespace (a container) is never
 * mistaken for a local one, though containers all run their service as pid 1. Such a holder cannot
 * be looked up from here: its lock is live while its holder touches it (every HEARTBEAT_MS), and
 * stale once it has not for FOREIGN_STALE_MS (a container that crashed).
 */
export const READ_MODELS_LOCK_FILE = 'read-models.lock';

const ROLES = ['service', 'rebuild', 'restore'] as const;
export type LockRole = (typeof ROLES)[number];
const isRole = (value: string): value is LockRole => (ROLES as readonly string[]).includes(value);

export interface LockHolder {
  role: LockRole;
  pid: number;
  /** The holder's start time and pid namespace, when known (absent in older locks). */
  started?: string;
  namespace?: string;
}

export interface ReadModelsLock {
  /** Gives the lock up, if this process still holds it. */
  release(): void;
  /**
   * Whether this process still holds the lock, touching it if so: before a step that must not run
   * beside another holder, after a long synchronous one (the heartbeat could not run meanwhile, and
   * a process in another container may have found the lock stale and taken it).
   */
  stillHeld(): boolean;
  /**
   * Cheap enough for every commit: true while the lock was seen held less than half of
   * FOREIGN_STALE_MS ago (no other process can have found it stale since), else stillHeld().
   */
  surelyHeld(): boolean;
}

const lockPath = (dataDir: string) => join(dataDir, READ_MODELS_LOCK_FILE);

/** '-' (or nothing, in older locks) stands for a value the writer's system did not tell. */
const known = (value: string | undefined) => (value === '-' ? undefined : value);

function holderOf(dataDir: string): LockHolder | undefined {
  try {
    const [role, pid, started, namespace] = readFileSync(lockPath(dataDir), 'utf8')
      .trim()
      .split(' ');
    const id = Number(pid);
    return isRole(role) && Number.isSafeInteger(id) && id > 0
      ? { role, pid: id, started: known(started), namespace: known(namespace) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Fields 3 (state) and 22 (start time, in clock ticks since boot) of /proc/<pid>/stat. */
function statOf(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command, may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], started: fields[19] };
  } catch {
    return undefined;
  }
}

/** When process `pid` started; undefined when it does not exist or the system has no /proc. */
export function startTimeOf(pid: number): string | undefined {
  return statOf(pid)?.started;
}

function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** How often a holder touches its lock, and how long one from another pid namespace lives without. */
export const HEARTBEAT_MS = 5_000;
export const FOREIGN_STALE_MS = 30_000;

/**
 * What to say beside a refusal: a holder in another pid namespace (a container) cannot be seen
 * to have died, so its lock is only taken over once its heartbeat stops for FOREIGN_STALE_MS.
 */
export function staleLockHint(dataDir: string): string {
  return `(A process in another container that no longer runs? Its lock, ${lockPath(dataDir)}, is taken over ${FOREIGN_STALE_MS / 1000} s after it stopped.)`;
}

/** This process, as a lock names it. */
function ownIdentity(): {
  pid: number;
  started: string | undefined;
  namespace: string | undefined;
} {
  return { pid: process.pid, started: startTimeOf(process.pid), namespace: ownPidNamespace() };
}

/**
 * Whether the lock names this very process: its pid, and its start time and pid namespace where
 * the lock has them. The pid alone is not enough: a service in another container is pid 1 too.
 */
function isOwn(holder: LockHolder): boolean {
  const own = ownIdentity();
  const same = (theirs: string | undefined, ours: string | undefined) =>
    theirs === undefined || theirs === ours;
  return (
    holder.pid === own.pid &&
    same(holder.started, own.started) &&
    same(holder.namespace, own.namespace)
  );
}

/** A process as a lock names it; undefined where the writer's system did not tell. */
type ProcessIdentity = Pick<LockHolder, 'pid' | 'started' | 'namespace'>;

/** This process, as `<pid> <start time> <pid namespace>`: a file's owner that processGone reads. */
export function ownProcessText(): string {
  const own = ownIdentity();
  return [own.pid, own.started ?? '-', own.namespace ?? '-'].join(' ');
}

/**
 * Whether the process an ownProcessText() names has certainly exited. Not where that cannot be
 * told (another pid namespace, whose pids mean other processes here), nor for a text it cannot read.
 */
export function processGone(text: string): boolean {
  const [pid, started, namespace] = text.trim().split(' ');
  const identity = { pid: Number(pid), started: known(started), namespace: known(namespace) };
  if (!Number.isSafeInteger(identity.pid) || identity.pid <= 0) return false;
  if (identity.namespace !== undefined && identity.namespace !== ownPidNamespace()) return false;
  return !alive(identity, '');
}

/** Whether the process that wrote the lock still runs, and not another one under its pid. */
function alive({ pid, started, namespace }: ProcessIdentity, path: string): boolean {
  // A pid from another namespace cannot be looked up here: its holder's heartbeat tells.
  if (namespace !== undefined && namespace !== ownPidNamespace())
    return Date.now() - modifiedMs(path) < FOREIGN_STALE_MS;
  if (started !== undefined) {
    // A zombie (Z) or dying (X) process has exited: its parent just has not reaped it yet.
    const stat = statOf(pid);
    return (
      stat !== undefined && stat.started === started && stat.state !== 'Z' && stat.state !== 'X'
    );
  }
  try {
    // Where start times are unknown: any process with this id (EPERM: someone else's) counts.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/**
 * Creates `path` holding `text`, or fails with EEXIST: the text is written to a file of this
 * process's own first and linked in, so nobody ever sees the lock half written.
 */
function createWith(path: string, text: string): void {
  const draft = `${path}.${process.pid}.${Date.now()}`;
  try {
    // Inside the try: on a full disk the draft is created but not written, and must not stay.
    writeFileSync(draft, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
    linkSync(draft, path);
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Takes the lock on the read models of `dataDir` for `role`, or answers the live process that
 * holds it: the service and a rebuild must never write them at once. A lock naming a dead process
 * (a crash), another process under a reused pid, or this one is stale and taken over. Creating the
 * lock is atomic, and so is taking over a stale one: a process first creates `<lock>.takeover`,
 * then checks the lock again, so that two processes that start together cannot both take it.
 * `onLost` is called once if the heartbeat (or surelyHeld) finds that another process took it.
 */
export function lockReadModels(
  dataDir: string,
  role: LockRole,
  onLost: () => void = () => undefined,
): ReadModelsLock | LockHolder {
  try {
    makePrivateDirectory(dataDir);
  } catch (error) {
    throw cannotCreate(dataDir, error);
  }
  const path = lockPath(dataDir);
  const text = `${role} ${ownProcessText()}\n`;
  // Also when the process exits without releasing it (a start that fails, process.exit).
  const releaseAtExit = () => lock.release();
  let heartbeat: NodeJS.Timeout | undefined;
  let seenHeldAt = 0;
  const held = () => {
    const holder = holderOf(dataDir);
    return holder !== undefined && isOwn(holder);
  };
  // Taken over while this process could not beat (paused for longer than FOREIGN_STALE_MS):
  // another process may be replacing the files, so this one must stop writing them.
  const lost = () => {
    if (heartbeat === undefined) return;
    clearInterval(heartbeat);
    heartbeat = undefined;
    onLost();
  };
  const lock: ReadModelsLock = {
    release: () => {
      process.removeListener('exit', releaseAtExit);
      clearInterval(heartbeat);
      heartbeat = undefined;
      if (held()) rmSync(path, { force: true });
    },
    stillHeld: () => {
      if (!held()) return false;
      touch(path);
      seenHeldAt = Date.now();
      return true;
    },
    surelyHeld: () => {
      if (Date.now() - seenHeldAt < FOREIGN_STALE_MS / 2) return true;
      if (lock.stillHeld()) return true;
      lost();
      return false;
    },
  };
  const taken = () => {
    process.once('exit', releaseAtExit);
    seenHeldAt = Date.now();
    heartbeat = setInterval(() => {
      if (!lock.stillHeld()) lost();
    }, HEARTBEAT_MS).unref();
    return lock;
  };
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    try {
      createWith(path, text);
      return taken();
    } catch (error) {
      const code = codeOf(error);
      // Node's message names the draft file (read-models.lock.<pid>.<ms>), not what to do.
      if (code !== 'EEXIST') throw cannotCreate(path, error);
    }
    const holder = holderOf(dataDir);
    if (holder && !isOwn(holder) && alive(holder, path)) return holder;
    if (takeOver(path, text)) return taken();
    pause(TAKEOVER_PAUSE_MS); // another process is taking it over: see what it ends with
  }
  throw new Error(`Could not take ${path}: other processes keep taking it`);
}

/** DATA_DIR, or the lock in it, could not be made: what it must be, not only the system's code. */
const cannotCreate = (path: string, error: unknown) =>
  new Error(
    `Cannot create ${path}: ${codeOf(error) ?? messageOf(error)}. DATA_DIR must be a directory that the user running the service can write in.`,
  );
const TAKEOVER_ATTEMPTS = 50;
const TAKEOVER_PAUSE_MS = 10;
/** A takeover takes microseconds: a marker older than this was left by a process that died in one. */
const TAKEOVER_STALE_MS = 5_000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Replaces a lock found stale, unless another process is doing so: only the one that creates
 * `<lock>.takeover` may, and it checks under that marker that the lock is still stale.
 */
function takeOver(path: string, text: string): boolean {
  const marker = `${path}.takeover`;
  try {
    createWith(marker, text);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    if (Date.now() - modifiedMs(marker) > TAKEOVER_STALE_MS) rmSync(marker, { force: true });
    return false;
  }
  try {
    const holder = holderOf(dirname(path));
    if (holder && !isOwn(holder) && alive(holder, path)) return false;
    rmSync(path, { force: true });
    try {
      createWith(path, text);
      return true;
    } catch (error) {
      // A process that found no lock at all took it in the meantime.
      if (codeOf(error) === 'EEXIST') return false;
      throw error;
    }
  } finally {
    rmSync(marker, { force: true });
  }
}

/** The heartbeat: a holder in another pid namespace sees the lock is still held. */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // Gone (released meanwhile) or not writable: the next beat tries again.
  }
}

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * The live process that holds the lock on the read models of `dataDir`, if any, without taking
 * it: for a command that only reads them beside a service (`ledger verify`).
 */
export function liveHolder(dataDir: string): LockHolder | undefined {
  const holder = holderOf(dataDir);
  return holder && !isOwn(holder) && alive(holder, lockPath(dataDir)) ? holder : undefined;
}

export const isHolder = (lock: ReadModelsLock | LockHolder): lock is LockHolder => 'pid' in lock;
