import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** DATA_DIR/service.pid: the process id of the service that serves this data directory. */
export const SERVICE_PID_FILE = 'service.pid';

function markedPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, SERVICE_PID_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
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
 * Marks `dataDir` as served by this process, so that `ledger rebuild` refuses to run beside it.
 * The mark goes when the process exits normally; one left behind names a dead process, which
 * counts as none.
 */
export function markServing(dataDir: string): void {
  writeFileSync(join(dataDir, SERVICE_PID_FILE), `${process.pid}\n`);
  process.once('exit', () => {
    if (markedPid(dataDir) === process.pid) unlinkSync(join(dataDir, SERVICE_PID_FILE));
  });
}

/** The id of another live process that serves `dataDir`, or undefined. */
export function runningServiceIn(dataDir: string): number | undefined {
  const pid = markedPid(dataDir);
  return pid !== undefined && pid !== process.pid && alive(pid) ? pid : undefined;
}
