import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  watch,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CliIo, main } from '../../src/cli/ledger';
import { restoreEvents } from '../../src/cli/events-backup';
import * as backupModule from '../../src/infrastructure/sqlite/backup';
import { WriteSetExecutor } from '../../src/projections/engine/write-set';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import {
  FOREIGN_STALE_MS,
  isHolder,
  lockReadModels,
  READ_MODELS_LOCK_FILE,
  startTimeOf,
} from '../../src/projections/read-models-lock';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { credited } from '../support/wallet-events';
import { dist } from '../support/compiled';
import { runLedgerHere } from '../support/ledger-cli';

describe('ledger CLI (integration)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const quiet: CliIo = { out: { write: () => true }, err: { write: () => true } };

  const run = (argv: string[]) => runLedgerHere(argv, { DATA_DIR: dir });

  /** An events.db of 200 members with a credit each; its path. */
  const storeOf200Members = async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (let member = 0; member < 200; member++)
      await store.append(
        `wallet-sandbox.acme.m${member}`,
        [credited(`m${member}`, 1)],
        'no_stream',
      );
    await store.close();
    return path;
  };

  /** Damage deep inside a file, where opening it sees nothing wrong: every other middle page. */
  const overwriteMiddlePages = (path: string) => {
    const pages = Math.floor(statSync(path).size / 4096);
    const file = openSync(path, 'r+');
    for (let page = Math.floor(pages / 3); page < Math.floor((pages * 2) / 3); page += 2)
      writeSync(file, randomBytes(4096), 0, 4096, page * 4096);
    closeSync(file);
  };

  /** An events.db of one credit, and its backup. */
  const storeWithBackup = async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    const backup = join(dir, 'a.backup');
    expect((await run(['backup', backup])).code).toBe(0);
    return { path, backup };
  };

  it('lists every projection in status, also before any has stored a checkpoint', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10), credited('a', 5)], 'no_stream');
    await store.close();

    const before = await run(['status']);
    expect(before.code).toBe(0);
    expect(existsSync(join(dir, 'read-models.db'))).toBe(false); // status only looks
    // An emptied read-models.db (truncated) holds no read models either: said alike, not an error.
    writeFileSync(join(dir, 'read-models.db'), '');
    expect(await run(['status'])).toEqual(before);
    expect(await run(['verify'])).toEqual({
      code: 1,
      out: '',
      err: `ledger: no read models at ${join(dir, 'read-models.db')}: nothing to verify (the service builds them when it starts)\n`,
    });
    const lines = before.out.trim().split('\n');
    expect(lines[0]).toBe('Head of $all: 2');
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/))).toEqual(
      ['analytics', 'offers', 'redemptions', 'transactions', 'wallets'].map((name) => [
        name,
        'checkpoint',
        '-1',
        'lag',
        '2',
        'ok',
      ]),
    );

    expect((await run(['rebuild'])).code).toBe(0);
    const after = await run(['status']);
    expect(after.out).toMatch(/wallets\s+checkpoint\s+2\s+lag\s+0\s+ok/);
  });

  it('refuses to rebuild beside a live service on the same DATA_DIR, and ignores a dead one', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0);
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false); // released

    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `service ${process.ppid}\n`); // a live process
    const refused = await run(['rebuild']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `a service (pid ${process.ppid}) writes the read models in ${dir}`,
    );
    expect((await run(['status'])).out).toMatch(/wallets\s+checkpoint\s+1\s/);

    const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `service ${gone}\n`);
    expect((await run(['rebuild'])).code).toBe(0);
  });

  it('knows a live holder by its start time, so that a crashed one is stale even once its pid is reused', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    const namespace = readlinkSync('/proc/self/ns/pid');
    const lock = (text: string) => writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `${text}\n`);

    lock(`service ${process.ppid} ${startTimeOf(process.ppid)} ${namespace}`); // alive
    expect((await run(['rebuild'])).code).toBe(1);

    // The pid of a holder that crashed, now another process's (it started at another time).
    lock(`service ${process.ppid} 1 ${namespace}`);
    expect((await run(['rebuild'])).code).toBe(0);
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);

    // A pid from another pid namespace (a container) cannot be looked up here: the lock is live
    // while its holder touches it, even when it names this process's pid (containers all run
    // their service as pid 1), and stale once it has not been touched for FOREIGN_STALE_MS.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    for (const pid of [gone, process.pid]) {
      lock(`service ${pid} 12345 pid:[1]`);
      const refused = await run(['rebuild']);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(
        `(A process in another container that no longer runs? Its lock, ${join(dir, READ_MODELS_LOCK_FILE)}, is taken over 30 s after it stopped.)`,
      );
      const stale = new Date(Date.now() - FOREIGN_STALE_MS - 1_000);
      utimesSync(join(dir, READ_MODELS_LOCK_FILE), stale, stale);
      expect((await run(['rebuild'])).code).toBe(0);
    }
  });

  it('gives up only its own lock: one another container took over is left in place', () => {
    const lock = lockReadModels(dir, 'service');
    expect(isHolder(lock)).toBe(false);
    const other = `service ${process.pid} 12345 pid:[1]\n`; // the same pid, in another container
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), other);
    if (!isHolder(lock)) lock.release();
    expect(readFileSync(join(dir, READ_MODELS_LOCK_FILE), 'utf8')).toBe(other);
  });

  it('keeps the service from starting while a rebuild, a restore or another service holds the read models', async () => {
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `rebuild ${process.ppid}\n`);
    await expect(createApp(loadConfig({ DATA_DIR: dir }), { logger: false })).rejects.toThrow(
      `A rebuild (pid ${process.ppid}) is writing the read models in ${dir}`,
    );
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `restore ${process.ppid}\n`);
    await expect(createApp(loadConfig({ DATA_DIR: dir }), { logger: false })).rejects.toThrow(
      `A restore (pid ${process.ppid}) is replacing the events in ${dir}`,
    );
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `service ${process.ppid}\n`);
    const refused: Error = await createApp(loadConfig({ DATA_DIR: dir }), { logger: false }).then(
      () => new Error('started'),
      (error: Error) => error,
    );
    expect(refused.message).toContain(
      `Another service (pid ${process.ppid}) runs on ${dir}: two services cannot share a DATA_DIR`,
    );
    // A holder in another container cannot be seen to have died: when its lock is taken over.
    expect(refused.message).toMatch(/is taken over 30 s after it stopped\.\)$/);
    // Nest logs a failed start with the error's stack: one line for the operator, no frames.
    expect(refused.stack).toBe(`StartRefused: ${refused.message}`);
    // Refused before any store is opened: no events.db, -wal or -shm to meet a restored file.
    expect(readdirSync(dir)).toEqual([READ_MODELS_LOCK_FILE]);
  });

  it('answers an unknown command with the usage and exit code 2, and a missing store with an error', async () => {
    const unknown = await run(['rebuld']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Usage: ledger <command>');
    for (const asked of [[], ['help'], ['--help'], ['-h']])
      expect(await run(asked)).toEqual({
        code: 0,
        out: expect.stringContaining('Usage: ledger <command>'),
        err: '',
      });
    for (const command of ['backup', 'restore'])
      expect(await run([command])).toEqual({
        code: 2,
        out: '',
        err: expect.stringMatching(new RegExp(`^Usage: ledger ${command} <file> `)),
      });
    await expect(run(['status'])).rejects.toThrow(/No event store at .*events\.db/);
  });

  it('refuses extra or unknown arguments with the usage and exit code 2, and runs nothing', async () => {
    const refused = async (argv: string[]) => {
      const result = await run(argv);
      expect(result).toEqual({ code: 2, out: '', err: expect.stringContaining('Usage: ledger') });
      expect(result.err).toContain(`ledger: ${argv[0]} does not take '`);
    };
    // Without a store, where a backup would fail: `--to` is refused as an option, not a file.
    await refused(['backup', '--to']);
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    for (const argv of [
      ['status', 'extra'],
      ['check', 'events.db'],
      ['rebuild', '--force'],
    ])
      await refused(argv);
    expect(existsSync(join(dir, 'read-models.db'))).toBe(false); // no rebuild ran
    await refused(['backup', join(dir, 'a.db'), join(dir, 'b.db')]);
    expect(existsSync(join(dir, 'a.db'))).toBe(false);
    expect((await run(['backup', join(dir, 'a.db')])).code).toBe(0);
    await refused(['restore', join(dir, 'a.db'), '--yes']);
    await refused(['restore', '-f']);
    expect(readdirSync(dir).filter((name) => name.includes('replaced'))).toEqual([]);
    expect((await run(['status'])).code).toBe(0); // the real commands still run
  });

  it('reads an empty DATA_DIR as ./data, as the service does, not as the current directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = SqliteEventStore.open({ path: join(dir, 'data', 'events.db') });
      await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
      await store.close();
      writeFileSync(join(dir, 'events.db'), randomBytes(8192)); // not the service's
      expect(loadConfig({ DATA_DIR: '' }).dataDir).toBe(join(dir, 'data'));
      const out: string[] = [];
      const io: CliIo = { out: { write: (text: string) => out.push(text) }, err: quiet.err };
      expect(await main(['check'], { DATA_DIR: '' }, io)).toBe(0);
      expect(out.join('')).toBe(
        '  events.db        ok\n  read-models.db   none\n  webhooks.db      none\n',
      );
      expect(await main(['rebuild'], { DATA_DIR: '' }, quiet)).toBe(0);
      expect(existsSync(join(dir, 'data', 'read-models.db'))).toBe(true);
      expect(existsSync(join(dir, 'read-models.db'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('names the file and the fix when SQLite cannot open one, and leaves no lock behind', async () => {
    // A directory where a file should be fails as root too: a read-only DATA_DIR, which gives
    // SQLITE_READONLY_DIRECTORY ("attempt to write a readonly database"), does not.
    mkdirSync(join(dir, 'events.db'));
    await expect(run(['status'])).rejects.toThrow(
      /^Cannot open .*events\.db: disk I\/O error \(SQLITE_IOERR_READ\)\. .* run it as the user the service runs as\.$/,
    );
    rmSync(join(dir, 'events.db'), { recursive: true });

    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    mkdirSync(join(dir, 'read-models.db'));
    await expect(run(['status'])).rejects.toThrow(
      /^Cannot open .*read-models\.db: .* \(SQLITE_(IOERR_READ|CANTOPEN)\)\. /,
    );
    await expect(run(['rebuild'])).rejects.toThrow(
      /read-models\.db is not a file: move it away, and the rebuild puts the read models there$/,
    );
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);
    // No database at all: the cure is a rebuild, not another user.
    rmSync(join(dir, 'read-models.db'), { recursive: true });
    writeFileSync(join(dir, 'read-models.db'), randomBytes(8192));
    await expect(run(['status'])).rejects.toThrow(
      /^Cannot open .*read-models\.db: file is not a database \(SQLITE_NOTADB\)\. The file is damaged, or is no database: `ledger rebuild` replaces a read-models\.db/,
    );
  });

  it('rebuilds over read models damaged deep inside, where an open sees nothing wrong', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let member = 0; member < 400; member++) {
      const events = Array.from({ length: 50 }, () => credited(`m${member}`, 1));
      await store.append(`wallet-sandbox.acme.m${member}`, events, 'no_stream');
    }
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0);
    const path = join(dir, 'read-models.db');
    overwriteMiddlePages(path);
    // status reads the checkpoints only; check finds the damage.
    expect((await run(['status'])).code).toBe(0);
    const found = await run(['check']);
    expect(found.code).toBe(1);
    expect(found.out).toMatch(/^ {2}events\.db\s+ok\n {2}read-models\.db\s+DAMAGED\n {4}\S/);
    expect(found.out).toContain('is rebuilt by `ledger rebuild`');

    const again = await run(['rebuild']);
    expect({ code: again.code, err: again.err }).toEqual({ code: 0, err: expect.any(String) });
    expect((await run(['status'])).out).toMatch(/wallets\s+checkpoint\s+20000\s+lag\s+0\s+ok/);
    expect(await run(['check'])).toEqual({
      code: 0,
      out: '  events.db        ok\n  read-models.db   ok\n  webhooks.db      none\n',
      err: '',
    });
  });

  it('finds events missing from events.db, and rebuilds nothing over them', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (const member of ['a', 'b', 'c'])
      await store.append(
        `wallet-sandbox.acme.${member}`,
        [credited(member, 10), credited(member, 5), credited(member, 1)],
        'no_stream',
      );
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0);
    const built = readFileSync(join(dir, 'read-models.db'));
    // An event removed by hand: SQLite's own check finds a whole file.
    const db = new Database(path);
    db.prepare('DELETE FROM events WHERE position = 5').run();
    db.close();

    expect(await run(['check'])).toEqual({
      code: 1,
      out:
        '  events.db        DAMAGED\n' +
        '    positions 1 to 9 hold 8 events: 1 missing\n' +
        '    stream wallet-sandbox.acme.b: revisions 0 to 2 hold 2 events\n' +
        '  read-models.db   ok\n' +
        '  webhooks.db      none\n' +
        'A damaged read-models.db is rebuilt by `ledger rebuild` (stop the service first); a damaged webhooks.db is moved aside with the service stopped (its webhooks are then sent every event since their registration again); a damaged events.db must be restored from a backup.\n',
      err: '',
    });
    // A rebuild would fold past the gap, and the read models would agree with the loss.
    const refused = await run(['rebuild']);
    const gaps = `events are missing from ${path} (positions 1 to 9 hold 8 events: 1 missing; stream wallet-sandbox.acme.b: revisions 0 to 2 hold 2 events)`;
    const advice = 'Restore the events from a backup (docs/operations.md)';
    expect(refused).toEqual({
      code: 1,
      out: '',
      err: `ledger: ${gaps}: nothing was rebuilt. ${advice}\n`,
    });
    // status and verify say what the service's start would: it refuses such a store.
    const status = await run(['status']);
    expect(status.code).toBe(1);
    expect(status.out.split('\n').at(-2)).toBe(`REFUSED: ${gaps}. ${advice}`);
    expect(await run(['verify'])).toEqual({
      code: 1,
      out: `Not compared: REFUSED: ${gaps}. ${advice}\n`,
      err: '',
    });
    expect(readFileSync(join(dir, 'read-models.db')).equals(built)).toBe(true);
    // Nor is such a store restored: the service would refuse it at its next start.
    const copy = join(dir, 'gapped.backup');
    expect((await run(['backup', copy])).code).toBe(0);
    const restored = await run(['restore', copy]);
    expect(restored.code).toBe(1);
    expect(restored.err).toContain(
      'is not an event store to restore: it is damaged: positions 1 to 9 hold 8 events: 1 missing; stream wallet-sandbox.acme.b: revisions 0 to 2 hold 2 events\n',
    );
  });

  it('leaves the read models as they were when a rebuild stops, and finds a file that is no store', async () => {
    const path = await storeOf200Members();
    expect((await run(['rebuild'])).code).toBe(0);
    const models = join(dir, 'read-models.db');
    const built = readFileSync(models);
    overwriteMiddlePages(path);

    const err: string[] = [];
    const io: CliIo = { out: quiet.out, err: { write: (s: string) => err.push(s) } };
    await expect(main(['rebuild'], { DATA_DIR: dir }, io)).rejects.toThrow(/malformed/);
    expect(err[0]).toBe(`Rebuilding the read models in ${models}\n`); // it stopped on the way
    expect(readFileSync(models).equals(built)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('rebuilding'))).toEqual([]);

    // An empty file where events.db should be: SQLite finds an empty database, not a store.
    writeFileSync(path, '');
    const empty = await run(['check']);
    expect(empty.code).toBe(1);
    expect(empty.out).toContain(
      '  events.db        DAMAGED\n    no events table: not an event store\n',
    );
  });

  it('names a DATA_DIR it cannot look into, instead of finding no store there', async () => {
    writeFileSync(join(dir, 'file'), '');
    const inside = { DATA_DIR: join(dir, 'file', 'data') };
    const err: string[] = [];
    const io: CliIo = { out: quiet.out, err: { write: (s: string) => err.push(s) } };
    await expect(main(['check'], inside, io)).rejects.toThrow(
      /^Cannot look at .*file\/data\/events\.db: ENOTDIR\. .*run it as the user the service runs as\.$/,
    );
    await expect(main(['status'], inside, io)).rejects.toThrow(/^Cannot look at .*: ENOTDIR\. /);
  });

  it("keeps no backup of an events.db damaged deep inside, and says the damage is the store's", async () => {
    const path = await storeOf200Members();
    overwriteMiddlePages(path);

    const target = join(dir, 'backup.db');
    const backedUp = await run(['backup', target]);
    expect(backedUp.code).toBe(1);
    expect(backedUp.err).toContain(
      `ledger: ${path} is damaged, so no backup was kept at ${target}`,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('audits, exports and seals nothing as whole when a damaged page ends the read short of the head', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (let member = 0; member < 200; member++) {
      const events = Array.from({ length: 10 }, () => credited(`m${member}`, 1));
      await store.append(`wallet-sandbox.acme.m${member}`, events, 'no_stream');
    }
    await store.close();
    // Garbage over the cells of a leaf of the events table, a quarter in: SQLite then takes a
    // row key out of order for the end of the table, and a read of $all stops there, no error.
    const db = new Database(path, { readonly: true });
    const leaves = db
      .prepare(
        "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY path",
      )
      .all() as { pageno: number }[];
    db.close();
    const file = openSync(path, 'r+');
    const page = leaves[Math.floor(leaves.length / 4)].pageno;
    writeSync(
      file,
      Buffer.alloc(800, Buffer.from('deadbeef', 'hex')),
      0,
      800,
      (page - 1) * 4096 + 200,
    );
    closeSync(file);

    const shortOfHead = new RegExp(
      `could not run: ${path} is damaged: the events could be read up to position \\d+ only, short of the head of \\$all at position 2000\\. \`ledger check\` says where`,
    );
    for (const argv of [['audit'], ['export'], ['seal', join(dir, 'the.seal')]]) {
      const ran = await run(argv);
      expect({ argv, code: ran.code }).toEqual({ argv, code: 3 });
      expect(ran.err).toMatch(shortOfHead);
    }
    expect(existsSync(join(dir, 'the.seal'))).toBe(false);
    expect((await run(['check'])).code).toBe(1);
  });

  it('keeps no backup of an events.db that holds no events table, and exits 1', async () => {
    writeFileSync(join(dir, 'events.db'), '');
    const target = join(dir, 'backup.db');
    const backedUp = await run(['backup', target]);
    expect(backedUp).toEqual({
      code: 1,
      out: '',
      err: expect.stringContaining(
        `ledger: ${join(dir, 'events.db')} holds no events table made by points-ledger, so no backup was made.`,
      ),
    });
    expect(existsSync(target)).toBe(false);
  });

  it('finds an event stored twice, which every replay would count twice', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10), credited('a', 5)], 'no_stream');
    await store.close();
    // A copy of the first credit as the stream's next event: positions and revisions stay whole.
    const db = new Database(path);
    db.exec(`INSERT INTO events (position, stream, revision, id, type, data, metadata, created)
             SELECT 3, stream, 2, id, type, data, metadata, created FROM events WHERE position = 1`);
    const { id } = db.prepare('SELECT id FROM events WHERE position = 1').get() as { id: string };
    db.close();
    const found = await run(['check']);
    expect(found.code).toBe(1);
    expect(found.out).toContain(
      `  events.db        DAMAGED\n    event id ${id} is stored 2 times, at positions 1, 3\n`,
    );
  });

  it('checks the files it finds, and names a file that is not a database at all', async () => {
    // No events.db on the embedded store: nothing to check is a failure (a mistyped DATA_DIR).
    expect(await run(['check'])).toEqual({
      code: 1,
      out: '  events.db        none\n  read-models.db   none\n  webhooks.db      none\n',
      err: `ledger: no event store at ${join(dir, 'events.db')}: nothing to check (set DATA_DIR, or EVENTSTORE_CONNECTION_STRING for EventStoreDB)\n`,
    });
    const gone = await main(['check'], { DATA_DIR: join(dir, 'mistyped') }, quiet);
    expect(gone).toBe(1);
    expect(existsSync(join(dir, 'mistyped'))).toBe(false);
    // An events.db without read models is fine: they are derived, and the service rebuilds them.
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    expect(await run(['check'])).toEqual({
      code: 0,
      out: '  events.db        ok\n  read-models.db   none\n  webhooks.db      none\n',
      err: '',
    });
    rmSync(join(dir, 'events.db'));
    writeFileSync(join(dir, 'events.db'), randomBytes(8192));
    const found = await run(['check']);
    expect(found.code).toBe(1);
    expect(found.out).toContain(
      '  events.db        DAMAGED\n    file is not a database (SQLITE_NOTADB)\n',
    );
    expect(found.out).toContain('a damaged events.db must be restored from a backup');
    rmSync(join(dir, 'events.db'));
    await (await SqliteEventStore.open({ path: join(dir, 'events.db') })).close();
    writeFileSync(join(dir, 'webhooks.db'), randomBytes(8192));
    const webhooks = await run(['check']);
    expect(webhooks.code).toBe(1);
    expect(webhooks.out).toContain(
      '  events.db        ok\n  read-models.db   none\n  webhooks.db      DAMAGED\n    file is not a database (SQLITE_NOTADB)\n',
    );
    expect(webhooks.out).toContain('a damaged webhooks.db is moved aside with the service stopped');
    rmSync(join(dir, 'webhooks.db'));

    // With EventStoreDB the events are not in DATA_DIR: only the read models are checked.
    const out: string[] = [];
    const code = await main(
      ['check'],
      { DATA_DIR: dir, EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' },
      { out: { write: (text: string) => out.push(text) }, err: { write: () => true } },
    );
    expect([code, out.join('')]).toEqual([
      0,
      '  events are on EventStoreDB: not checked\n  read-models.db   none\n  webhooks.db      none\n',
    ]);
  });

  it('backs up events.db while a writer appends, to a new private file that stands alone', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path }); // as the running service keeps it open
    for (let m = 0; m < 20; m++)
      await store.append(`wallet-sandbox.acme.m${m}`, [credited(`m${m}`, 10)], 'no_stream');
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0); // the latest commits are in the -wal
    const target = join(dir, 'backups', 'first.db');
    mkdirSync(join(dir, 'backups'));
    // Appends go on while the copy is made: it must be one snapshot, a prefix of the store.
    const appending = Array.from({ length: 100 }, (_, n) =>
      store.append(`wallet-sandbox.acme.late${n}`, [credited(`late${n}`, 1)], 'no_stream'),
    );
    const backedUp = await run(['backup', target]);
    await Promise.all(appending);
    expect(backedUp.code).toBe(0);
    expect(backedUp.out).toMatch(
      new RegExp(`^Backed up ${path} to ${target}: events up to position (\\d+)\\n$`),
    );
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const copy = SqliteEventStore.open({ path: target, readonly: true });
    const copied = await copy.readAll({ maxCount: 1000 });
    await copy.close();
    const all = await store.readAll({ maxCount: 1000 });
    expect(copied.length).toBeGreaterThanOrEqual(20);
    expect(copied).toEqual(all.slice(0, copied.length));
    expect(backedUp.out).toContain(`position ${copied[copied.length - 1].position}\n`);
    expect(['-wal', '-shm', '-journal'].filter((s) => existsSync(target + s))).toEqual([]);

    const again = await run(['backup', target]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`${target} exists: a backup never replaces a file`);
    await store.close();
  });

  it('leaves no file under the backup name when it is killed while it copies', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    // Enough pages (about 20 MB) that the copy is still running when the kill arrives.
    const padding = 'x'.repeat(400);
    for (let batch = 0; batch < 50; batch++) {
      const events = Array.from({ length: 1000 }, () => {
        const event = credited(`m${batch}`, 1);
        return { ...event, data: { ...(event.data as object), reason: padding } };
      });
      await store.append(`wallet-sandbox.acme.m${batch}`, events, 'any');
    }
    const all = (await store.readAll({ maxCount: 100_000 })).length;
    await store.close();
    const target = join(dir, 'backups', 'killed.db');
    mkdirSync(join(dir, 'backups'));
    // Killed as soon as its copy's first file appears.
    const watcher = watch(join(dir, 'backups'));
    const child = spawn(process.execPath, [dist('cli/ledger.js'), 'backup', target], {
      env: { ...process.env, DATA_DIR: dir },
      stdio: 'ignore',
    });
    await once(watcher, 'change');
    child.kill('SIGKILL');
    await once(child, 'exit');
    watcher.close();
    // Either the kill came after the copy was whole and named, or nothing has its name.
    if (existsSync(target)) {
      const copy = SqliteEventStore.open({ path: target, readonly: true });
      expect((await copy.readAll({ maxCount: 100_000 })).length).toBe(all);
      await copy.close();
    }
    expect(readdirSync(join(dir, 'backups')).filter((n) => !n.includes('.partial-'))).toEqual(
      existsSync(target) ? ['killed.db'] : [],
    );
    // The name is free for the next backup, which is whole.
    if (!existsSync(target)) expect((await run(['backup', target])).code).toBe(0);
  });

  it('names the copy, not the store, when the disk a backup or a restore writes to is full', async () => {
    const { path, backup } = await storeWithBackup();
    // As better-sqlite3 raises it when the copy's disk fills up.
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const copy = jest.spyOn(backupModule, 'backupDatabase').mockRejectedValue(full);
    const replace = jest.spyOn(backupModule, 'replaceDatabase').mockRejectedValue(full);
    try {
      const target = join(dir, 'b.backup');
      const backedUp = await run(['backup', target]);
      expect(backedUp).toMatchObject({ code: 1, out: '' });
      expect(backedUp.err).toBe(
        `ledger: no room to write the backup at ${target} (database or disk is full): nothing was kept there. Free space on its disk, or name a file on another\n`,
      );
      const restored = await run(['restore', backup]);
      expect(restored).toMatchObject({ code: 1, out: '' });
      expect(restored.err).toContain(
        `ledger: no room in ${dir} for the restored copy (database or disk is full): nothing was restored, and ${path} is as it was.`,
      );
    } finally {
      copy.mockRestore();
      replace.mockRestore();
    }
    // No copy, and no lock or draft of one, is left behind.
    expect(readdirSync(dir).filter((name) => !name.startsWith('events.db'))).toEqual(['a.backup']);
  });

  it('names the file it was given, not its partial copy, when a backup cannot be written there', async () => {
    await storeWithBackup();
    writeFileSync(join(dir, 'afile'), '');
    const inFile = join(dir, 'afile', 'x.db');
    expect(await run(['backup', inFile])).toEqual({
      code: 1,
      out: '',
      err: `ledger: ${join(dir, 'afile')} is not a directory: no backup can be written at ${inFile}\n`,
    });
    // A directory this user may not write in, as the system says so (root may write in any).
    const target = join(dir, 'x.db');
    const denied = Object.assign(
      new Error(`EACCES: permission denied, open '${target}.partial-${process.pid}'`),
      { code: 'EACCES' },
    );
    const copy = jest.spyOn(backupModule, 'backupDatabase').mockRejectedValue(denied);
    try {
      expect(await run(['backup', target])).toEqual({
        code: 1,
        out: '',
        err: `ledger: this user (uid ${process.getuid?.()}) may not write in ${dir} (EACCES): no backup can be written at ${target}. Name a file in a directory it may write in\n`,
      });
    } finally {
      copy.mockRestore();
    }
  });

  it('names the file it could not write when the disk a rebuild writes to is full', async () => {
    await storeOf200Members();
    expect((await run(['rebuild'])).code).toBe(0);
    const models = join(dir, 'read-models.db');
    const built = readFileSync(models);
    // As better-sqlite3 raises it when the rebuilt file's disk fills up.
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const commit = jest.spyOn(WriteSetExecutor.prototype, 'execute').mockImplementation(() => {
      throw full;
    });
    try {
      const rebuilt = await run(['rebuild']);
      expect({ code: rebuilt.code, err: rebuilt.err.split('\n').at(-2) }).toEqual({
        code: 1,
        err: `ledger: no room to write the read models at ${models}.rebuilding (database or disk is full): nothing was rebuilt, and ${models} is as it was. Free space on its disk and run it again`,
      });
    } finally {
      commit.mockRestore();
    }
    expect(readFileSync(models).equals(built)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('rebuilding'))).toEqual([]);
  });

  it('drops the read models before it moves the restored events in, so that a kill between the two cannot leave them beside other events', async () => {
    const { path, backup } = await storeWithBackup();
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 5)], 0n);
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0); // read models up to position 2
    const headOf = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT max(position) FROM events').pluck().get();
      } finally {
        db.close();
      }
    };

    // The swap itself: the hook runs with the copy made and the old database still in place.
    const copy = join(dir, 'copy.db');
    copyFileSync(path, copy);
    const seen: unknown[] = [];
    await backupModule.replaceDatabase(copy, backup, `${copy}.aside`, () =>
      seen.push(headOf(copy)),
    );
    expect([seen, headOf(copy), headOf(`${copy}.aside`)]).toEqual([[2], 1, 2]);

    // A restore killed as it swaps the files: the read models are gone, the old events are whole.
    const killed = new Error('killed at the swap');
    const replace = jest
      .spyOn(backupModule, 'replaceDatabase')
      .mockImplementation(async (_path, _source, _aside, beforeSwap) => {
        beforeSwap?.();
        throw killed;
      });
    try {
      await expect(restoreEvents(dir, backup, quiet, () => true)).rejects.toBe(killed);
    } finally {
      replace.mockRestore();
    }
    expect(existsSync(join(dir, 'read-models.db'))).toBe(false);
    expect(headOf(path)).toBe(2);
  });

  it('restores a backup with the service stopped, keeping the store it replaces and dropping the read models', async () => {
    const path = join(dir, 'events.db');
    const write = async (member: string, amount: number, expected: 'no_stream' | bigint) => {
      const store = SqliteEventStore.open({ path });
      await store.append(`wallet-sandbox.acme.${member}`, [credited(member, amount)], expected);
      await store.close();
    };
    await write('a', 10, 'no_stream');
    const backup = join(dir, 'a.backup');
    expect((await run(['backup', backup])).code).toBe(0);
    await write('a', 5, 0n);
    expect((await run(['rebuild'])).code).toBe(0);
    const head = async (file: string) => {
      const store = SqliteEventStore.open({ path: file, readonly: true });
      try {
        return await store.headPosition();
      } finally {
        await store.close();
      }
    };

    // Never beside a running service, and never from a file that is not an event store.
    writeFileSync(join(dir, READ_MODELS_LOCK_FILE), `service ${process.ppid}\n`);
    const refused = await run(['restore', backup]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('stop it first: a restore replaces the events it reads');
    // A restore of nothing is told its usage first, running service or not.
    expect(await run(['restore'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^Usage: ledger restore <file> /),
    });
    rmSync(join(dir, READ_MODELS_LOCK_FILE));
    expect(await run(['restore', dir])).toMatchObject({
      code: 1,
      err: `ledger: ${dir} is not a file: restore takes a file written by ledger backup\n`,
    });
    writeFileSync(join(dir, 'noise.db'), randomBytes(8192));
    expect(await run(['restore', join(dir, 'noise.db')])).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        'is not an event store to restore: it is damaged: file is not a database (SQLITE_NOTADB)',
      ),
    });
    new Database(join(dir, 'other.db')).exec('CREATE TABLE t (x)').close();
    expect((await run(['restore', join(dir, 'other.db')])).err).toContain(
      'it holds no events table made by points-ledger',
    );
    const lookalike = new Database(join(dir, 'lookalike.db'));
    lookalike.exec('CREATE TABLE events (position INTEGER); INSERT INTO events VALUES (1)').close();
    expect((await run(['restore', join(dir, 'lookalike.db')])).err).toContain(
      'it holds no events table made by points-ledger',
    );
    const empty = SqliteEventStore.open({ path: join(dir, 'empty.db'), writer: 'inline' });
    await empty.close();
    expect(await run(['restore', join(dir, 'empty.db')])).toMatchObject({
      code: 1,
      err: expect.stringContaining('is not an event store to restore: it holds no events\n'),
    });
    expect(await head(path)).toBe(2n);
    expect(existsSync(join(dir, 'read-models.db'))).toBe(true);

    const restored = await run(['restore', backup]);
    expect(restored.code).toBe(0);
    const aside = /kept at (\S+)\.\n/.exec(restored.out)?.[1];
    expect(restored.out).toContain(`Restored ${backup} as ${path}: events up to position 1.`);
    expect(restored.out).toContain(
      'The read models were dropped. The service builds the read models',
    );
    expect(await head(path)).toBe(1n);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await head(aside!)).toBe(2n); // the replaced store, whole
    expect(existsSync(join(dir, 'read-models.db'))).toBe(false);
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);

    expect((await run(['rebuild'])).code).toBe(0);
    const readModels = new Database(join(dir, 'read-models.db'), { readonly: true });
    expect(readModels.prepare('SELECT balance FROM rm_wallets').pluck().all()).toEqual([10]);
    readModels.close();

    // Disaster recovery: a new machine, with no DATA_DIR yet.
    const fresh = join(dir, 'new-machine', 'data');
    const out: string[] = [];
    const code = await main(
      ['restore', backup],
      { DATA_DIR: fresh },
      {
        out: { write: (text: string) => out.push(text) },
        err: { write: () => true },
      },
    );
    expect([code, out.join('')]).toEqual([
      0,
      `Restored ${backup} as ${join(fresh, 'events.db')}: events up to position 1.\nThe service builds the read models from these events when it starts (or run \`ledger rebuild\`).\n`,
    ]);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(await head(join(fresh, 'events.db'))).toBe(1n);
  });

  it('keeps the service from serving an events.db that lacks events its read models were built from', async () => {
    const path = join(dir, 'events.db');
    const write = async (amount: number, expected: 'no_stream' | bigint) => {
      const store = SqliteEventStore.open({ path });
      await store.append('wallet-sandbox.acme.a', [credited('a', amount)], expected);
      await store.close();
    };
    await write(10, 'no_stream');
    const older = join(dir, 'older.db');
    expect((await run(['backup', older])).code).toBe(0);
    await write(5, 0n);
    expect((await run(['rebuild'])).code).toBe(0); // read models up to position 2
    const start = async () => {
      const app = await createApp(loadConfig({ DATA_DIR: dir }), { logger: false });
      try {
        await app.init();
      } finally {
        await app.close();
      }
    };
    const checkpoints = () => {
      const readModels = new Database(join(dir, 'read-models.db'), { readonly: true });
      try {
        return readModels.prepare('SELECT DISTINCT position FROM rm_checkpoints').pluck().all();
      } finally {
        readModels.close();
      }
    };

    expect(await run(['status'])).toMatchObject({
      code: 0,
      out: expect.not.stringMatching(/REFUSED|another/),
    });
    copyFileSync(older, path); // an older copy put in place by hand, not by `ledger restore`
    // A monitoring check sees what the service would refuse, though no checkpoint lags.
    expect(await run(['status'])).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        'REFUSED: The event store ends at position 1, but the read models were built from it up to position 2',
      ),
    });
    await expect(start()).rejects.toThrow(
      'The event store ends at position 1, but the read models were built from it up to position 2: its events are missing',
    );
    rmSync(path); // a wrong or lost DATA_DIR/events.db
    await expect(start()).rejects.toThrow(
      'The event store is empty, but the read models were built from it up to position 2',
    );
    expect(checkpoints()).toEqual([2]); // the read models are kept for the operator to decide
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);

    // A restore, or an explicit rebuild, settles it; another store with events of its own is
    // not this case (its read models are rebuilt: projections-engine.spec).
    expect((await run(['restore', older])).code).toBe(0);
    await start();
    expect((await run(['rebuild'])).code).toBe(0);
    expect(checkpoints()).toEqual([1]);
  });

  it('refuses to start beside an events.db-wal whose events.db is gone, keeping the log for the file put back', async () => {
    const path = join(dir, 'events.db');
    const first = SqliteEventStore.open({ path });
    await first.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await first.close(); // folded into events.db
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 5)], 0n); // only in the -wal yet
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    copyFileSync(path, join(moved, 'aside.db'));
    copyFileSync(`${path}-wal`, join(moved, 'events.db-wal'));
    await store.close();
    const log = readFileSync(join(moved, 'events.db-wal'));

    const start = async () => {
      const app = await createApp(loadConfig({ DATA_DIR: moved }), { logger: false });
      await app.init().finally(() => app.close());
    };
    await expect(start()).rejects.toThrow(
      `${join(moved, 'events.db')}-wal is there without ${join(moved, 'events.db')}: it may hold committed events`,
    );
    expect(existsSync(join(moved, 'events.db'))).toBe(false);
    expect(readFileSync(join(moved, 'events.db-wal')).equals(log)).toBe(true);

    renameSync(join(moved, 'aside.db'), join(moved, 'events.db'));
    const back = SqliteEventStore.open({ path: join(moved, 'events.db'), readonly: true });
    try {
      expect(await back.headPosition()).toBe(2n);
    } finally {
      await back.close();
    }
  });

  it('says in status when the read models come from another event store, which a start replays', async () => {
    const path = join(dir, 'events.db');
    const fill = async (members: string[]) => {
      const store = SqliteEventStore.open({ path });
      for (const m of members)
        await store.append(`wallet-sandbox.acme.${m}`, [credited(m, 10)], 'no_stream');
      await store.close();
    };
    await fill(['a']);
    expect((await run(['rebuild'])).code).toBe(0);
    rmSync(path);
    await fill(['b', 'c']); // another store, further along than the read models' checkpoints
    expect(await run(['status'])).toMatchObject({
      code: 1,
      out: expect.stringContaining('The read models were built from another event store'),
    });
  });

  it("says in status when the read models' schema is older than this release's, which a start replays", async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0);
    expect((await run(['status'])).code).toBe(0);
    const file = new Database(join(dir, 'read-models.db'));
    file
      .prepare(
        'DELETE FROM rm_schema_migrations WHERE version = (SELECT max(version) FROM rm_schema_migrations)',
      )
      .run();
    file.close();
    expect(await run(['status'])).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        "The read models' schema is older than this release's: the service drops and replays them when it starts",
      ),
    });
  });

  it('restores what a source still holds in its -wal: a store left by a crash, or moved aside by a restore', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (const member of ['a', 'b', 'c'])
      await store.append(`wallet-sandbox.acme.${member}`, [credited(member, 10)], 'no_stream');
    const written = await store.headPosition();
    // Copied while the store is open, as a crash leaves it: its last commits are in the -wal only.
    const crashed = join(dir, 'crashed.db');
    copyFileSync(path, crashed);
    copyFileSync(`${path}-wal`, `${crashed}-wal`);
    await store.close();
    rmSync(path);
    const killedMidway = `${path}.partial-99999`; // a restore killed before its rename
    writeFileSync(killedMidway, 'half a copy');

    const restored = await run(['restore', crashed]);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain(`events up to position ${written}.`);
    const back = SqliteEventStore.open({ path, readonly: true });
    expect(await back.headPosition()).toBe(written);
    await back.close();
    expect(readdirSync(dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('restores nothing where a directory stands in place of the read models it would drop', async () => {
    const { path, backup } = await storeWithBackup();
    const before = readFileSync(path);
    const readModels = join(dir, 'read-models.db');
    mkdirSync(readModels);
    writeFileSync(join(readModels, 'kept'), '');
    expect(await run(['restore', backup])).toEqual({
      code: 1,
      out: '',
      err: `ledger: ${readModels} is not a file, and a restore drops the read models there: move it away and run the restore again. Nothing was restored\n`,
    });
    expect(readdirSync(readModels)).toEqual(['kept']);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('.replaced-'))).toEqual([]);
  });

  it('copies the restored events under one partial name, the one a killed restore leaves', async () => {
    const { path, backup } = await storeWithBackup();
    const copies = jest.spyOn(Database.prototype, 'backup');
    try {
      expect((await run(['restore', backup])).code).toBe(0);
      expect(copies.mock.calls.map(([file]) => file)).toEqual([`${path}.partial-${process.pid}`]);
    } finally {
      copies.mockRestore();
    }
  });

  it('restores nothing when the lock was taken from it while it checked the backup', async () => {
    const { path, backup } = await storeWithBackup();
    const before = readFileSync(path);
    const err: string[] = [];
    const io = { out: { write: () => true }, err: { write: (s: string) => err.push(s) } };
    expect(await restoreEvents(dir, backup, io, () => false)).toBe(1);
    expect(err.join('')).toContain('another process took the lock on');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('leaves backup and restore to EventStoreDB when the events are there', async () => {
    for (const argv of [
      ['backup', join(dir, 'b.db')],
      ['restore', join(dir, 'b.db')],
    ]) {
      const err: string[] = [];
      const code = await main(
        argv,
        { DATA_DIR: dir, EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' },
        { out: { write: () => true }, err: { write: (text: string) => err.push(text) } },
      );
      expect([code, err.join('')]).toEqual([
        1,
        expect.stringContaining('back them up and restore them with its own tools'),
      ]);
    }
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
  });

  it('keeps the read models when a rebuild cannot reach EventStoreDB', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    expect((await run(['rebuild'])).code).toBe(0);
    // Nothing listens on port 1: the connection is refused at once, and the command fails.
    const unreachable = {
      DATA_DIR: dir,
      EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false',
    };
    await expect(main(['rebuild'], unreachable, quiet)).rejects.toThrow('EventStoreDB unavailable');
    const readModels = new Database(join(dir, 'read-models.db'), { readonly: true });
    expect(readModels.prepare('SELECT balance FROM rm_wallets').pluck().all()).toEqual([10]);
    readModels.close();
  });

  it('gives its lock up when a rebuild is interrupted by Ctrl-C', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let batch = 0; batch < 150; batch++) {
      const member = `m${batch}`;
      const events = Array.from({ length: 1000 }, () => credited(member, 1));
      await store.append(`wallet-sandbox.acme.${member}`, events, 'no_stream');
    }
    await store.close();
    const compiled = dist('cli/ledger.js');
    const cli = spawn(process.execPath, [compiled, 'rebuild'], {
      env: { ...process.env, DATA_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(cli, 'exit');
    // Interrupted at its first progress line (10%), with 135,000 events still to go.
    for await (const line of createInterface({ input: cli.stderr! })) if (line.includes('%')) break;
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(true);
    cli.kill('SIGINT');
    expect(await exited).toEqual([null, 'SIGINT']);
    expect(existsSync(join(dir, READ_MODELS_LOCK_FILE))).toBe(false);
  });

  it('runs to its end and exits with its own code when its reader stops early (`| head -1`)', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    for (const [command, code] of [
      ['status', 0],
      ['check', 0],
    ] as const) {
      const cli = spawn(process.execPath, [dist('cli/ledger.js'), command], {
        env: { ...process.env, DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      cli.stdout!.destroy(); // the reader is gone before the first line
      const stderr: string[] = [];
      cli.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
      expect(await once(cli, 'exit')).toEqual([code, null]);
      expect(stderr.join('')).not.toContain('EPIPE');
    }
  });

  it('only reads the event store: one that needs a migration is refused, not migrated', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
    await store.close();
    const db = new Database(path);
    db.exec('DELETE FROM schema_migrations');
    db.close();
    for (const command of ['status', 'rebuild'])
      await expect(run([command])).rejects.toThrow(/has an older schema: start the service once/);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(0);
    after.close();
    // An emptied file is no store to migrate: starting the service would not help.
    writeFileSync(path, '');
    for (const command of ['status', 'rebuild'])
      await expect(run([command])).rejects.toThrow(
        `The event store at ${path} holds no events table: it was emptied, or is not an event store`,
      );
  });
});
