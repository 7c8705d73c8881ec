import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteEventStore as Store } from '../../src/infrastructure/sqlite/sqlite-event-store';
import type { ReadModelDb as Db } from '../../src/projections/read-model-db';
import type { rebuildReadModels as Rebuild, RebuildProgress } from '../../src/projections/rebuild';
import type { openWriteSink as OpenWriteSink } from '../../src/projections/engine/write-sink';
import { dist } from '../support/compiled';

// The rebuild's writer thread runs JavaScript, so this suite uses the compiled modules (`npm test`
// builds first): with the thread, commits are stored while the next pages are read.
/* eslint-disable @typescript-eslint/no-require-imports */
const { SqliteEventStore } = require(dist('infrastructure/sqlite/sqlite-event-store')) as {
  SqliteEventStore: typeof Store;
};
const { ReadModelDb } = require(dist('projections/read-model-db')) as { ReadModelDb: typeof Db };
const { rebuildReadModels } = require(dist('projections/rebuild')) as {
  rebuildReadModels: typeof Rebuild;
};
const { openWriteSink } = require(dist('projections/engine/write-sink')) as {
  openWriteSink: typeof OpenWriteSink;
};
/* eslint-enable @typescript-eslint/no-require-imports */
import { credited } from '../support/wallet-events';

const MEMBERS = 500;
const CREDITS_EACH = 30;

describe('Rebuild progress (integration, compiled)', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-progress-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let m = 0; m < MEMBERS; m++) {
      const member = `member-${m}`;
      const events = Array.from({ length: CREDITS_EACH }, () => credited(member, 10));
      await store.append(`wallet-sandbox.acme.${member}`, events, 'no_stream');
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the position read with the events read, never going back while commits are stored behind the reads, and ends at the head', async () => {
    const readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    const reports: RebuildProgress[] = [];
    const result = await rebuildReadModels(store, readModels, {
      writer: 'worker',
      maxPendingRows: 400, // many commits, each stored while the next pages are folded
      deferIndexes: true,
      onProgress: (p) => reports.push(p),
    });
    readModels.close();

    const total = MEMBERS * CREDITS_EACH;
    expect(result.events).toBe(total);
    expect(reports.length).toBeGreaterThan(5);
    // Positions in a store written once are dense: the position read is the first + events - 1.
    const notWhereRead = reports.filter((p) => p.position !== p.first + p.events - 1);
    expect(notWhereRead).toEqual([]);
    const wentBack = reports.filter(
      (p, i) => i > 0 && (p.position < reports[i - 1].position || p.events < reports[i - 1].events),
    );
    expect(wentBack).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ position: result.head, events: total });
  });

  it("fails a commit of the writer thread with SQLite's code, which tells a full disk from a bug", async () => {
    const path = join(dir, 'writer.db');
    const readModels = ReadModelDb.open({ path });
    const sink = openWriteSink(readModels.db, path, 'worker');
    try {
      const sql = 'INSERT INTO rm_nowhere VALUES (?)';
      const set = { statements: [{ sql, width: 1, sortKey: 0, values: [1] }], checkpoints: [] };
      await expect(sink.commit(set)).rejects.toMatchObject({
        message: 'no such table: rm_nowhere',
        code: 'SQLITE_ERROR',
      });
    } finally {
      await sink.close();
      readModels.close();
    }
  });
});
