import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** DATA_DIR/read-models.lock: which process writes the read models, as `<role> <pid>`. */
export const READ_MODELS_LOCK_FILE = 'read-models.lock';

export type LockRole = 'service' | 'rebuild';

export interface LockHolder {
  role: LockRole;
  pid: number;
}

export interface ReadModelsLock {
  /** Gives the lock up, if this process still holds it. */
  release(): void;
}

const lockPath = (dataDir: string) => join(dataDir, READ_MODELS_LOCK_FILE);

function holderOf(dataDir: string): LockHolder | undefined {
  try {
    const [role, pid] = readFileSync(lockPath(dataDir), 'utf8').trim().split(' ');
    const id = Number(pid);
    return (role === 'service' || role === 'rebuild') && Number.isSafeInteger(id) && id > 0
      ? { role, pid: id }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id is alive (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock on the read models of `dataDir` for `role`, or answers the live process that
 * holds it: the service and a rebuild must never write them at once. A lock naming a dead process
 * (a crash) or this one is stale and taken over. Creating the file is atomic, so two processes
 * that start together cannot both take it.
 */
export function lockReadModels(dataDir: string, role: LockRole): ReadModelsLock | LockHolder {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath(dataDir), `${role} ${process.pid}\n`, { flag: 'wx' });
      return {
        release: () => {
          if (holderOf(dataDir)?.pid === process.pid) rmSync(lockPath(dataDir), { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(dataDir);
    if (holder && holder.pid !== process.pid && alive(holder.pid)) return holder;
    rmSync(lockPath(dataDir), { force: true });
  }
  throw new Error(`Could not take ${lockPath(dataDir)}: other processes keep taking it`);
}

export const isHolder = (lock: ReadModelsLock | LockHolder): lock is LockHolder => 'pid' in lock;
