import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { main } from '../../src/cli/ledger';
import { ReadModelDb } from '../../src/projections/read-model-db';
import { rebuildReadModels } from '../../src/projections/rebuild';
import {
  caughtUp,
  dumpTables,
  randomWorkload,
  readSide,
  SHARED_EMAIL,
} from '../support/read-models';
import { api, KEYS, startTestApp } from '../support/test-app';
import { credited } from '../support/wallet-events';

const indexesOf = (readModels: ReadModelDb) =>
  readModels.db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    .all();

/** The auditor's promise: throw the read models away, replay the events, get the same rows back. */
describe('Rebuild (integration)', () => {
  it('leaves the read models, their origin and checkpoints, as they are when the events cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-rebuild-'));
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    const readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    try {
      await store.append('wallet-sandbox.acme.a', [credited('a', 10)], 'no_stream');
      await rebuildReadModels(store, readModels);
      const tables = readModels.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[];
      expect(tables).toEqual(expect.arrayContaining(['rm_meta', 'rm_checkpoints', 'rm_wallets']));
      const everything = () => dumpTables(readModels.db, tables);
      const before = everything();
      expect(before.rm_wallets).toHaveLength(1);
      await store.close(); // as an EventStoreDB that cannot be reached
      await expect(rebuildReadModels(store, readModels)).rejects.toThrow();
      expect(everything()).toEqual(before);
    } finally {
      readModels.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays each projection up to its own position, and no further, when told where to stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-rebuild-'));
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    const readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    try {
      for (let i = 0; i < 10; i++)
        await store.append(`wallet-sandbox.acme.m${i}`, [credited(`m${i}`, 10)], 'no_stream');
      const position = (await store.readAll()).map((e) => Number(e.position));
      const names = readModels.db.prepare('SELECT name FROM rm_checkpoints').pluck();
      await rebuildReadModels(store, readModels, { upTo: new Map([['wallets', position[3]]]) });
      expect(readModels.db.prepare('SELECT count(*) FROM rm_wallets').pluck().get()).toBe(4);
      const upTo = new Map((names.all() as string[]).map((name) => [name, position[6]]));
      upTo.set('wallets', position[4]);
      const result = await rebuildReadModels(store, readModels, { upTo, resume: true });
      const checkpoints = result.projections.map((p) => [p.name, p.checkpoint]);
      expect(Object.fromEntries(checkpoints)).toEqual(Object.fromEntries(upTo));
      expect(readModels.db.prepare('SELECT count(*) FROM rm_wallets').pluck().get()).toBe(5);
    } finally {
      readModels.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays to the head it found at its start, while more events are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-rebuild-'));
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    const readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    const credit = (i: number) =>
      store.append(`wallet-sandbox.acme.m${i}`, [credited(`m${i}`, 10)], 'no_stream');
    // As a running service does: five more events written once the rebuild has found the head.
    let written = false;
    const writing = new Proxy(store, {
      get(target, key) {
        if (key === 'headPosition' && !written) {
          written = true;
          return async () => {
            const head = await target.headPosition();
            for (let i = 10; i < 15; i++) await credit(i);
            return head;
          };
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      for (let i = 0; i < 10; i++) await credit(i);
      const head = Number(await store.headPosition());
      const result = await rebuildReadModels(writing, readModels, { deferIndexes: true });
      expect(written).toBe(true);
      expect(result.head).toBe(head);
      expect(result.projections.map((p) => p.checkpoint)).toEqual(
        result.projections.map(() => head),
      );
      expect(readModels.db.prepare('SELECT count(*) FROM rm_wallets').pluck().get()).toBe(10);
    } finally {
      readModels.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rebuilds a random workload of the real command side into read models equal to the live ones, row for row', async () => {
    const t = await startTestApp();
    const sandbox = api(t.baseUrl, KEYS.acmeSandbox);
    const live = api(t.baseUrl, KEYS.acmeLive);
    const statuses = [
      ...(await randomWorkload(sandbox, 7, 400)),
      ...(await randomWorkload(live, 11, 150)),
    ];
    expect(statuses.filter((s) => s < 300).length).toBeGreaterThan(300);
    await caughtUp(t);

    const { store, readModels } = readSide(t);
    const tables = readModels.readModelTables();
    const liveRows = dumpTables(readModels.db, tables);
    for (const table of [
      'rm_wallets',
      'rm_members',
      'rm_transactions',
      'rm_redemptions',
      'rm_redemption_history',
      'rm_redemption_counts',
      'rm_offers',
    ]) {
      expect({ table, rows: liveRows[table].length > 5 }).toEqual({ table, rows: true });
    }
    // Redemptions reversed in part and whole, and some of them canceled after.
    const redemptions = liveRows.rm_redemptions as Array<Record<string, string | null>>;
    for (const state of ['NONE', 'PARTIALLY_REVERSED', 'FULLY_REVERSED'])
      expect({ state, some: redemptions.some((r) => r.reversal_state === state) }).toEqual({
        state,
        some: true,
      });
    expect(redemptions.some((r) => r.reversal_state !== 'NONE' && r.status === 'CANCELED')).toBe(
      true,
    );
    expect(redemptions.some((r) => r.fulfilment !== null)).toBe(true);
    // Holds still HELD, applied and released (expired ones too, when the workload ran long enough).
    const holds = redemptions.map((r) => r.hold && (JSON.parse(r.hold) as { state: string }).state);
    for (const state of ['HELD', 'APPLIED', 'RELEASED'])
      expect({ state, some: holds.includes(state) }).toEqual({ state, some: true });
    expect(liveRows.rm_holds.length).toBe(holds.filter((h) => h === 'HELD').length);
    // Members with each lookup alias, and without (never set, or cleared).
    const members = liveRows.rm_members as Array<Record<string, string | null>>;
    for (const column of ['email_key', 'phone', 'pos_account_id']) {
      const set = members.filter((m) => m[column] !== null).length;
      expect({ column, set: set > 2, unset: set < members.length - 2 }).toEqual({
        column,
        set: true,
        unset: true,
      });
    }
    const rebuilt = ReadModelDb.open({ path: join(t.dataDir, 'rebuilt.db') });
    const result = await rebuildReadModels(store, rebuilt, { deferIndexes: true });
    expect(
      result.projections.every((p) => p.status === 'running' && p.checkpoint === result.head),
    ).toBe(true);
    expect(dumpTables(rebuilt.db, tables)).toEqual(liveRows);
    expect(indexesOf(rebuilt)).toEqual(indexesOf(readModels));
    rebuilt.close();

    const reads = [
      '/v1/members?limit=100',
      '/v1/members?tier=gold&limit=100',
      `/v1/members?email=${encodeURIComponent(SHARED_EMAIL.toUpperCase())}&limit=100`,
      '/v1/redemptions?limit=100',
      '/v1/analytics/summary',
      '/v1/analytics/offers',
      '/v1/offers',
    ];
    const before = await Promise.all(reads.map((path) => sandbox('GET', path)));
    expect(before.map((r) => r.status)).toEqual(reads.map(() => 200));
    expect(before[0].body.members.length).toBeGreaterThan(5);
    expect(before[2].body.members.length).toBeGreaterThan(1);
    await t.close({ keepData: true });

    // The documented command, with the service stopped: drops the file's read models and replays them.
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: { write: (s: string) => out.push(s) },
      err: { write: (s: string) => err.push(s) },
    };
    expect(await main(['rebuild'], { DATA_DIR: t.dataDir }, io)).toBe(0);
    expect(out.join('')).toMatch(/^Replayed [\d,]+ events in [\d.]+ s \([\d,]+ events\/s\)/);
    expect(err.join('')).toContain('100.0%');
    const inPlace = ReadModelDb.open({ path: join(t.dataDir, 'read-models.db') });
    expect(dumpTables(inPlace.db, tables)).toEqual(liveRows);
    inPlace.close();

    const restarted = await startTestApp(t.dataDir);
    const client = api(restarted.baseUrl, KEYS.acmeSandbox);
    const after = await Promise.all(reads.map((path) => client('GET', path)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
    const status: string[] = [];
    await main(
      ['status'],
      { DATA_DIR: t.dataDir },
      { out: { write: (s: string) => status.push(s) }, err: io.err },
    );
    expect(status.join('')).toMatch(/wallets\s+checkpoint\s+\d+\s+lag\s+0\s+ok/);
    await restarted.close();
  }, 60_000);
});
