import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createdWith } from '../../src/catalog/offer/offer.fixtures';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { ALL_PROJECTIONS } from '../../src/projections/all-projections';
import type {
  ProjectedEvent,
  Projection,
  ProjectionFactory,
} from '../../src/projections/engine/projection';
import { ProjectionEngine } from '../../src/projections/engine/projection-engine';
import { walletsProjection } from '../../src/projections/wallets/wallets.projection';
import {
  ProjectionLagError,
  ProjectionsFailingError,
  ProjectionStoppedError,
} from '../../src/projections/engine/waiters';
import { InlineWriteSink, WriteSink } from '../../src/projections/engine/write-sink';
import { ReadModelDb } from '../../src/projections/read-model-db';
import { rebuildReadModels } from '../../src/projections/rebuild';
import { refusalFor, storeEnds } from '../../src/projections/engine/store-identity';
import { dumpTables } from '../support/read-models';
import { credited, TENANT, walletEvent } from '../support/wallet-events';

async function appendCredits(
  store: SqliteEventStore,
  members: string[],
  amount = 10,
): Promise<void> {
  for (const member of members)
    await store.append(`wallet-sandbox.acme.${member}`, [credited(member, amount)], 'any');
}

function balances(readModels: ReadModelDb): Record<string, number> {
  const rows = readModels.db
    .prepare('SELECT external_user_id AS id, balance FROM rm_wallets ORDER BY id')
    .all() as Array<{ id: string; balance: number }>;
  return Object.fromEntries(rows.map((r) => [r.id, r.balance]));
}

describe('Projection engine (integration)', () => {
  let store: SqliteEventStore;
  let readModels: ReadModelDb;
  const engines: ProjectionEngine[] = [];

  const engineOn = (
    db = readModels,
    options: ConstructorParameters<typeof ProjectionEngine>[3] = {},
  ) => {
    const engine = new ProjectionEngine(store, db, ALL_PROJECTIONS, {
      retryDelayMs: 5,
      ...options,
    });
    engines.push(engine);
    return engine;
  };
  const toHead = async (engine: ProjectionEngine, names = engine.names) =>
    engine.waitFor(names, Number(await store.headPosition()), 10_000);

  beforeEach(() => {
    store = SqliteEventStore.open({ path: ':memory:' });
    readModels = ReadModelDb.open({ path: ':memory:' });
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
    readModels.close();
    await store.close();
  });

  it('decodes the bodies of the categories its projections read, and of no other events', async () => {
    await appendCredits(store, ['a']);
    const decision = { id: randomUUID(), type: 'IdempotentCommandDecided', data: { n: 1 } };
    await store.append('idempotency-sandbox.acme.k1', [decision], 'any');
    await store.append('wallet', [credited('z', 5)], 'any'); // a stream named just its category
    const read: Array<{ stream: string; data: unknown }> = [];
    const readAll = store.readAll.bind(store);
    jest.spyOn(store, 'readAll').mockImplementation(async (options) => {
      const page = await readAll(options);
      read.push(...page);
      return page;
    });
    const readAllLean = store.readAllLean.bind(store);
    jest.spyOn(store, 'readAllLean').mockImplementation(async (...args) => {
      const page = await readAllLean(...args);
      read.push(...page);
      return page;
    });
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    expect(balances(readModels)).toEqual({ a: 10, z: 5 });
    expect(engine.status().filter((p) => p.status !== 'running')).toEqual([]);
    const bodies = (stream: string) => read.find((e) => e.stream === stream)?.data;
    expect(bodies('idempotency-sandbox.acme.k1')).toEqual({});
    expect(bodies('wallet')).toMatchObject({ amount: 5 });
  });

  it('resumes from each checkpoint, skipping what each projection already applied, and equals a replay from zero', async () => {
    await appendCredits(store, ['a', 'b', 'c']);
    const walletsOnly = new ProjectionEngine(store, readModels, [ALL_PROJECTIONS[0]]);
    walletsOnly.start();
    await walletsOnly.waitFor(['wallets'], Number(await store.headPosition()));
    await walletsOnly.stop();
    await appendCredits(store, ['a', 'd']);

    const first = engineOn();
    first.start();
    await toHead(first);
    await first.stop();
    const again = engineOn();
    again.start();
    await appendCredits(store, ['e']);
    await toHead(again);
    await again.stop();

    const fresh = ReadModelDb.open({ path: ':memory:' });
    await rebuildReadModels(store, fresh, { writer: 'inline' });
    expect(dumpTables(readModels.db, readModels.readModelTables())).toEqual(
      dumpTables(fresh.db, fresh.readModelTables()),
    );
    expect(balances(readModels)).toEqual({ a: 20, b: 10, c: 10, d: 10, e: 10 });
    fresh.close();
  });

  it('catches up over many pages to the same rows whether the store reads lean or not', async () => {
    // Over two catch-up pages (2,000 events), with other categories between the wallets' events.
    for (let round = 0; round < 50; round++) {
      const credits = Array.from({ length: 99 }, (_, i) => credited(`m${i % 7}`, round + 1));
      await store.append(`wallet-sandbox.acme.m${round % 7}`, credits, 'any');
      const decision = { id: randomUUID(), type: 'IdempotentCommandDecided', data: { round } };
      await store.append(`idempotency-sandbox.acme.k${round}`, [decision], 'any');
    }
    const lean = jest.spyOn(store, 'readAllLean');
    const full = jest.spyOn(store, 'readAll');
    const leanEngine = engineOn();
    leanEngine.start();
    await toHead(leanEngine);
    await leanEngine.stop();
    expect(lean.mock.calls.length).toBeGreaterThanOrEqual(2); // after the first page, which notes the origin

    // As on EventStoreDB, which has no lean read: readAll pages, each starting at the last event read.
    Object.assign(store, { readAllLean: undefined });
    full.mockClear();
    const fullOnly = ReadModelDb.open({ path: ':memory:' });
    const fullEngine = engineOn(fullOnly);
    fullEngine.start();
    await toHead(fullEngine);
    await fullEngine.stop();
    expect(full.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(dumpTables(fullOnly.db, fullOnly.readModelTables())).toEqual(
      dumpTables(readModels.db, readModels.readModelTables()),
    );
    expect(Object.values(balances(fullOnly)).reduce((a, b) => a + b, 0)).toBe(99 * 25 * 51);
    fullOnly.close();
  });

  it('writes rows and checkpoint in one transaction: a failed commit leaves neither, and is retried', async () => {
    await appendCredits(store, ['a', 'b']);
    let failures = 12;
    let afterFailure: unknown;
    const inline = new InlineWriteSink(readModels.db);
    const count = (sql: string) => readModels.db.prepare(sql).pluck().get();
    const sink: WriteSink = {
      commit: async (set) => {
        if (failures-- <= 0) return inline.commit(set);
        const tail = {
          sql: 'INSERT INTO no_such_table VALUES (?)',
          width: 1,
          sortKey: 0,
          values: [1],
        };
        try {
          await inline.commit({ ...set, statements: [...set.statements, tail] });
        } finally {
          afterFailure = [
            count('SELECT count(*) FROM rm_wallets'),
            count('SELECT count(*) FROM rm_checkpoints'),
          ];
        }
      },
      setSynchronous: async () => {},
      buildIndexes: async () => {},
      close: async () => {},
    };
    const logged: string[] = [];
    const log = { error: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
    const engine = engineOn(readModels, { sink, log, retryDelayMs: 1 });
    const settled = toHead(engine);
    engine.start();
    await settled;
    expect(failures).toBe(-1);
    expect(afterFailure).toEqual([0, 0]);
    // Logged when it began, at the 10th failure in a row, and when it ended: not 12 times.
    expect(logged).toEqual([
      'Projection engine: no such table: no_such_table; retrying',
      'Projection engine: no such table: no_such_table (10 failures in a row); retrying',
      expect.stringMatching(/^Projection engine: recovered after failing 12 times in [\d.]+ s$/),
    ]);
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });
    const stored = readModels.db.prepare('SELECT count(*) FROM rm_transactions').pluck().get();
    expect(stored).toBe(2);
    expect(engine.engineError).toBeNull();
  });

  it('does not blame the event for a database error while folding it: the engine fails and reads again', async () => {
    await appendCredits(store, ['a', 'b']);
    let failures = 1;
    // The wallets projection, whose row read hits a damaged page once (better-sqlite3's shape).
    const damagedOnce: ProjectionFactory = (db) => {
      const wallets = walletsProjection(db);
      return Object.assign(Object.create(wallets) as Projection, {
        apply(event: ProjectedEvent) {
          if (failures-- > 0)
            throw Object.assign(new Error('database disk image is malformed'), {
              code: 'SQLITE_CORRUPT',
            });
          wallets.apply(event);
        },
      });
    };
    const errors: string[] = [];
    const engine = new ProjectionEngine(
      store,
      readModels,
      [damagedOnce, ...ALL_PROJECTIONS.slice(1)],
      { retryDelayMs: 5, onChange: () => engine.engineError && errors.push(engine.engineError) },
    );
    engines.push(engine);
    engine.start();
    await toHead(engine);
    expect(errors).toContain('database disk image is malformed');
    expect(engine.status().find((s) => s.name === 'wallets')?.status).toBe('running');
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });
    expect(engine.engineError).toBeNull();
  });

  it('stops a projection on an event it cannot apply, records where and why, and keeps the others going', async () => {
    const engine = engineOn();
    engine.start();
    await appendCredits(store, ['a']);
    await toHead(engine);
    await store.append('wallet-sandbox.acme.a', [credited('a', 'ten')], 'any');
    const bad = Number(await store.headPosition());
    await appendCredits(store, ['a', 'b']);
    const offer = {
      id: randomUUID(),
      type: 'OfferCreated',
      data: createdWith({ offerId: 'off_1', title: 'Kayak', pointsPrice: 10 })[0].data,
      metadata: { schemaVersion: 1, occurredAt: '2024-03-01T12:00:00.000Z', ...TENANT },
    };
    await store.append('offer-sandbox.acme.off_1', [offer], 'no_stream');

    await expect(toHead(engine)).rejects.toBeInstanceOf(ProjectionStoppedError);
    await toHead(engine, ['offers']);
    const status = Object.fromEntries(engine.status().map((s) => [s.name, s]));
    for (const name of ['wallets', 'transactions', 'analytics']) {
      expect(status[name]).toEqual({
        name,
        status: 'stopped',
        checkpoint: bad - 1,
        error: { position: bad, message: 'PointsCredited: amount is not an integer' },
      });
    }
    expect(status.redemptions.status).toBe('running');
    expect(status.offers).toMatchObject({
      status: 'running',
      checkpoint: Number(await store.headPosition()),
    });
    expect(balances(readModels)).toEqual({ a: 10 });

    await engine.stop();
    const stored = readModels.db
      .prepare("SELECT error_position, error FROM rm_checkpoints WHERE name = 'wallets'")
      .get();
    expect(stored).toEqual({
      error_position: bad,
      error: 'PointsCredited: amount is not an integer',
    });
    const restarted = engineOn();
    restarted.start();
    await expect(toHead(restarted, ['wallets'])).rejects.toMatchObject({
      projection: 'wallets',
      position: bad,
    });
  });

  it('stops only the projections that read an offer event it cannot apply, not redemptions', async () => {
    const engine = engineOn();
    engine.start();
    const created = createdWith({ offerId: 'off_1', title: 'Kayak', pointsPrice: 10 })[0].data;
    const offerEvent = (type: string, metadata: Record<string, unknown>) => ({
      id: randomUUID(),
      type,
      data: created,
      metadata: { schemaVersion: 1, occurredAt: '2024-03-01T12:00:00.000Z', ...metadata },
    });
    // Redemptions reads only the releases of offer streams: neither of these is one.
    await store.append('offer-sandbox.acme.off_1', [offerEvent('OfferCreated', {})], 'any');
    const bad = Number(await store.headPosition());
    await store.append('offer-sandbox.acme.off_1', [offerEvent('OfferRenamed', TENANT)], 'any');
    await appendCredits(store, ['a']);

    await toHead(engine, ['wallets', 'transactions', 'redemptions', 'analytics']);
    const status = Object.fromEntries(engine.status().map((s) => [s.name, s]));
    expect(status.offers).toMatchObject({
      status: 'stopped',
      error: { position: bad, message: 'OfferCreated: metadata has no environment and orgId' },
    });
    expect(status.redemptions).toMatchObject({
      status: 'running',
      checkpoint: Number(await store.headPosition()),
    });
  });

  it('keeps what a projection folded before the event it stops on, in a catch-up and a rebuild too', async () => {
    await appendCredits(store, ['a', 'b']);
    await store.append('wallet-sandbox.acme.c', [credited('c', 'ten')], 'any');
    await appendCredits(store, ['d']);
    // More than a page of reads after it (pages of 2,000).
    await appendCredits(
      store,
      Array.from({ length: 3_000 }, (_, i) => `after-${i}`),
    );
    const stopped = {
      status: 'stopped',
      checkpoint: 2,
      error: { position: 3, message: 'PointsCredited: amount is not an integer' },
    };
    const wallets = (statuses: ReturnType<ProjectionEngine['status']>) =>
      statuses.find((p) => p.name === 'wallets');

    // One catch-up, no commit before the bad event: it used to drop a and b and stop at -1.
    const engine = engineOn(readModels, { maxPendingRows: 1_000_000 });
    engine.start();
    await toHead(engine, ['offers', 'redemptions']);
    await expect(toHead(engine, ['wallets'])).rejects.toMatchObject({ position: 3 });
    await engine.stop();
    expect(wallets(engine.status())).toMatchObject(stopped);
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });

    const rebuilt = await rebuildReadModels(store, readModels);
    expect(wallets(rebuilt.projections)).toMatchObject(stopped);
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });
    // The others go on to the head: a rebuild used to end with them wherever the stop found them.
    const head = Number(await store.headPosition());
    for (const other of rebuilt.projections.filter((p) => p.status === 'running'))
      expect(other.checkpoint).toBe(head);
    expect(rebuilt.projections.filter((p) => p.status === 'running')).toHaveLength(2);
  });

  it('keeps them too when another projection stops on a later page before the first stop is stored', async () => {
    await appendCredits(store, ['a', 'b']);
    await store.append('wallet-sandbox.acme.c', [credited('c', 'ten')], 'any'); // 3: wallets
    await appendCredits(
      store,
      Array.from({ length: 2_500 }, (_, i) => `filler-${i}`),
    );
    const metadata = { schemaVersion: 1, occurredAt: '2024-03-01T12:00:00.000Z', ...TENANT };
    const created = createdWith({ offerId: 'off_1', title: 'Kayak', pointsPrice: 10 })[0];
    await store.append(
      'offer-sandbox.acme.off_1',
      [
        { id: randomUUID(), type: 'OfferCreated', data: created.data, metadata },
        {
          id: randomUUID(),
          type: 'OfferUpdated',
          data: { changes: { pointsPrice: 'x' } },
          metadata,
        },
      ],
      'no_stream',
    );
    const badOffer = Number(await store.headPosition());
    const engine = engineOn(readModels, { maxPendingRows: 1_000_000 });
    engine.start();
    await expect(toHead(engine, ['offers'])).rejects.toMatchObject({ position: badOffer });
    await expect(toHead(engine, ['wallets'])).rejects.toMatchObject({ position: 3 });
    await toHead(engine, ['redemptions']);
    await engine.stop();
    const checkpoints = Object.fromEntries(engine.status().map((p) => [p.name, p.checkpoint]));
    expect(checkpoints).toMatchObject({ wallets: 2, offers: badOffer - 1 });
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });
  });

  it('stops on an amount below 1, which events.md rules out, instead of applying it', async () => {
    const engine = engineOn();
    engine.start();
    await appendCredits(store, ['a']);
    await toHead(engine);
    await store.append('wallet-sandbox.acme.a', [credited('a', -50)], 'any');
    for (const name of ['wallets', 'transactions', 'analytics'])
      await expect(toHead(engine, [name])).rejects.toMatchObject({
        projection: name,
        position: 2,
        reason: 'PointsCredited: amount is -50, below 1',
      });
    expect(balances(readModels)).toEqual({ a: 10 });
  });

  it('stops on offer fields no offer has, and on a redemption whose offer snapshot is bare', async () => {
    const metadata = { schemaVersion: 1, occurredAt: '2024-03-01T12:00:00.000Z', ...TENANT };
    const created = createdWith({ offerId: 'off_1', title: 'Kayak', pointsPrice: 10 })[0];
    const engine = engineOn();
    engine.start();
    await store.append(
      'offer-sandbox.acme.off_1',
      [{ id: randomUUID(), type: 'OfferCreated', data: created.data, metadata }],
      'no_stream',
    );
    await toHead(engine);
    const changes = { pointsPrice: 'abc', status: 'WEIRD' };
    await store.append(
      'offer-sandbox.acme.off_1',
      [
        {
          id: randomUUID(),
          type: 'OfferUpdated',
          data: { changes, updatedAt: '2024-03-02' },
          metadata,
        },
      ],
      'any',
    );
    await expect(toHead(engine, ['offers'])).rejects.toMatchObject({
      reason: 'OfferUpdated: offer field pointsPrice is "abc"',
    });
    const bare = {
      redemptionId: 'red_1',
      externalUserID: 'a',
      offer: { id: 'off_1' },
      quantity: 1,
      amount: null,
      pointsCost: 10,
      description: null,
      shipping: null,
      artifact: { type: 'NONE' },
      createdAt: '2024-03-02T00:00:00.000Z',
    };
    await store.append(
      'wallet-sandbox.acme.a',
      [walletEvent('a', 'RedemptionCreated', bare)],
      'any',
    );
    await expect(toHead(engine, ['redemptions'])).rejects.toMatchObject({
      reason: 'RedemptionCreated: offer field status is undefined',
    });
  });

  it('stops on an event type it has no rule for, and on an envelope without a tenant', async () => {
    await store.append('wallet-sandbox.acme.a', [walletEvent('a', 'PointsTeleported', {})], 'any');
    const engine = engineOn();
    engine.start();
    await expect(toHead(engine, ['transactions'])).rejects.toMatchObject({
      reason:
        'PointsTeleported: transactions has no rule for PointsTeleported events in wallet streams',
    });

    const other = SqliteEventStore.open({ path: ':memory:' });
    await other.append(
      'wallet-x.y',
      [{ id: randomUUID(), type: 'PointsCredited', data: {}, metadata: {} }],
      'any',
    );
    const db = ReadModelDb.open({ path: ':memory:' });
    const bare = new ProjectionEngine(other, db, ALL_PROJECTIONS);
    bare.start();
    await expect(bare.waitFor(['wallets'], 1)).rejects.toMatchObject({
      reason: 'PointsCredited: metadata has no environment and orgId',
    });
    await bare.stop();
    db.close();
    await other.close();
  });

  it('stops at a damaged event (data or metadata not JSON) and says why; a rebuild then ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damaged-event-'));
    const path = join(dir, 'events.db');
    const onFile = SqliteEventStore.open({ path });
    try {
      await appendCredits(onFile, ['a', 'b', 'c', 'd']);
      await onFile.close();
      const raw = new Database(path);
      raw.prepare("UPDATE events SET data = '{not json' WHERE position = 2").run();
      raw.prepare("UPDATE events SET metadata = 'null' WHERE position = 4").run();
      raw.close();
      const damaged = SqliteEventStore.open({ path, readonly: true });
      try {
        await expect(damaged.readStream('wallet-sandbox.acme.b')).rejects.toThrow(
          /The event at revision 0 \(position 2\) of stream wallet-sandbox\.acme\.b cannot be read: its data is not JSON/,
        );
        const all = await damaged.readAll();
        expect(all.map((e) => e.unreadable)).toEqual([
          undefined,
          expect.stringMatching(/^its data is not JSON \(/),
          undefined,
          'its metadata is not a JSON object',
        ]);

        const engine = new ProjectionEngine(damaged, readModels, ALL_PROJECTIONS);
        engines.push(engine);
        engine.start();
        await expect(engine.waitFor(['wallets'], 4, 10_000)).rejects.toMatchObject({
          projection: 'wallets',
          position: 2,
          reason: expect.stringMatching(/^PointsCredited: its data is not JSON/),
        });
        await engine.stop();

        // Without the fix the rebuild's engine retried the read forever and never ended.
        const rebuilt = await rebuildReadModels(damaged, readModels);
        expect(rebuilt.projections.find((p) => p.name === 'wallets')).toMatchObject({
          status: 'stopped',
          checkpoint: 1,
          error: { position: 2 },
        });
        expect(balances(readModels)).toEqual({ a: 10 });
      } finally {
        await damaged.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends a rebuild that cannot read the store with the error, instead of retrying for ever', async () => {
    await appendCredits(store, ['a']);
    const failing = Object.create(store) as SqliteEventStore;
    failing.readAllLean = () => Promise.reject(new Error('disk I/O error'));
    await expect(rebuildReadModels(failing, readModels)).rejects.toThrow('disk I/O error');
  });

  it('ignores other categories (idempotency records) but moves every checkpoint past them', async () => {
    await appendCredits(store, ['a']);
    await store.append(
      'idempotency-sandbox.acme.k1',
      [{ id: randomUUID(), type: 'IdempotentCommandDecided', data: {} }],
      'any',
    );
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    expect(engine.status().every((s) => s.checkpoint === 2)).toBe(true);
  });

  it('paces live commits, and commits at once what a waiting reader needs', async () => {
    const engine = engineOn(readModels, { liveCommitEveryMs: 600_000 });
    engine.start();
    await appendCredits(store, ['a']);
    await toHead(engine);
    await appendCredits(store, ['b']); // live: a wait commits it, and the pace starts over
    await toHead(engine);
    await appendCredits(store, ['c']);
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    while (engine.eventsRead < 3) await turn();
    for (let i = 0; i < 5; i++) await turn(); // idle turns, where an unpaced engine commits
    const head = Number(await store.headPosition());
    expect(engine.status().map((s) => s.checkpoint)).not.toContain(head); // folded, not stored
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });

    await engine.waitFor(engine.names, head, 10_000);
    expect(engine.status().map((s) => s.checkpoint)).toEqual(engine.names.map(() => head));
    expect(balances(readModels)).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('commits every projection when a reader waits for one, so that they stand at one position', async () => {
    const engine = engineOn(readModels, { liveCommitEveryMs: 600_000 });
    engine.start();
    await appendCredits(store, ['a']);
    await toHead(engine);
    await appendCredits(store, ['b']);
    const head = Number(await store.headPosition());
    await engine.waitFor(['wallets'], head, 10_000);
    // An answer joining wallets with another projection's rows reads them at the same position.
    expect(engine.status().map((s) => s.checkpoint)).toEqual(engine.names.map(() => head));
    expect(balances(readModels)).toEqual({ a: 10, b: 10 });
  });

  it('rejects a wait that runs out of time with a lag error', async () => {
    await appendCredits(store, ['a']);
    const engine = engineOn();
    await expect(engine.waitFor(['wallets'], 1, 20)).rejects.toBeInstanceOf(ProjectionLagError);
  });

  it('says why a wait ran out when the engine cannot commit: not a lag but its failure', async () => {
    await appendCredits(store, ['a']);
    const damaged: WriteSink = {
      commit: () => Promise.reject(new Error('database disk image is malformed')),
      setSynchronous: async () => {},
      buildIndexes: async () => {},
      close: async () => {},
    };
    let reportFailure: () => void = () => {};
    const failing = new Promise<void>((resolve) => (reportFailure = resolve));
    const engine = engineOn(readModels, {
      sink: damaged,
      onChange: () => engine.engineError && reportFailure(),
    });
    engine.start();
    await failing;
    const waited = engine.waitFor(['wallets'], 1, 20);
    await expect(waited).rejects.toBeInstanceOf(ProjectionsFailingError);
    await expect(waited).rejects.toMatchObject({
      projections: ['wallets'],
      position: 1,
      engineError: 'database disk image is malformed',
    });
  });

  it('notices when another process rebuilt the tables, and replays from the checkpoints it finds', async () => {
    await appendCredits(store, ['a', 'b']);
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    readModels.dropAndRecreate();
    await appendCredits(store, ['c']);
    await toHead(engine);
    expect(balances(readModels)).toEqual({ a: 10, b: 10, c: 10 });
  });

  /** The balances once these read models follow another store, holding only a credit of 5 to z. */
  async function balancesFromAnotherStore(): Promise<Record<string, number>> {
    const other = SqliteEventStore.open({ path: ':memory:' });
    await other.append('wallet-sandbox.acme.z', [credited('z', 5)], 'any');
    const switched = new ProjectionEngine(other, readModels, ALL_PROJECTIONS);
    switched.start();
    await switched.waitFor(switched.names, 1);
    await switched.stop();
    await other.close();
    return balances(readModels);
  }

  it('drops read models built from another event store', async () => {
    await appendCredits(store, ['a']);
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    await engine.stop();

    expect(await balancesFromAnotherStore()).toEqual({ z: 5 });
  });

  it('records the origin of read models that started on an empty store, so a swapped store is caught', async () => {
    const engine = engineOn();
    engine.start();
    await appendCredits(store, ['a']);
    await toHead(engine);
    await engine.stop();
    const [first] = await store.readAll({ maxCount: 1 });
    expect(readModels.meta('first_event_id')).toBe(first.id);

    expect(await balancesFromAnotherStore()).toEqual({ z: 5 });
  });

  it('keeps read models whose store comes back empty, and reports it until the events return', async () => {
    await appendCredits(store, ['a']);
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    await engine.stop();

    /** An engine on `other` until it reports an error; answers the error and what it logged. */
    const refusedOn = async (other: SqliteEventStore) => {
      const errors: string[] = [];
      let reportedNow = () => undefined as void;
      const reported = new Promise<void>((resolve) => (reportedNow = resolve));
      const refused = new ProjectionEngine(other, readModels, ALL_PROJECTIONS, {
        retryDelayMs: 5,
        log: { error: (m) => errors.push(m), warn: (m) => errors.push(m) },
        onChange: () => refused.engineError && reportedNow(),
      });
      refused.start();
      await reported;
      await refused.stop();
      expect(refused.ready).toBe(false);
      return { error: refused.engineError, logged: errors };
    };
    const empty = SqliteEventStore.open({ path: ':memory:' });
    const first = await refusedOn(empty);
    expect(first.error).toMatch(/^The event store is empty, but the read models were built/);
    expect(first.logged[0]).toContain('The event store is empty');
    expect(balances(readModels)).toEqual({ a: 10 });

    // A write lands on the emptied store meanwhile (EventStoreDB was unreachable when the service
    // started, so nothing refused it): still refused, not taken for another store and dropped.
    await empty.append('wallet-sandbox.acme.z', [credited('z', 5)], 'no_stream');
    const second = await refusedOn(empty);
    expect(second.error).toBe(first.error);
    expect(second.logged.join('\n')).not.toContain('rebuilding them');
    expect(balances(readModels)).toEqual({ a: 10 });
    await empty.close();

    // Its own events back: served again, and the note is gone.
    const back = engineOn();
    back.start();
    await toHead(back);
    expect(back.engineError).toBeNull();
    expect(readModels.meta('lost_events')).toBeUndefined();
    expect(balances(readModels)).toEqual({ a: 10 });
  });

  it('does not vouch for rows whose origin was never recorded: they are replayed', async () => {
    await appendCredits(store, ['a']);
    const engine = engineOn();
    engine.start();
    await toHead(engine);
    await engine.stop();
    readModels.db.prepare("DELETE FROM rm_meta WHERE key = 'first_event_id'").run();
    readModels.db.prepare('UPDATE rm_wallets SET balance = 999').run();

    const again = engineOn();
    again.start();
    await toHead(again);
    expect(balances(readModels)).toEqual({ a: 10 });
    await again.stop();
  });
});

/** Closes `readModels` as a file written by an older release would look: without the newest migration. */
function asWrittenByAnOlderRelease(readModels: ReadModelDb): void {
  readModels.db
    .prepare(
      'DELETE FROM rm_schema_migrations WHERE version = (SELECT max(version) FROM rm_schema_migrations)',
    )
    .run();
  readModels.close();
}

describe('Read-model database', () => {
  it('sets a corrupt file aside and starts from an empty one, which the projections replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    const path = join(dir, 'read-models.db');
    ReadModelDb.open({ path }).close();
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, 5000)); // truncated mid-page
    const reopened = ReadModelDb.open({ path });
    expect(reopened.resetAtOpen).toBe(true);
    expect(reopened.corruptFileMovedTo).toMatch(/read-models\.db\.corrupt-\d+$/);
    expect(existsSync(reopened.corruptFileMovedTo!)).toBe(true);
    expect(reopened.db.prepare('SELECT count(*) FROM rm_checkpoints').pluck().get()).toBe(0);
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the indexes a rebuild dropped in the file, so an interrupted one is finished at next open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    const path = join(dir, 'read-models.db');
    const indexes = (db: ReadModelDb) =>
      db.db
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_%' ORDER BY name",
        )
        .all() as Array<{ name: string; sql: string }>;
    const rebuilding = ReadModelDb.open({ path });
    const all = indexes(rebuilding);
    expect(all.length).toBeGreaterThan(0);
    // Partial ones among them (the member aliases'): they come back partial.
    expect(all.find((i) => i.name === 'rm_members_by_email')?.sql).toMatch(
      /\bWHERE email_key IS NOT NULL$/,
    );
    rebuilding.dropReadIndexes();
    expect(indexes(rebuilding)).toEqual([]);
    rebuilding.close(); // interrupted: the indexes were never built

    const next = ReadModelDb.open({ path });
    expect(next.restoreDroppedIndexes()).toBe(true);
    expect(indexes(next)).toEqual(all); // SQLite stores them without the IF NOT EXISTS
    expect(next.restoreDroppedIndexes()).toBe(false);
    next.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops and recreates every read model when the schema has a migration the file has not seen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    const path = join(dir, 'read-models.db');
    const first = ReadModelDb.open({ path });
    expect(first.resetAtOpen).toBe(false);
    first.db
      .prepare("INSERT INTO rm_wallet_totals (tenant, members) VALUES ('sandbox.acme', 3)")
      .run();
    first.db.prepare("INSERT INTO rm_checkpoints (name, position) VALUES ('wallets', 42)").run();
    first.close();
    const same = ReadModelDb.open({ path });
    expect(same.resetAtOpen).toBe(false);
    expect(same.db.prepare('SELECT count(*) FROM rm_wallet_totals').pluck().get()).toBe(1);
    asWrittenByAnOlderRelease(same);
    const upgraded = ReadModelDb.open({ path });
    expect(upgraded.resetAtOpen).toBe(true);
    expect(upgraded.db.prepare('SELECT count(*) FROM rm_wallet_totals').pluck().get()).toBe(0);
    expect(upgraded.db.prepare('SELECT count(*) FROM rm_checkpoints').pluck().get()).toBe(0);
    upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps across a schema reset what the check for lost events needs: origin and how far it was built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    const path = join(dir, 'read-models.db');
    const built = ReadModelDb.open({ path });
    built.db.prepare("INSERT INTO rm_checkpoints (name, position) VALUES ('wallets', 42)").run();
    built.setMeta('first_event_id', 'the-first-event');
    asWrittenByAnOlderRelease(built);
    const upgraded = ReadModelDb.open({ path });
    expect(upgraded.resetAtOpen).toBe(true);
    expect(upgraded.db.prepare('SELECT count(*) FROM rm_checkpoints').pluck().get()).toBe(0);
    expect(upgraded.meta('first_event_id')).toBe('the-first-event');
    // The first start of a release with a migration, on a store that lost its events: refused.
    const empty = SqliteEventStore.open({ path: ':memory:' });
    expect(refusalFor(await storeEnds(empty), upgraded)).toMatch(
      /^The event store is empty, but the read models were built from it up to position 42/,
    );
    await empty.close();
    upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
