import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DATA_DIR/read-models.lock: which process writes the read models, as
 * `<role> <pid> <started> <pid namespace>`. Where the system tells them (Linux /proc), the start
 * time and the pid namespace make the pid name one process: a lock left by a crash is known for
 * stale even once its pid is reused, and a pid seen from another namespace (a container) is never
 * mistaken for a local one.
 */
export const READ_MODELS_LOCK_FILE = 'read-models.lock';

export type LockRole = 'service' | 'rebuild';

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
    return (role === 'service' || role === 'rebuild') && Number.isSafeInteger(id) && id > 0
      ? { role, pid: id, started: known(started), namespace: known(namespace) }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined
 * when it does not exist or the system has no /proc.
 */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command, may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote the lock still runs, and not another one under its pid. */
function alive({ pid, started, namespace }: LockHolder): boolean {
  // A pid from another namespace says nothing here: the holder is taken to be alive.
  if (namespace !== undefined && namespace !== ownPidNamespace()) return true;
  if (started !== undefined) return startTimeOf(pid) === started;
  try {
    // Where start times are unknown: any process with this id (EPERM: someone else's) counts.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock on the read models of `dataDir` for `role`, or answers the live process that
 * holds it: the service and a rebuild must never write them at once. A lock naming a dead process
 * (a crash), another process under a reused pid, or this one is stale and taken over. Creating
 * the file is atomic, so two processes that start together cannot both take it.
 */
export function lockReadModels(dataDir: string, role: LockRole): ReadModelsLock | LockHolder {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const identity = [
        role,
        process.pid,
        startTimeOf(process.pid) ?? '-',
        ownPidNamespace() ?? '-',
      ];
      writeFileSync(lockPath(dataDir), `${identity.join(' ')}\n`, { flag: 'wx' });
      return {
        release: () => {
          if (holderOf(dataDir)?.pid === process.pid) rmSync(lockPath(dataDir), { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(dataDir);
    if (holder && holder.pid !== process.pid && alive(holder)) return holder;
    rmSync(lockPath(dataDir), { force: true });
  }
  throw new Error(`Could not take ${lockPath(dataDir)}: other processes keep taking it`);
}

export const isHolder = (lock: ReadModelsLock | LockHolder): lock is LockHolder => 'pid' in lock;
