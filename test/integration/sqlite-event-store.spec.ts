import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EVENT_STORE_MIGRATIONS, migrate } from '../../src/infrastructure/sqlite/migrations';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import {
  EventStoreUnavailableError,
  WrongExpectedVersionError,
} from '../../src/event-store/event-store.errors';
import { dist } from '../support/compiled';

const event = () => ({ id: randomUUID(), type: 'Tested', data: { at: 1 } });

describe('SQLite event store (adapter-specific guarantees)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('group-commits concurrent appends into one transaction', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await Promise.all(
      Array.from({ length: 64 }, (_, i) => store.append(`g-${i}`, [event()], 'no_stream')),
    );
    expect(store.stats).toEqual({ appends: 64, commits: 1 });
    await store.close();
  });

  it('checks expected revisions against what another connection on the file appended', async () => {
    // Two stores on one file, as two processes would open it: each writer caches last revisions,
    // valid only while PRAGMA data_version says the other has not written since.
    const path = join(dir, 'events.db');
    const [a, b] = [SqliteEventStore.open({ path }), SqliteEventStore.open({ path })];
    const ids: string[] = [];
    const next = () => {
      const e = event();
      ids.push(e.id);
      return [e];
    };
    await b.append('shared', next(), 'no_stream'); // b's writer now has revision 0 cached
    await a.append('shared', next(), 0n);

    // The revision a's append made current is the one b must accept...
    expect(await b.append('shared', next(), 1n)).toMatchObject({ nextExpectedRevision: 2n });
    expect(await a.append('shared', next(), 2n)).toMatchObject({ nextExpectedRevision: 3n });
    // ...and the one b saw last is stale: refused with the actual revision, nothing written.
    const stale = b.append('shared', [event()], 2n);
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(stale).rejects.toMatchObject({ stream: 'shared', actual: 3n });

    for (const store of [a, b]) {
      const stored = await store.readStream('shared');
      expect(stored.map((e) => [e.revision, e.id])).toEqual(ids.map((id, i) => [BigInt(i), id]));
    }
    await a.close();
    await b.close();
  });

  it('reads across its internal pages without losing or repeating an event', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let b = 0; b < 10; b++) {
      await store.append(`p-${b % 3}`, Array.from({ length: 1_000 }, event), 'any');
    }
    const all = await store.readAll();
    expect(all.map((e) => e.position)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => BigInt(i + 1)),
    );
    const back = await store.readAll({
      direction: 'backwards',
      fromPosition: 9_000n,
      maxCount: 8_500,
    });
    expect(back.map((e) => e.position)).toEqual(
      Array.from({ length: 8_500 }, (_, i) => BigInt(9_000 - i)),
    );
    const filtered = await store.readAll({
      filter: { streamNamePrefixes: ['p-1'] },
      fromPosition: 2_000n,
    });
    // p-1 holds positions 1001-2000, 4001-5000 and 7001-8000; the read starts at 2000, inclusive.
    expect(filtered.map((e) => e.position)[0]).toBe(2_000n);
    expect(filtered).toHaveLength(2_001);
    expect(filtered.every((e) => e.stream === 'p-1')).toBe(true);
    await store.close();
  });

  it('parses metadata once for consecutive events that carry the same, and apart otherwise', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    const withMetadata = (requestId: string) => ({ ...event(), metadata: { requestId } });
    await store.append('m-1', [withMetadata('a'), withMetadata('a')], 'any');
    await store.append('m-2', [withMetadata('b')], 'any');
    for (const events of [await store.readAll(), await store.readStream('m-1')]) {
      expect(events.slice(0, 2).map((e) => e.metadata)).toEqual([
        { requestId: 'a' },
        { requestId: 'a' },
      ]);
      expect(events[1].metadata).toBe(events[0].metadata);
    }
    const [, second, third] = await store.readAll();
    expect(third.metadata).toEqual({ requestId: 'b' });
    expect(third.metadata).not.toBe(second.metadata);
    await store.close();
  });

  it('refuses an append on a full disk as unavailable (503, retry with the key), storing nothing', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('full-0', [event()], 'no_stream');
    const { db } = store as unknown as { db: Database.Database };
    // SQLite's page limit fails the transaction as a full disk does: SQLITE_FULL.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const big = { ...event(), data: { text: 'x'.repeat(64 * 1024) } };
    const refused = store.append('full-1', [big], 'no_stream');
    await expect(refused).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(refused).rejects.toThrow(/Event store write failed: database or disk is full/);
    expect(await store.readStream('full-1')).toEqual([]);
    await store.close();
  });

  it('refuses appends as unavailable, storing nothing, once its owner may no longer write', async () => {
    let allowed = true;
    const store = SqliteEventStore.open({
      path: join(dir, 'events.db'),
      writeAllowed: () => allowed,
    });
    await store.append('lock-0', [event()], 'no_stream');
    const head = await store.headPosition();
    allowed = false; // the service lost DATA_DIR's lock
    const refused = store.append('lock-1', [event()], 'no_stream');
    await expect(refused).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(refused).rejects.toThrow(
      `Event store write refused: this process no longer holds the lock on ${dir}`,
    );
    expect(await store.headPosition()).toBe(head);
    expect(await store.readStream('lock-1')).toEqual([]);
    await store.close();
  });

  it('answers a request still running after it closed as unavailable (503), not a 500', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('closed-0', [event()], 'no_stream');
    await store.close();
    // A request whose client left during a shutdown: the server did not wait for it.
    for (const late of [
      store.append('closed-1', [event()], 'no_stream'),
      store.readStream('closed-0'),
      store.readAll(),
      store.readAllLean(0, 10),
      store.headPosition(),
    ]) {
      await expect(late).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(late).rejects.toThrow('The event store is closed: the service is stopping');
    }
  });

  it('opens in WAL mode with synchronous=FULL unless told otherwise', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: check what the adapter sets on its own.
    const probe = SqliteEventStore.open({ path }) as unknown as { db: Database.Database };
    expect(probe.db.pragma('synchronous', { simple: true })).toBe(2);
    await (probe as unknown as SqliteEventStore).close();
  });

  it('applies each schema migration once, in order, and records it', () => {
    const db = new Database(join(dir, 'm.db'));
    expect(migrate(db, EVENT_STORE_MIGRATIONS)).toBe(EVENT_STORE_MIGRATIONS.length);
    expect(migrate(db, EVENT_STORE_MIGRATIONS)).toBe(0);
    const later = [
      ...EVENT_STORE_MIGRATIONS,
      { version: 99, name: 'probe', sql: 'CREATE TABLE probe (x)' },
    ];
    expect(migrate(db, later)).toBe(1);
    const versions = db
      .prepare('SELECT version FROM schema_migrations ORDER BY version')
      .pluck()
      .all();
    expect(versions).toEqual([...EVENT_STORE_MIGRATIONS.map((m) => m.version), 99]);
    db.close();
  });

  it('opened read-only, reads and refuses appends, and refuses a file it would have to migrate', async () => {
    const path = join(dir, 'events.db');
    const writer = SqliteEventStore.open({ path });
    await writer.append('s', [event(), event()], 'no_stream');
    await writer.close(); // the last connection: the -wal and -shm files are gone
    const bytes = readFileSync(path);

    const reader = SqliteEventStore.open({ path, readonly: true });
    expect((await reader.readAll()).map((e) => e.revision)).toEqual([0n, 1n]);
    expect(await reader.headPosition()).toBe(2n);
    await expect(reader.append('s', [event()], 1n)).rejects.toThrow(
      `The event store at ${path} is open read-only`,
    );
    await reader.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);

    // A store of an older schema (a migration not yet applied) is refused, and left as it is.
    const old = new Database(path);
    old.prepare('DELETE FROM schema_migrations WHERE version = ?').run(1);
    old.close();
    const before = readFileSync(path);
    expect(() => SqliteEventStore.open({ path, readonly: true })).toThrow(
      /has an older schema: start the service once to migrate it/,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(() => SqliteEventStore.open({ path: join(dir, 'none.db'), readonly: true })).toThrow();
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('keeps every acknowledged append when the process is killed mid-stream', async () => {
    const path = join(dir, 'crash.db');
    const adapter = dist('infrastructure/sqlite/sqlite-event-store.js');
    const script = `
      const { randomUUID } = require('node:crypto');
      const { SqliteEventStore } = require(${JSON.stringify(adapter)});
      const store = SqliteEventStore.open({ path: ${JSON.stringify(path)} });
      for (let w = 0; w < 8; w++) (async () => {
        for (let i = 0; ; i++) {
          const id = randomUUID();
          await store.append('crash-' + w, [{ id, type: 'Acked', data: { i } }], 'any');
          process.stdout.write(id + '\\n');
        }
      })();
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(line);
      if (acknowledged.length === 500) break;
    }
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;

    const store = SqliteEventStore.open({ path });
    const stored = new Set((await store.readAll()).map((e) => e.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    await store.close();
  });
});
