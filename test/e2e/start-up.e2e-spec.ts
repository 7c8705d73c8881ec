import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dist } from '../support/compiled';
import { freePort, startService } from '../support/service-process';
import { KEYS, TEST_ENV } from '../support/test-app';

/** The built service with `env`, in its own process on 127.0.0.1. */
function service(env: Record<string, string>) {
  return spawn(process.execPath, [dist('main.js')], {
    env: {
      ...process.env,
      ...TEST_ENV,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the service with `env`, which must refuse to start: answers what it wrote to stderr. */
async function refusedStart(env: Record<string, string>): Promise<string> {
  const child = service(env);
  const exited = once(child, 'exit');
  const stderr: string[] = [];
  child.stderr.on('data', (chunk) => stderr.push(String(chunk)));
  child.stdout.resume();
  // A service that starts anyway is stopped after a while, not left running.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    expect(await exited).toEqual([1, null]);
  } finally {
    clearTimeout(timer);
  }
  return stderr.join('');
}

/** Stops a service as a process manager does (SIGTERM), so that it closes its stores. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return; // it has exited
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const orgKey = { authorization: `Bearer ${KEYS.acmeSandbox}`, 'content-type': 'application/json' };

describe('Start-up (e2e, real process)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-start-up-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('logs the port it bound with PORT=0, and the synchronous mode of the embedded store', async () => {
    const child = service({ DATA_DIR: dataDir, PORT: '0', SQLITE_SYNCHRONOUS: 'normal' });
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (line.includes('points-ledger listening on')) break;
      }
      child.stdout.resume();
      expect(lines).toContainEqual(
        expect.stringContaining(
          `Events are stored in sqlite at ${join(dataDir, 'events.db')} (synchronous=NORMAL)`,
        ),
      );
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(lines.at(-1)!)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await stop(child);
    }
  });

  it('stops when another process took its lock on DATA_DIR (it was paused past the stale time)', async () => {
    const child = service({ DATA_DIR: dataDir, PORT: '0' });
    const exited = once(child, 'exit');
    const output: string[] = [];
    child.stderr.on('data', (chunk) => output.push(String(chunk)));
    for await (const line of createInterface({ input: child.stdout })) {
      output.push(line);
      if (line.includes('points-ledger listening on')) break;
    }
    child.stdout.on('data', (chunk) => output.push(String(chunk)));
    // What a rebuild in another container writes when it takes the lock over.
    writeFileSync(join(dataDir, 'read-models.lock'), `rebuild ${child.pid} 12345 pid:[1]\n`);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // the heartbeat beats every 5 s
    try {
      expect(await exited).toEqual([1, null]);
    } finally {
      clearTimeout(timer);
    }
    expect(output.join('')).toContain(
      `Another process took the lock on ${dataDir} while this one was not running: stopping`,
    );
    expect(readFileSync(join(dataDir, 'read-models.lock'), 'utf8')).toContain('rebuild'); // not ours
  }, 30_000);

  it('refuses a store with an event deleted from the middle of the log', async () => {
    const port = await freePort();
    const first = await startService(dataDir, port);
    try {
      for (const amount of [10, 20, 30]) {
        const credit = await fetch(`http://127.0.0.1:${port}/v1/wallet/credit`, {
          method: 'POST',
          headers: orgKey,
          body: JSON.stringify({ externalUserID: 'gap', amount }),
        });
        expect(credit.status).toBe(200);
      }
    } finally {
      await stop(first);
    }
    const events = join(dataDir, 'events.db');
    const db = new Database(events);
    // Position 1 records how members are named (the first credit wrote it), then the credits.
    const stream = db.prepare('SELECT stream FROM events WHERE position = 3').pluck().get();
    db.prepare('DELETE FROM events WHERE position = 3').run(); // the credit of 20
    db.close();
    // One line, not Nest's log of the same refusal before it.
    expect(await refusedStart({ DATA_DIR: dataDir, PORT: '0' })).toBe(
      `points-ledger did not start: Events are missing from ${events} (positions 1 to 4 hold 3 events: 1 missing; stream ${stream}: revisions 0 to 2 hold 2 events): restore the events from a backup (docs/operations.md)\n`,
    );
  });

  it('refuses a store that lost its events, and leaves no -wal beside it for the events put back', async () => {
    const port = await freePort();
    const first = await startService(dataDir, port);
    try {
      const credit = await fetch(`http://127.0.0.1:${port}/v1/wallet/credit`, {
        method: 'POST',
        headers: orgKey,
        body: JSON.stringify({ externalUserID: 'kept', amount: 10 }),
      });
      expect(credit.status).toBe(200);
    } finally {
      await stop(first);
    }
    const events = join(dataDir, 'events.db');
    renameSync(events, join(dataDir, 'aside.db')); // a volume mounted wrong, say
    expect(await refusedStart({ DATA_DIR: dataDir, PORT: '0' })).toContain(
      'points-ledger did not start: The event store is empty, but the read models were built from it',
    );
    // The refused start closed the empty store it had opened: SQLite removed its -wal and -shm,
    // which the events put back would otherwise have been read with (and overwritten by).
    expect(readdirSync(dataDir).filter((name) => name.startsWith('events.db-'))).toEqual([]);
    renameSync(join(dataDir, 'aside.db'), events);
    const again = await startService(dataDir, port);
    try {
      const wallet = await fetch(`http://127.0.0.1:${port}/v1/wallet?externalUserID=kept`, {
        headers: orgKey,
      });
      expect(((await wallet.json()) as { balance: number }).balance).toBe(10);
    } finally {
      await stop(again);
    }
  });

  it.each(['read-models.db', 'events.db'])(
    'refuses a %s it cannot open in one line that names the file, not with a stack',
    async (name) => {
      const path = join(dataDir, name);
      mkdirSync(path); // no file to open, for root too
      try {
        const refusal = await refusedStart({ DATA_DIR: dataDir, PORT: '0' });
        expect(refusal).toContain(
          `points-ledger did not start: Cannot open ${path}: unable to open database file (SQLITE_CANTOPEN). The service must be able to read and write it`,
        );
        expect(refusal).not.toMatch(/^\s+at /m);
      } finally {
        rmSync(path, { recursive: true });
      }
    },
  );

  it('refuses a webhooks.db that is no database, naming it and what to do', async () => {
    const path = join(dataDir, 'webhooks.db');
    writeFileSync(path, 'not a database, but long enough to look like a header of one');
    try {
      const refusal = await refusedStart({ DATA_DIR: dataDir, PORT: '0' });
      expect(refusal).toContain(
        `points-ledger did not start: Cannot open ${path}: file is not a database (SQLITE_NOTADB).`,
      );
      expect(refusal).toContain('with the service stopped, move it aside;');
      expect(refusal).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(path);
    }
  });

  it('refuses a malformed EVENTSTORE_CONNECTION_STRING in one line, not with a stack', async () => {
    const refusal = await refusedStart({
      DATA_DIR: dataDir,
      PORT: '0',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=maybe',
    });
    expect(refusal).toContain(
      'points-ledger did not start: EVENTSTORE_CONNECTION_STRING is invalid: Unexpected "maybe"',
    );
    expect(refusal).not.toMatch(/^\s+at /m);
  });

  it.each([' Production', 'prod'])(
    'refuses SQLITE_SYNCHRONOUS=OFF with NODE_ENV=%p, naming the variable',
    async (nodeEnv) => {
      const stderr = await refusedStart({
        DATA_DIR: dataDir,
        NODE_ENV: nodeEnv,
        SQLITE_SYNCHRONOUS: 'OFF',
      });
      expect(stderr).toContain(
        'points-ledger did not start: SQLITE_SYNCHRONOUS=OFF is for tests only and refused when NODE_ENV=production',
      );
    },
  );
});
