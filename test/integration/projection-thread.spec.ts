import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteEventStore as Store } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { projectionNames } from '../../src/projections/all-projections';
import type { ReadModelDb as Db } from '../../src/projections/read-model-db';
import type { ProjectionThread as Thread } from '../../src/projections/thread/projection-thread';
import { dist } from '../support/compiled';

// A worker thread runs JavaScript, so this suite uses the compiled modules (`npm test` builds first).
/* eslint-disable @typescript-eslint/no-require-imports */
const { SqliteEventStore } = require(dist('infrastructure/sqlite/sqlite-event-store')) as {
  SqliteEventStore: typeof Store;
};
const { ReadModelDb } = require(dist('projections/read-model-db')) as { ReadModelDb: typeof Db };
const { ProjectionThread, canRunProjectionThread } = require(
  dist('projections/thread/projection-thread'),
) as { ProjectionThread: typeof Thread; canRunProjectionThread: (s: unknown, r: Db) => boolean };
/* eslint-enable @typescript-eslint/no-require-imports */
import { credited } from '../support/wallet-events';

describe('Projection thread (integration, compiled)', () => {
  let dir: string;
  let store: Store;
  let readModels: Db;
  let thread: Thread;

  const credit = (member: string, amount: unknown = 10) =>
    store.append(`wallet-sandbox.acme.${member}`, [credited(member, amount)], 'any');
  const head = async () => Number(await store.headPosition());
  const balances = () =>
    Object.fromEntries(
      (
        readModels.db
          .prepare('SELECT external_user_id AS id, balance FROM rm_wallets ORDER BY id')
          .all() as Array<{ id: string; balance: number }>
      ).map((r) => [r.id, r.balance]),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-thread-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    thread = new ProjectionThread(store, readModels, projectionNames(readModels.db), {
      retryDelayMs: 10,
    });
  });
  afterEach(async () => {
    await thread.stop();
    readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs only on a store and read models in files', () => {
    expect(canRunProjectionThread(store, readModels)).toBe(true);
    const memory = ReadModelDb.open({ path: ':memory:' });
    expect(canRunProjectionThread(store, memory)).toBe(false);
    memory.close();
  });

  it('reports under the names of the projections, in their order', () => {
    expect(thread.status().map((s) => s.name)).toEqual([
      'wallets',
      'transactions',
      'redemptions',
      'offers',
      'analytics',
    ]);
  });

  it('folds what the store commits, and a wait ends on the commit that reaches it', async () => {
    thread.start();
    await credit('a');
    await credit('b', 5);
    await thread.waitFor(thread.names, await head(), 10_000);
    expect(balances()).toEqual({ a: 10, b: 5 });
    for (const status of thread.status())
      expect(status).toMatchObject({ status: 'running', checkpoint: await head(), error: null });

    // Appends made while nothing waits are read at once, not at the next poll.
    await credit('a');
    const started = Date.now();
    await thread.waitFor(['wallets'], await head(), 10_000);
    expect(Date.now() - started).toBeLessThan(400);
    expect(balances()).toEqual({ a: 20, b: 5 });
  });

  it('mirrors a projection that stops: /health sees where and why, and a wait for it fails', async () => {
    thread.start();
    await credit('a');
    await thread.waitFor(thread.names, await head(), 10_000);
    await credit('a', 'ten');
    const bad = await head();
    await expect(thread.waitFor(['wallets'], bad, 10_000)).rejects.toMatchObject({
      name: 'ProjectionStoppedError',
      projection: 'wallets',
      position: bad,
    });
    expect(thread.status().find((s) => s.name === 'wallets')).toEqual({
      name: 'wallets',
      status: 'stopped',
      checkpoint: bad - 1,
      error: { position: bad, message: 'PointsCredited: amount is not an integer' },
    });
  });

  it('starts a thread that died again, which resumes from the stored checkpoints', async () => {
    await thread.stop();
    const lines: string[] = [];
    const log = { error: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    thread = new ProjectionThread(store, readModels, thread.names, { retryDelayMs: 10, log });
    thread.start();
    await credit('a');
    await thread.waitFor(thread.names, await head(), 10_000);
    const dead = (thread as unknown as { worker: { terminate(): Promise<number> } }).worker;
    await dead.terminate();
    expect(thread.engineError).toMatch(/projection thread exited/);
    await credit('a');
    await credit('c');
    await thread.waitFor(thread.names, await head(), 10_000);
    expect(balances()).toEqual({ a: 20, c: 10 });
    // Logged as a run of failures, so that a thread dying again and again does not flood the log.
    expect(lines).toEqual([
      'Projection thread: exited with code 1; starting it again',
      expect.stringMatching(/^Projection thread: recovered after failing once in \d+\.\d s$/),
    ]);
  });

  it('stops: what is folded is committed, and waits still open are rejected', async () => {
    thread.start();
    await credit('a');
    const never = thread.waitFor(['wallets'], (await head()) + 100, 10_000);
    await thread.stop();
    await expect(never).rejects.toThrow('The projection engine stopped');
    expect(balances()).toEqual({ a: 10 });
  });
});
