import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runLedgerHere } from '../support/ledger-cli';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { ownProcessText, READ_MODELS_LOCK_FILE } from '../../src/projections/read-models-lock';
import { dist } from '../support/compiled';
import { createOffer, credit } from '../support/fixtures';
import { freePort, kill, startService } from '../support/service-process';
import { api, KEYS } from '../support/test-app';
import { credited } from '../support/wallet-events';

/** `ledger verify`: the read models against a replay of the events, row for row. */
/** A page of `table`'s rows made no page at all: only a read of those rows finds it. */
function damage(file: string, table: string): void {
  const db = new Database(file, { readonly: true });
  const size = db.pragma('page_size', { simple: true }) as number;
  const leaves = db
    .prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno")
    .pluck()
    .all(table) as number[];
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size, 0xff), 0, size, (leaves[leaves.length >> 1] - 1) * size);
  closeSync(fd);
}

/** What the CLI says of a damaged database file. */
const damagedFile = (file: string) =>
  `Cannot open ${file}: database disk image is malformed (SQLITE_CORRUPT). The file is damaged, or is no database: \`ledger rebuild\` replaces a read-models.db, and an events.db is restored from a backup (docs/operations.md).`;

describe('ledger verify (integration)', () => {
  let dir: string;
  let scratch: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-spec-'));
    scratch = join(dir, 'tmp'); // TMPDIR: where verify makes its scratch directory
    mkdirSync(scratch);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI in this process; `onErr` sees each message to stderr as it is written. */
  const run = (argv: string[], onErr?: (message: string) => void) =>
    runLedgerHere(argv, { DATA_DIR: dir, TMPDIR: scratch }, onErr);

  const write = async (members: number, each: number) => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let m = 0; m < members; m++) {
      const events = Array.from({ length: each }, () => credited(`m${m}`, 1));
      await store.append(`wallet-sandbox.acme.m${m}`, events, 'any');
    }
    await store.close();
  };

  /** As `write(members, 1)` for new members, but in a process of its own, blocking this one. */
  const appendSync = (members: number) => {
    const events = Array.from({ length: members }, () => credited(`m-${randomUUID()}`, 1));
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(dist('infrastructure/sqlite/sqlite-event-store.js'))});
      const events = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      (async () => {
        const store = SqliteEventStore.open({ path: process.env.EVENTS_DB });
        for (const event of events)
          await store.append('wallet-sandbox.acme.' + event.metadata.externalUserID, [event], 'any');
        await store.close();
      })();`;
    const appended = spawnSync(process.execPath, ['-e', script], {
      input: JSON.stringify(events),
      env: { ...process.env, EVENTS_DB: join(dir, 'events.db') },
    });
    expect(appended.stderr.toString()).toBe('');
    expect(appended.status).toBe(0);
  };

  const edit = (sql: string) => {
    const db = new Database(join(dir, 'read-models.db'));
    db.exec(sql);
    db.close();
  };

  it('says ok and exits 0 when the read models equal the replay, and leaves no scratch behind', async () => {
    await write(5, 3);
    expect((await run(['rebuild'])).code).toBe(0);
    const live = readFileSync(join(dir, 'read-models.db'));
    const result = await run(['verify']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Compared with a replay of the events up to position 15:\n/);
    expect(result.out).toMatch(/\n {2}rm_wallets\s+5 rows {2}ok\n/);
    expect(result.out).toMatch(/\nok\n$/);
    expect(result.out).not.toContain('DIFFERS');
    expect(readdirSync(scratch)).toEqual([]);
    // It only reads: the live file is as it was, and no lock was taken.
    expect(readFileSync(join(dir, 'read-models.db')).equals(live)).toBe(true);
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);
  });

  it("removes the scratch a killed verify left, and no other verify's", async () => {
    await write(5, 3);
    expect((await run(['rebuild'])).code).toBe(0);
    const scratchOf = (name: string, owner?: string) => {
      mkdirSync(join(scratch, name));
      writeFileSync(join(scratch, name, 'read-models.db'), 'a replay');
      if (owner !== undefined) writeFileSync(join(scratch, name, 'owner'), owner);
    };
    // A verify that was killed: its process has exited (its pid is free, or another process's).
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    scratchOf('ledger-verify-killed', ownProcessText().replace(/^\d+ \S+/, `${exited} -`));
    scratchOf('ledger-verify-running', ownProcessText()); // this process runs
    scratchOf('ledger-verify-unnamed'); // made, its owner not written yet
    scratchOf('ledger-verify-elsewhere', `${exited} - pid:[1]`); // another pid namespace
    expect((await run(['verify'])).code).toBe(0);
    expect(readdirSync(scratch).sort()).toEqual([
      'ledger-verify-elsewhere',
      'ledger-verify-running',
      'ledger-verify-unnamed',
    ]);
  });

  it('exits 3, not 1 (they differ), when it cannot replay: here a TMPDIR that does not exist', async () => {
    await write(2, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    rmSync(scratch, { recursive: true });
    const result = await run(['verify']);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^ledger: verify could not compare: ENOENT.*ledger-verify-/);
    expect(result.out).toBe('');
  });

  it('names TMPDIR when it is full, and leaves no scratch behind there', async () => {
    await write(2, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    // The module object itself, as the compiled verify calls it (an import * is a frozen copy).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    const full = jest.spyOn(fs, 'writeFileSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      const result = await run(['verify']);
      expect([result.code, result.err]).toEqual([
        3,
        `ledger: verify could not compare: no room for the replay in ${scratch} (TMPDIR): ENOSPC: no space left on device, write. Free space there, or set TMPDIR to a directory with room for a copy of the read models\n`,
      ]);
    } finally {
      full.mockRestore();
    }
    expect(readdirSync(scratch)).toEqual([]);
    expect((await run(['verify'])).code).toBe(0);
  });

  it('exits 3 when there is no event store to replay (a mistyped DATA_DIR)', async () => {
    const result = await run(['verify']);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^ledger: verify could not compare: No event store at /);
  });

  it('names the events file when a rebuild finds it damaged, and leaves the read models as they were', async () => {
    await write(100, 50);
    expect((await run(['rebuild'])).code).toBe(0);
    const readModels = join(dir, 'read-models.db');
    const built = readFileSync(readModels);
    const events = join(dir, 'events.db');
    damage(events, 'events');
    // The command fails with the message `ledger` prints before it exits 1.
    await expect(run(['rebuild'])).rejects.toThrow(damagedFile(events));
    expect(readFileSync(readModels).equals(built)).toBe(true);
  });

  it('names the file it finds damaged, the events or the read models, and exits 3', async () => {
    await write(100, 50);
    expect((await run(['rebuild'])).code).toBe(0);
    const damaged = (file: string) => `ledger: verify could not compare: ${damagedFile(file)}`;
    const readModels = join(dir, 'read-models.db');
    const whole = readFileSync(readModels);
    damage(readModels, 'rm_transactions'); // read by the comparison only
    const live = await run(['verify']);
    expect([live.code, live.err.split('\n').at(-2)]).toEqual([3, damaged(readModels)]);
    writeFileSync(readModels, whole);
    const events = join(dir, 'events.db');
    damage(events, 'events'); // read by the replay, not by the check for missing events
    const replayed = await run(['verify']);
    expect([replayed.code, replayed.err.split('\n').at(-2)]).toEqual([3, damaged(events)]);
  });

  it('names the table and the keys of rows that differ, are missing or are extra, and exits 1', async () => {
    await write(5, 3);
    expect((await run(['rebuild'])).code).toBe(0);
    edit(`
      UPDATE rm_wallets SET balance = balance + 1 WHERE external_user_id = 'm1';
      UPDATE rm_analytics_totals SET points_minted = points_minted - 1;
      DELETE FROM rm_transactions WHERE position = 7;
      INSERT INTO rm_members VALUES ('sandbox.acme', 'ghost', NULL, 0, 999999, 'default', NULL, NULL, NULL);
    `);
    // SQLite sees nothing wrong with any of it.
    expect((await run(['check'])).code).toBe(0);
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    const tenant = (
      new Database(join(dir, 'read-models.db'), { readonly: true })
        .prepare('SELECT tenant FROM rm_wallets LIMIT 1')
        .pluck()
        .get() as string
    ).replaceAll('"', '');
    expect(result.out).toMatch(
      /\n {2}rm_wallets\s+5 rows {2}DIFFERS: 1 differ, 0 missing, 0 extra\n {4}differ +tenant="[^"]+" external_user_id="m1"\n/,
    );
    expect(result.out).toMatch(
      new RegExp(
        `\\n {2}rm_analytics_totals\\s+1 rows {2}DIFFERS: 1 differ, 0 missing, 0 extra\\n {4}differ +tenant="${tenant}"\\n`,
      ),
    );
    expect(result.out).toMatch(
      /\n {2}rm_transactions\s+14 rows {2}DIFFERS: 0 differ, 1 missing, 0 extra\n {4}missing +position=7\n/,
    );
    expect(result.out).toMatch(
      /\n {2}rm_members\s+\d+ rows {2}DIFFERS: 0 differ, 0 missing, 1 extra\n {4}extra +tenant="sandbox.acme" external_user_id="ghost"\n/,
    );
    expect(result.out).toMatch(/\n {2}rm_redemptions\s+0 rows {2}ok\n/);
    expect(result.out).toContain('4 read-model tables differ from the events');
    expect(result.out).not.toMatch(/\nok\n/);
    expect(readdirSync(scratch)).toEqual([]);

    expect((await run(['rebuild'])).code).toBe(0);
    expect((await run(['verify'])).code).toBe(0);
  });

  it('shows the first few keys of many differences and counts the rest', async () => {
    await write(8, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    edit('UPDATE rm_wallets SET credited = credited + 1');
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('DIFFERS: 8 differ, 0 missing, 0 extra\n');
    expect(result.out).toContain('    differ   ... 5 more\n');
  });

  it('tells a value of another storage type from an equal one', async () => {
    await write(1, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    // The sums have no declared type: '1' stays text, and reads differently from the number 1.
    edit('UPDATE rm_analytics_totals SET points_minted = CAST(points_minted AS TEXT)');
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/rm_analytics_totals\s+1 rows {2}DIFFERS: 1 differ/);
  });

  it('reports a stopped projection as such, not as a difference', async () => {
    await write(2, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    edit(
      "UPDATE rm_checkpoints SET error_position = 2, error = 'bad event' WHERE name = 'analytics'",
    );
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('  analytics      STOPPED in the read models at 2: bad event\n');
    expect(result.out).not.toContain('DIFFERS');
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('does not compare read models at another position than the replay, and says why', async () => {
    await write(2, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    await write(3, 1); // appended with no service running to apply them
    const result = await run(['verify']);
    expect(result.code).toBe(3);
    expect(result.out).toBe(
      'Not compared: the read models stand at position 2, the replay of the events at position 5: they lack 3 events and no service runs to apply them: start the service and run again, or run `ledger rebuild`.\n',
    );
    expect(readdirSync(scratch)).toEqual([]);

    // Read models a service would not serve as they are are reported without a replay.
    rmSync(join(dir, 'events.db'));
    await write(1, 1);
    const other = await run(['verify']);
    expect(other.code).toBe(1);
    expect(other.out).toContain(
      'Not compared: The read models were built from another event store',
    );
    rmSync(join(dir, 'read-models.db'));
    expect(await run(['verify'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('no read models at'),
    });
  });

  it('replays on to exactly where the read models stand when they moved on during its replay', async () => {
    await write(2, 1);
    expect((await run(['rebuild'])).code).toBe(0);
    // Right after verify's first replay (to position 2), and before it looks at the live file,
    // other processes append 3 events, bring the live read models to them, and append 2 more that
    // nothing applies: as a service's writes and its projection would, but at a known moment.
    let moved = false;
    const moveOn = (message: string) => {
      if (moved || !message.startsWith('Replayed ')) return;
      moved = true;
      appendSync(3);
      const rebuilt = spawnSync(process.execPath, [dist('cli/ledger.js'), 'rebuild'], {
        env: { ...process.env, DATA_DIR: dir },
      });
      expect(rebuilt.status).toBe(0);
      appendSync(2);
    };
    const result = await run(['verify'], moveOn);
    expect(moved).toBe(true);
    expect(result).toMatchObject({ code: 0, out: expect.stringMatching(/\nok\n$/) });
    expect(result.out).toMatch(/^Compared with a replay of the events up to position 5:\n/);
    expect(result.err).toMatch(/\nReplayed \d+ events in [\d.]+ s \(catching up\)\n$/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('compares the read models of a service that writes all the while, where they stand', async () => {
    const port = await freePort();
    const service = await startService(dir, port);
    try {
      const org = api(`http://127.0.0.1:${port}`, KEYS.acmeSandbox);
      const offer = await createOffer(org, { pointsPrice: 1, maxPerMember: 100_000 });
      let busy = true;
      let written = 0;
      // Credits and redemptions, without a pause, until verify has answered.
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; busy; i++) {
          await credit(org, `busy-${w}`, 2);
          const redeemed = await org(
            'POST',
            '/v1/redemptions',
            { offer, externalUserID: `busy-${w}` },
            { 'Idempotency-Key': `busy-${w}-${i}` },
          );
          expect(redeemed.status).toBe(201);
          written++;
        }
      });
      while (written < 50) await credit(org, 'warm-up', 1);
      // How the writes interleave with verify's steps is left to chance here; the test above
      // pins one interleaving down.
      const result = await run(['verify']);
      busy = false;
      await Promise.all(writers);

      expect(result).toMatchObject({ code: 0, out: expect.stringMatching(/\nok\n$/) });
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      await kill(service);
    }
  });

  it('removes its scratch directory when it is ended by SIGTERM during the replay', async () => {
    await write(150, 1000);
    expect((await run(['rebuild'])).code).toBe(0);
    const cli = spawn(process.execPath, [dist('cli/ledger.js'), 'verify'], {
      env: { ...process.env, DATA_DIR: dir, TMPDIR: scratch },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(cli, 'exit');
    for await (const line of createInterface({ input: cli.stderr! }))
      if (line.startsWith('Replaying')) break;
    expect(readdirSync(scratch)).toHaveLength(1);
    cli.kill('SIGTERM');
    expect(await exited).toEqual([null, 'SIGTERM']);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
