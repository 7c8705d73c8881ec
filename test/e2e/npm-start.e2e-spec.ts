import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { READ_MODELS_LOCK_FILE } from '../../src/projections/read-models-lock';
import { freePort } from '../support/service-process';
import { TEST_ENV } from '../support/test-app';

const REPOSITORY = resolve(__dirname, '../..');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (e2e, real process)', () => {
  it('hands a SIGTERM sent to npm on to the service, which stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-npm-start-'));
    const port = await freePort();
    // --ignore-scripts skips prestart's build: `npm test` has built already.
    const npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: REPOSITORY,
      env: {
        ...process.env,
        ...TEST_ENV,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let servicePid = 0;
    try {
      const lines = createInterface({ input: npm.stdout! });
      const logged: string[] = [];
      for await (const line of lines) {
        logged.push(line);
        if (line.includes('points-ledger listening on')) break;
      }
      npm.stdout!.resume();
      servicePid = Number(readFileSync(join(dataDir, READ_MODELS_LOCK_FILE), 'utf8').split(' ')[1]);
      // Its output is a pipe here, as under a process manager: no colour escape codes in the log.
      expect(logged.filter((line) => line.includes('\x1b['))).toEqual([]);
      expect(logged.some((line) => line.includes('LOG [EventStore] Events are stored'))).toBe(true);
      expect(isRunning(servicePid)).toBe(true);

      const exited = once(npm, 'exit');
      npm.kill('SIGTERM'); // what a process manager that started `npm start` sends
      await exited;
      // npm waits for the service: gone, with its lock and SQLite's -wal files cleaned up.
      expect(isRunning(servicePid)).toBe(false);
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(false);
      expect(existsSync(join(dataDir, 'events.db-wal'))).toBe(false);
    } finally {
      if (servicePid > 0 && isRunning(servicePid)) process.kill(servicePid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
