import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { createApp as CreateApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import type { SqliteEventStore as Store } from '../../src/infrastructure/sqlite/sqlite-event-store';
import type { WorkerWriteChannel } from '../../src/infrastructure/sqlite/sqlite-write-channel';
import { dist } from '../support/compiled';

// The writer thread runs JavaScript, so this suite uses the compiled modules (`npm test` builds first).
/* eslint-disable @typescript-eslint/no-require-imports */
const { SqliteEventStore } = require(dist('infrastructure/sqlite/sqlite-event-store')) as {
  SqliteEventStore: typeof Store;
};
const { createApp } = require(dist('app.factory')) as { createApp: typeof CreateApp };
const compiledConfig = require(dist('config/app-config')) as { loadConfig: typeof loadConfig };
const { EVENT_STORE } = require(dist('event-store/event-store.port')) as { EVENT_STORE: symbol };
const { WorkerWriteChannel: WorkerWriteChannelClass } = require(
  dist('infrastructure/sqlite/sqlite-write-channel'),
) as { WorkerWriteChannel: typeof WorkerWriteChannel };
/* eslint-enable @typescript-eslint/no-require-imports */

/** PRAGMA synchronous as SQLite reports it. */
const LEVEL = { OFF: 0, NORMAL: 1, FULL: 2 } as const;

/** What the connection that commits runs with: it lives in the writer thread. */
const writerSettings = (store: Store) =>
  (store as unknown as { channel: WorkerWriteChannel }).channel.settings();

/**
 * An acknowledged append must survive a power loss (docs/event-store.md, "Durability"): the
 * connection that commits, in the writer thread, fsyncs every commit (synchronous=FULL) unless
 * SQLITE_SYNCHRONOUS says otherwise. synchronous is per connection, so the reading connection's
 * setting proves nothing about the writer's.
 */
describe('Durability of acknowledged appends (compiled, writer thread)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-durability-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads SQLITE_SYNCHRONOUS, FULL when it is unset', () => {
    expect(loadConfig({}).sqliteSynchronous).toBe('FULL');
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'normal' }).sqliteSynchronous).toBe('NORMAL');
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'EXTRA' })).toThrow(
      "SQLITE_SYNCHRONOUS must be one of FULL, NORMAL, OFF, got 'EXTRA'",
    );
  });

  it.each([
    ['FULL by default', undefined, LEVEL.FULL],
    ['NORMAL', 'NORMAL', LEVEL.NORMAL],
    ['OFF', 'OFF', LEVEL.OFF],
  ] as const)('commits in a writer thread with synchronous=%s', async (_name, asked, level) => {
    const store = SqliteEventStore.open({
      path: join(dir, 'events.db'),
      writer: 'worker',
      synchronous: asked,
    });
    try {
      expect(await writerSettings(store)).toEqual({ synchronous: level });
    } finally {
      await store.close();
    }
  });

  it('the service started with its defaults commits with synchronous=FULL', async () => {
    const app: NestFastifyApplication = await createApp(
      compiledConfig.loadConfig({ DATA_DIR: dir }),
      { logger: false },
    );
    try {
      await app.init();
      const store = app.get<Store>(EVENT_STORE);
      expect(store).toBeInstanceOf(SqliteEventStore);
      expect(await writerSettings(store)).toEqual({ synchronous: LEVEL.FULL });
    } finally {
      await app.close();
    }
  });

  it('replaces a writer thread that died, failing only the writes it held', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path, writer: 'worker' });
    const event = () => ({ id: randomUUID(), type: 'Noted', data: {}, metadata: {} });
    try {
      await store.append('notes-1', [event()], 'no_stream');
      // As an out-of-memory death ends it: the thread is gone, the service goes on.
      const channel = (store as unknown as { channel: { worker: Worker } }).channel;
      await channel.worker.terminate();
      expect(await store.append('notes-1', [event()], 0n)).toMatchObject({
        nextExpectedRevision: 1n,
      });
      expect(await writerSettings(store)).toEqual({ synchronous: LEVEL.FULL });
    } finally {
      await store.close();
    }
  });

  it('refuses writes at once when the writer thread died before it could answer', async () => {
    const channel = new WorkerWriteChannelClass(
      dist('infrastructure/sqlite/sqlite-writer.worker.js'),
      dir, // a directory: SQLite cannot open it, and the thread dies as it starts
      'FULL',
    );
    const { worker } = channel as unknown as { worker: Worker };
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const batch = [[{ stream: 's', expected: 'any' as const, events: [] }]];
    await expect(channel.write(batch, Date.now())).rejects.toThrow(/^Event store write failed/);
    await exited;
    // Gone for good: not started again, and not waited on forever: the failure is the answer.
    await expect(channel.write(batch, Date.now())).rejects.toThrow(/^Event store write failed/);
    await channel.close();
  });
});
